"""Staff single sign-on over OpenID Connect (mozilla-django-oidc), off unless
``OIDC_ENABLED``.

The library runs the authorization code flow with PKCE and a nonce, and checks the ID
token's signature against the provider's published keys. This module adds what a council's
deployment needs on top:

- **discovery**: the endpoints and keys come from ``{OIDC_ISSUER}/.well-known/openid-
  configuration`` (whose ``issuer`` must be ``OIDC_ISSUER``), read once an hour;
- **the ID token's audience and issuer**: the library leaves ``aud`` unchecked; a token
  issued to another client, or by another issuer, or without an expiry, is refused;
- **roles from a claim**: ``OIDC_ROLE_CLAIM``'s values mapped by ``OIDC_ROLE_MAP``; someone
  the claim gives no role is refused (and so is a token without an e-mail address). The
  role is set from the claim at every sign-in: the identity provider decides it;
- **accounts**: matched by the provider's ``sub`` once linked; on first sign-in, a staff
  account with the same address is linked (invited by HR, say), else one is made. A
  candidate's account is never taken over: candidates do not sign in this way.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.models import STAFF_ROLES, Role, User
from kernel.audit import acting_as

logger = logging.getLogger(__name__)

BACKEND = "accounts.oidc.StaffOIDCBackend"
#: The library's setting → the discovery document's field.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
#: When a claim names more than one role, the widest wins.
ROLE_ORDER = (Role.HR, Role.HIRING_MANAGER, Role.PANEL_MEMBER)


def discovery() -> dict[str, Any]:
    """The provider's discovery document (cached for an hour)."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    if not issuer:
        raise ImproperlyConfigured("Set OIDC_ISSUER to use single sign-on.")
    key = f"oidc-discovery:{issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(
                "The identity provider's discovery document names another issuer."
            )
        cache.set(key, document, 60 * 60)
    return document


def oidc_setting(attr: str, *args: Any) -> Any:
    """A setting as the library reads it, the provider's endpoints from discovery."""
    if attr in DISCOVERED and not getattr(settings, attr, None):
        return discovery()[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


def role_from_claims(claims: dict[str, Any]) -> str | None:
    """The role the configured claim gives, or None."""
    value = claims.get(settings.OIDC_ROLE_CLAIM)
    values = {value} if isinstance(value, str) else {str(v) for v in value or []}
    given = {role for role, claim in settings.OIDC_ROLE_MAP.items() if claim in values}
    return next((role for role in ROLE_ORDER if role in given), None)


def _username_for(email: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", email.lower())[:140] or "staff"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """The sign-on callback's backend; inert (None) for any other sign-in."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes every backend for every sign-in: read the provider only when used.
        self.UserModel = User

    def get_user(self, user_id: Any) -> Any:
        """The session's user, while they may still sign in: a deactivated account's single
        sign-on session ends at its next request (the library does not check)."""
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def configure(self) -> StaffOIDCBackend:
        """Read the client's settings and the provider's endpoints (discovery)."""
        super().__init__()
        return self

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        self.configure()
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as exc:
            logger.warning("single sign-on refused: %s", exc)
            return None

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The signature (as the library checks it) and the token's audience, issuer and
        expiry, which the library leaves unchecked."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token's algorithm is not the one configured.")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery()["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token refused: issued for another party")
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims with the userinfo endpoint's (about the same person)."""
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about someone else.")
        return {**payload, **info}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("email") or not claims.get("sub"):
            logger.warning("single sign-on refused: no e-mail address or subject")
            return False
        if role_from_claims(claims) is None:
            logger.warning("single sign-on refused: the role claim gives no role here")
            return False
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        linked = User.objects.filter(sso_subject=claims["sub"])
        if linked.exists():
            return linked
        if claims.get("email_verified") is False:
            # The provider says the address is not proven: never link an account by it.
            raise SuspiciousOperation("The provider has not verified this e-mail address.")
        return User.objects.filter(
            email__iexact=claims["email"], role__in=STAFF_ROLES, sso_subject__isnull=True
        )

    def create_user(self, claims: dict[str, Any]) -> User:
        email = claims["email"]
        with transaction.atomic():
            user = User(
                username=_username_for(email),
                email=email,
                full_name=(claims.get("name") or email)[:200],
                role=role_from_claims(claims) or "",  # verify_claims: never empty here
                sso_subject=claims["sub"],
            )
            user.set_unusable_password()
            taken = User.objects.filter(email__iexact=email, email_confirmed_at__isnull=False)
            if not taken.exists():
                user.email_confirmed_at = timezone.now()  # the organisation vouches for it
            try:
                with transaction.atomic(), acting_as(user):
                    user.save()
            except IntegrityError:  # the address was confirmed elsewhere meanwhile
                user.email_confirmed_at = None
                with transaction.atomic(), acting_as(user):
                    user.save()
        logger.info("staff account %s made at its first single sign-on as %s", user.pk, user.role)
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        role = role_from_claims(claims)
        changed = {
            field: value
            for field, value in {
                "role": role,
                "sso_subject": claims["sub"],
                "full_name": (claims.get("name") or user.full_name)[:200],
            }.items()
            if getattr(user, field) != value
        }
        if changed:
            for field, value in changed.items():
                setattr(user, field, value)
            with acting_as(user):
                user.save(update_fields=list(changed))
            logger.info("staff account %s updated at single sign-on: %s", user.pk, sorted(changed))
        return user


class SignOnStart(OIDCAuthenticationRequestView):
    """``/oidc/start/``: off (404) unless single sign-on is on."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        return super().dispatch(request, *args, **kwargs)


class SignOnCallback(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: the provider sends the person back here."""

    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            "We could not sign you in with your organisation account. If you work in "
            "recruitment, ask HR to check that your account has a role in this service.",
        )
        return super().login_failure()
