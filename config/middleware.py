"""Responses that carry personal data are never stored by a browser or a proxy; a page
reached the wrong way says so.

Every API answer (authenticated by token, which this middleware cannot see, or by session)
and every page served to someone signed in gets ``Cache-Control: no-store, private``. Public
pages for nobody (the job list) may still be cached; static files are served before this runs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


class MethodNotAllowedPageMiddleware:
    """A page reached the wrong way (an action's address opened, or reloaded, in the
    browser: ``require_POST`` answers an empty 405) gets a page that says so and where to
    go, still with status 405 and its ``Allow`` header. The API's 405s are left as they are
    (JSON, from DRF)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or response.content:
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
