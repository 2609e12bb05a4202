"""One-time links sent by e-mail, from Django's token generator (HMAC of the account's state
and a timestamp with ``SECRET_KEY``; valid ``PASSWORD_RESET_TIMEOUT``, three days).

- ``password_links`` (Django's own): a password reset or a staff invitation. The hash covers
  the password, so the link stops working once a password is set with it.
- ``confirmation_links``: confirming an e-mail address. The hash covers the address and when
  it was confirmed, so the link stops working once used, or if the address changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        confirmed = "" if user.email_confirmed_at is None else user.email_confirmed_at.isoformat()
        return f"{user.pk}{user.email.lower()}{confirmed}{timestamp}"


password_links = default_token_generator
confirmation_links = EmailConfirmationTokenGenerator()


def uid_of(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_of(uidb64: str) -> User | None:
    """The account a link's ``uidb64`` names, or None (a link that names nothing)."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
    except (ValueError, TypeError, OverflowError):
        return None
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        return None
    return User.objects.filter(pk=int(pk)).first()
