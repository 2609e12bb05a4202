"""The client's IP address, for login throttling (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

Behind ``TRUSTED_PROXY_COUNT`` proxies (``DJANGO_TRUSTED_PROXY_COUNT``: 1 behind a single load
balancer) each proxy appends the address it was connected from to ``X-Forwarded-For``, so the
client is the N-th entry from the right: whatever a client writes into the header itself stays
to the left of it and is ignored. With no trusted proxy (the default) the header is not read at
all and the address is the connection's (``REMOTE_ADDR``).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request came in past the outer ones, and the left-most
    # entry is what the first proxy it met saw.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid(candidate) or remote
