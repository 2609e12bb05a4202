"""API plumbing shared by every app: pagination and the error envelope of ../shared/api.md."""

from typing import Any

import django_filters
from django import forms as django_forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.models import User
from config.errors import ActionForbidden, DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


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


MAX_ID = 2**63 - 1  # the largest primary key the databases hold (bigint)


class IdFilterField(django_forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.Filter):
    """Filter by a related object's id: a whole number that can be an id, else 400."""

    field_class = IdFilterField


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object by id: whole numbers only (``1.5`` or ``true`` is not an id)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.isdigit())
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
