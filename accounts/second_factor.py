"""A second factor for staff who sign in with a password (``STAFF_SECOND_FACTOR``, required by
``config.production``): a time-based one-time code (TOTP, django-otp) from an authenticator
app. Until they have set one up and used it in this session, a staff member reaches nothing
but the set-up page and signing out: no page, no API answer, no candidate data. Staff who
signed in with single sign-on use their organisation's own second factor instead.

For API tokens, a staff member with a second factor sends its current code with the
password (``otp``); one without it is told to set it up on the web first."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.oidc import BACKEND as SINGLE_SIGN_ON

#: Reachable before the second factor: setting it up, signing out, and what a page needs.
OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/healthz")
MESSAGE = "Set up and use your second factor (an authenticator app) before you go on."


def required_for(request: HttpRequest) -> bool:
    """Whether this signed-in request still needs the second factor."""
    user = request.user
    if not (settings.STAFF_SECOND_FACTOR and user.is_authenticated):
        return False
    if not getattr(user, "is_recruitment_staff", False):
        return False
    if request.session.get(BACKEND_SESSION_KEY) == SINGLE_SIGN_ON:
        return False
    return not user.is_verified()  # type: ignore[attr-defined]  # django-otp's middleware


class SecondFactorMiddleware:
    """After django-otp's ``OTPMiddleware``: send staff without a verified second factor to
    set it up (pages) or refuse them (403, the API's envelope)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if required_for(request) and not request.path.startswith(OPEN_PATHS):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "second_factor_required", "detail": MESSAGE}, status=403
                )
            return redirect(f"{reverse('two-factor')}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def device_to_set_up(user: Any) -> TOTPDevice:
    """The authenticator being set up (one, kept until confirmed with a code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> SafeString:
    """The key as a QR code for the app to scan, an SVG with its own title."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code of your key for an authenticator app", dark="#0b0c0c"
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's own SVG
