"""API plumbing shared by every app: pagination and the error envelope (docs/api.md)."""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import django_filters
from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views import defaults
from rest_framework import exceptions, renderers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.models import User
from kernel.errors import ActionForbidden, DomainError


class Pagination(PageNumberPagination):
    """``page`` from 1; ``page_size`` a whole number from 1 (more than ``max_page_size`` gives
    ``max_page_size``). Anything else for ``page_size`` is a 400, not a silent default."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        value = request.query_params.get("page_size", "")
        if value and not (value.isascii() and value.isdigit() and int(value) >= 1):
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 (at most {self.max_page_size} given)."]}
            )
        return super().get_page_size(request)

    def check_page(self, request: Request) -> None:
        """``page`` is a whole number from 1 (or ``last``), else 400; a page past the end is
        DRF's 404."""
        page = request.query_params.get(self.page_query_param, "")
        whole = page.isascii() and page.isdigit() and int(page) >= 1
        if page and page not in self.last_page_strings and not whole:
            raise exceptions.ValidationError({"page": ["A whole number from 1."]})

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.check_page(request)
        return super().paginate_queryset(queryset, request, view)

    def check_parameters(self, request: Request) -> None:
        """Refuse bad ``page`` and ``page_size`` as a paginated answer would, for an answer
        that is not paginated (a CSV of everything)."""
        self.get_page_size(request)
        self.check_page(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in ("page", "page_size"):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


def _django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _as_field_errors(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if isinstance(data, list):
        return {"non_field_errors": data}
    return {"non_field_errors": [data]}


def acting_user(request: Request | HttpRequest) -> User:
    """The authenticated user of a request (the API's permission classes and the pages'
    login_required ensure there is one)."""
    if not isinstance(request.user, User):
        raise exceptions.NotAuthenticated()
    return request.user


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every error as ``{"code", "detail"[, "errors"]}``."""
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ActionForbidden):
        exc = exceptions.PermissionDenied(exc.detail)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": "The request has invalid fields: see errors.",
            "errors": _as_field_errors(exc.detail),
        }
    elif isinstance(exc, exceptions.ParseError):
        response.data = {
            "code": "invalid",
            "detail": str(exc.detail),
            "errors": {"non_field_errors": [str(exc.detail)]},
        }
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = {"code": "not_authenticated", "detail": str(exc.detail)}
    elif isinstance(exc, exceptions.PermissionDenied):
        response.data = {"code": "permission_denied", "detail": str(exc.detail)}
    elif isinstance(exc, exceptions.NotFound):
        response.data = {"code": "not_found", "detail": "Not found."}
    elif isinstance(exc, exceptions.APIException):
        response.data = {"code": exc.default_code, "detail": str(exc.detail)}
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: Django refuses some requests before any view runs (a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields). Under /api/ the answer is the envelope:
    413 ``too_large`` for a body over the limit, else 400 ``invalid``."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(
            {
                "code": "too_large",
                "detail": f"The request body is larger than "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
            },
            status=413,
        )
    message = "The request could not be read."
    return JsonResponse(
        {"code": "invalid", "detail": message, "errors": {"non_field_errors": [message]}},
        status=400,
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a path under /api/ that names no endpoint (``/api/v1/vacancies/0.5/``)
    answers the API's 404 envelope, not the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


MAX_ID = 2**63 - 1  # the largest primary key the databases hold (bigint)


def id_or_none(value: object) -> int | None:
    """A whole number from a query string or a form as an id: ASCII digits from 1 to
    ``MAX_ID``, else None (``"²"`` is a digit to ``str.isdigit`` but not to ``int``, and a
    number past a bigint is no row's id and overflows the database driver)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdFilterField(django_forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.Filter):
    """Filter by a related object's id: a whole number that can be an id, else 400."""

    field_class = IdFilterField


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


#: field class → (the JSON type it takes, DRF's message when it is not that).
JSON_TYPES: list[tuple[type[serializers.Field[Any, Any, Any, Any]], Any, str]] = [
    (serializers.BooleanField, _is_boolean, "Must be a valid boolean."),
    (serializers.IntegerField, _is_integer, "A valid integer is required."),
    (serializers.CharField, _is_string, "Not a valid string."),
]  # the other fields (choices, dates, ids, lists, objects) refuse a wrong type themselves


def _json_type(field: serializers.Field[Any, Any, Any, Any]) -> tuple[Any, str] | None:
    for field_class, check, message in JSON_TYPES:
        if isinstance(field, field_class):
            return check, message
    return None


class JSONInput(serializers.Serializer[dict[str, Any]]):
    """A JSON body: each field takes its own JSON type only. DRF's fields coerce (a string
    field takes ``12``, an integer field ``"12"`` or ``12.0``, a boolean ``"yes"`` or ``1``):
    here a value of the wrong type is a 400, not a guess. Nested inputs are checked by their
    own ``JSONInput``; a list's items by its child's type."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            errors: dict[str, Any] = {}
            for name, field in self.fields.items():
                if field.read_only or data.get(name) is None:
                    continue  # absent, or null: the field's own rules decide
                value = data[name]
                if isinstance(field, serializers.ListField) and isinstance(value, list):
                    expected = _json_type(field.child)
                    if expected is not None:
                        bad = {i: [expected[1]] for i, v in enumerate(value) if not expected[0](v)}
                        if bad:
                            errors[name] = bad
                elif (expected := _json_type(field)) is not None and not expected[0](value):
                    errors[name] = [expected[1]]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class IdQueryField(serializers.IntegerField):
    """An id in a query string: digits only (DRF's IntegerField also takes ``12.0``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if not (isinstance(data, str) and data.isascii() and data.isdigit()):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object by id: a whole number, as a JSON number or a string of digits (the
    contract's own examples quote ids); ``1.5``, ``"1.5"``, ``"x"`` or ``true`` is not an id."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.isascii() and data.isdigit())
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class CSVRenderer(renderers.BaseRenderer):
    """``?format=csv`` for every CSV the API serves. The rows come from the view's
    ``csv_rows(data)`` when it has one (header first), else ``data`` is a list of flat dicts.
    A cell that a spreadsheet would run as a formula is prefixed with ' (CSV injection)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        context = renderer_context or {}
        view, response = context.get("view"), context.get("response")
        request = context.get("request")
        # The view's table is for its GET payload; errors and OPTIONS metadata are records.
        payload = (response is None or response.status_code < 400) and (
            request is None or request.method == "GET"
        )
        csv_rows = getattr(view, "csv_rows", None)
        if payload and csv_rows is not None:
            table = [list(row) for row in csv_rows(data)]
        else:
            records = data if isinstance(data, list) else [data]
            table = [list(records[0])] + [list(r.values()) for r in records] if records else []
            get_serializer = getattr(view, "get_serializer", None)
            if not records and payload and get_serializer is not None:
                # No rows: still the header, so the file says what it would hold.
                table = [list(get_serializer().fields)]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows([[_cell(value) for value in row] for row in table])
        return out.getvalue().encode(self.charset)


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes to it."""

    def write(self, value: str) -> str:
        return value


def streamed_csv(rows: Iterable[Sequence[Any]], filename: str) -> StreamingHttpResponse:
    """A CSV download written row by row as ``rows`` is walked (header first), so a table of
    a whole campaign is never held in memory; cells escaped as ``CSVRenderer``'s are."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]).encode() for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    elif isinstance(value, dict):
        # An error's ``errors``: each field with its messages as text (not their reprs).
        value = "; ".join(
            f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in value.items()
        )
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
