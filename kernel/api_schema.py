"""The OpenAPI schema documents every answer an operation can give, not only its success.

Every operation gets the error envelope of docs/api.md (``kernel.api.exception_handler``)
for each refusal it can meet: 400 where it reads input (a body or query parameters), 401 where
it reads credentials, 403 where it needs them, 404 where it names an object in its path or
pages a list or takes a ``format``, 409 where it changes state (the domain codes) or a view
says a domain rule can refuse it (``may_conflict``), 413 and 415 where it takes a body (over
the size limit; JSON only), 429 where it is throttled or signs in. A ``text/csv`` response (``?format=csv``) is a string,
whatever the JSON body is.

Requests and bodies are documented as the service reads them: an optional query parameter
sent empty (``?role=``) counts as not sent (DRF and django-filter read query strings as forms
do), and a field that only some callers see (in a serializer's ``FIELD_PERMS`` or
``OPTIONAL_FIELDS``) is not required in the response.
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
from rest_framework import permissions

from kernel.errors import DomainError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: Operations throttled outside DRF, so they can answer 429 ``too_many_attempts`` though the
#: view has no DRF throttle: the sign-in lockout (django-axes, accounts/lockout.py) and what
#: anyone may ask without an account (accounts/throttle.py).
SIGN_IN_OPERATIONS = {
    "v1_auth_token_create",
    "v1_auth_register_create",
    "v1_auth_password_reset_create",
}
CSV = "text/csv"


def _envelope(codes: list[str], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "code": {"type": "string", "enum": codes},
            "detail": {"type": "string"},
            **extra,
        },
        "required": ["code", "detail", *extra],
    }


#: status → (component name, description, schema). The 409 codes are read from DomainError,
#: so a new domain code is documented as soon as a service can raise it.
ERRORS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": (
        "ValidationError",
        "Invalid input",
        _envelope(
            ["invalid"],
            "Invalid input: `errors` maps each field (or `non_field_errors`) to its "
            "messages; a nested field's messages are nested the same way.",
            errors={"type": "object", "additionalProperties": {}},
        ),
    ),
    "401": (
        "NotAuthenticatedError",
        "No or bad credentials",
        _envelope(["not_authenticated"], "No or bad credentials."),
    ),
    "403": (
        "PermissionDeniedError",
        "The caller can see the object but may not do this",
        _envelope(["permission_denied"], "The caller may not do this."),
    ),
    "404": (
        "NotFoundError",
        "No such object, or one the caller may not see",
        _envelope(["not_found"], "No such object, or one the caller may not see."),
    ),
    "409": (
        "ConflictError",
        "A domain rule refuses the action",
        _envelope(sorted(DomainError.CODES), "A domain rule refuses the action."),
    ),
    "413": (
        "TooLargeError",
        "The body is over the size limit",
        _envelope(["too_large"], "The request body is larger than the service takes."),
    ),
    "415": (
        "UnsupportedMediaTypeError",
        "The body is not JSON",
        _envelope(["unsupported_media_type"], "Bodies are JSON (application/json)."),
    ),
    "429": (
        "ThrottledError",
        "Too many requests: try again after `Retry-After` seconds",
        _envelope(["throttled", "too_many_attempts"], "Too many requests."),
    ),
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        responses: dict[str, Any] = operation["responses"]
        for response in responses.values():
            self._csv_is_text(response)
        for status in self._error_statuses(operation):
            responses.setdefault(status, self._error_response(status))
        return operation

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction != "response":
            return schema
        conditional = set(getattr(serializer, "FIELD_PERMS", {})) | set(
            getattr(serializer, "OPTIONAL_FIELDS", ())
        )
        if conditional & set(schema.get("required", [])):
            schema["required"] = [f for f in schema["required"] if f not in conditional]
            if not schema["required"]:
                del schema["required"]
        for name in conditional & set(schema.get("properties", {})):
            prop = schema["properties"][name]
            note = "Only for callers who may see it."
            if "$ref" in prop:  # a description beside a $ref is ignored: wrap it
                schema["properties"][name] = {"allOf": [prop], "description": note}
            else:
                prop["description"] = (
                    f"{prop['description']} {note}" if "description" in prop else note
                )
        return schema

    def _error_statuses(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        reads_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
        names_object = any(p["in"] == "path" for p in parameters)
        # DRF answers 404 for a page past the end and for a format it does not render.
        pages = any(p["in"] == "query" and p["name"] in ("page", "format") for p in parameters)
        public = any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        changes_state = self.method not in SAFE_METHODS
        statuses = {
            "400": reads_input,
            "401": bool(self.view.get_authenticators()),
            "403": not public,
            "404": names_object or pages,
            # A GET that a domain rule can refuse (the statutory return) says so on its view.
            "409": (changes_state and not public) or getattr(self.view, "may_conflict", False),
            "413": "requestBody" in operation,
            "415": "requestBody" in operation,
            "429": bool(self.view.get_throttles())
            or operation["operationId"] in SIGN_IN_OPERATIONS,
        }
        return [status for status, applies in statuses.items() if applies]

    def _error_response(self, status: str) -> dict[str, Any]:
        name, description, schema = ERRORS[status]
        component = ResolvedComponent(
            # A copy: drf-spectacular's enum hook rewrites the schema it is given in place,
            # which would leave the next schema generated a $ref to an enum it never names.
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema=copy.deepcopy(schema),
        )
        self.registry.register_on_missing(component)
        content = {media_type: {"schema": component.ref} for media_type in self._media_types()}
        response = {"description": description, "content": content}
        if status == "429":
            response["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
            }
        self._csv_is_text(response)
        return response

    def _media_types(self) -> list[str]:
        return self.map_renderers("media_type") or ["application/json"]

    @staticmethod
    def _csv_is_text(response: dict[str, Any]) -> None:
        if CSV in response.get("content", {}):
            response["content"][CSV] = {"schema": {"type": "string"}}
