"""Pages that ask before something that cannot be undone (GOV.UK's confirmation pattern):
the page posts again what was asked, with ``confirm=yes``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass
class Confirmation:
    title: str
    button: str
    action: str
    cancel_url: str
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    #: What the page posts again, as (name, value) pairs (a list may repeat a name).
    hidden: list[tuple[str, str]] = field(default_factory=list)
    caption: str = ""
    warning: bool = True


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


def ask(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    return render(request, "_confirm_page.html", {"confirm": confirmation})
