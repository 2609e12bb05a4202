"""Login throttling (django-axes): what a client locked out of signing in is told.

Axes counts failed sign-ins by the pair (username, client IP) and refuses further attempts
for ``AXES_COOLOFF_TIME`` after ``AXES_FAILURE_LIMIT`` of them (see the Security section of
``config/settings.py``). The answer is the same whether the username exists or not: it names
neither an account nor a reason beyond "too many attempts", and says when to try again.
"""

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.signals import user_logged_in
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.request import Request

MESSAGE = "Too many failed attempts to sign in with this username."


def retry_after(
    request: HttpRequest | Request, credentials: Mapping[str, Any] | None = None
) -> datetime:
    """When the (username, IP) pair of this request may try again: the cool-off after the
    last failed attempt that counted (attempts during the lockout are not counted)."""
    cool_off = get_cool_off(request) or timedelta(0)
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, dict(credentials or {})), ip_address=ip_address
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def minutes_until(when: datetime) -> int:
    return max(1, math.ceil((when - timezone.now()).total_seconds() / 60))


def try_again_text(when: datetime) -> str:
    minutes = minutes_until(when)
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."


class LoginLockedOut(exceptions.Throttled):
    """429 for the API, rendered by ``kernel.api.exception_handler`` as
    ``{"code": "too_many_attempts", "detail": ...}`` with a ``Retry-After`` header."""

    default_code = "too_many_attempts"

    def __init__(
        self, request: HttpRequest | Request, credentials: Mapping[str, Any] | None = None
    ) -> None:
        when = retry_after(request, credentials)
        exceptions.APIException.__init__(self, f"{MESSAGE} {try_again_text(when)}")
        self.wait = max(1, math.ceil((when - timezone.now()).total_seconds()))


def token_issued(request: Request, user: Any) -> None:
    """The token endpoint signs a user in without Django's login(): send the same signal, so
    that axes clears the failed attempts (AXES_RESET_ON_SUCCESS) and last_login is kept."""
    user_logged_in.send(sender=user.__class__, request=request, user=user)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a GOV.UK page for the web sign-in, the error envelope for
    anything under /api/ (the token endpoint answers this itself, see accounts/api.py)."""
    when = retry_after(request, credentials)
    if request.path.startswith("/api/"):
        error = LoginLockedOut(request, credentials)
        response: HttpResponse = JsonResponse(
            {"code": error.default_code, "detail": str(error.detail)},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        response["Retry-After"] = str(error.wait)
        return response
    response = render(
        request,
        "registration/locked_out.html",
        {
            "retry_at": timezone.localtime(when),
            "minutes": minutes_until(when),
            "today": timezone.localdate(),
        },
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(max(1, math.ceil((when - timezone.now()).total_seconds())))
    return response
