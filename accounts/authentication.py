"""API token authentication that looks a token up only if it could be one.

DRF's ``TokenAuthentication`` sends whatever follows ``Token`` to the database: a NUL byte
raises ``DataError`` on PostgreSQL (a 500 on every endpoint that reads credentials, the public
vacancy list included). Tokens are 40 hexadecimal characters: anything that is not 40 ASCII
letters and digits is refused as a bad token (401) without a query."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

TOKEN_LENGTH = 40


def could_be_a_token(key: str) -> bool:
    return len(key) == TOKEN_LENGTH and key.isascii() and key.isalnum()


class StrictTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> Any:
        if not could_be_a_token(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
