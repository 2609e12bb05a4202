"""Throttling what anyone can ask without an account: registering, asking for a password
reset or a new confirmation link, and asking for an adjustment before applying (each its own
count, so one does not use up another). Counted per client IP (``config.client_ip``) in the
cache over a window; past the limit the answer is 429 with when to try again, whatever was asked,
so it tells nothing about any account."""

from __future__ import annotations

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.exceptions import APIException, Throttled
from rest_framework.request import Request

from config.client_ip import client_ip

#: name → the setting that says how many attempts an hour (the window) it allows.
LIMITS = {
    "register": "REGISTRATION_LIMIT",
    "reset": "PASSWORD_RESET_LIMIT",
    "confirm": "PASSWORD_RESET_LIMIT",
    "before_applying": "BEFORE_APPLYING_LIMIT",
}
WINDOW = 60 * 60


def attempt(request: HttpRequest | Request, name: str) -> int | None:
    """Count an attempt at ``name`` from this client; None while within the limit, else the
    seconds until the window ends (the attempt is not made)."""
    allowed, window = getattr(settings, LIMITS[name]), WINDOW
    start = int(time.time() // window * window)
    key = f"throttle:{name}:{_client(request)}:{start}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count <= allowed:
        return None
    return max(1, start + window - math.floor(time.time()))


def _client(request: HttpRequest | Request) -> str:
    """The client's address; for IPv6, its /64 (one home or office network, which can use
    many addresses inside it)."""
    address = client_ip(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class TooManyAttempts(Throttled):
    """429 for the API, as ``{"code": "too_many_attempts", "detail"}`` with Retry-After."""

    default_code = "too_many_attempts"

    def __init__(self, wait: int) -> None:
        minutes = max(1, math.ceil(wait / 60))
        APIException.__init__(
            self,
            f"Too many attempts from here. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}.",
        )
        self.wait = wait
