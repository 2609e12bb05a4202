"""Responses that carry personal data are never stored by a browser or a proxy.

Every API answer (authenticated by token, which this middleware cannot see, or by session)
and every page served to someone signed in gets ``Cache-Control: no-store, private``. Public
pages for nobody (the job list) may still be cached; static files are served before this runs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
        if request.path.startswith("/api/") or signed_in:
            patch_cache_control(response, no_store=True, private=True)
        return response
