"""API token authentication (django-rest-knox) that looks a token up only if it could be one.

Tokens are stored as SHA-512 digests (knox), expire (``REST_KNOX["TOKEN_TTL"]``) and are
revoked by signing out or by the account's deactivation. A header that cannot hold a token
(not 64 hexadecimal characters: a NUL byte, bytes that are not ASCII) is refused as a bad
token (401) without a query: sent to the database as it is, a NUL byte raises ``DataError``
on PostgreSQL, a 500 on every endpoint that reads credentials."""

from __future__ import annotations

import string
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions

HEX = frozenset(string.hexdigits)


def could_be_a_token(key: str) -> bool:
    return len(key) == knox_settings.AUTH_TOKEN_CHARACTER_LENGTH and set(key) <= HEX


class StrictTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> Any:
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            key = ""
        if not could_be_a_token(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, as it was before tokens moved to knox: the same
    header and prefix."""

    target_class = StrictTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token". A token '
            "expires (its `expiry`) and ends with POST /api/v1/auth/logout/.",
        }
