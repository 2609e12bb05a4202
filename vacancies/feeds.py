"""The jobs that can be applied for now, as an Atom feed (``/jobs/feed/``): job boards,
aggregators and feed readers pick up each new job without anyone sending it to them.

Newest first, the ``FEED_LIMIT`` newest (a reader polls; the jobs page lists them all). Each
entry is the job's title, a summary in HTML (where, grade, salary, the closing date and the
start of the description), its published time, and the job page's address. Addresses are
absolute, from ``SITE_URL`` as the e-mails' are, never from the request's Host header. Nothing
of a draft, closed or cancelled vacancy is in it (``Vacancy.advertised``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator
from django.views.decorators.http import require_safe

from kernel.mail import site_link
from kernel.text import one_line
from vacancies.models import Vacancy
from vacancies.structured_data import date_posted

FEED_LIMIT = 100

#: Characters XML 1.0 cannot carry (Django refuses to write them, failing the whole feed): a
#: description pasted from elsewhere may hold a form feed or an escape.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot carry."""
    return _NOT_XML.sub("", text)


if TYPE_CHECKING:  # generic only in django-stubs
    _Feed = Feed[Vacancy, None]
else:
    _Feed = Feed


class OpenVacanciesFeed(_Feed):
    feed_type = feedgenerator.Atom1Feed
    language = "en-GB"

    def title(self) -> str:
        return f"Jobs at {settings.ORGANISATION_NAME}"

    def subtitle(self) -> str:
        return "The jobs you can apply for now, newest first."

    def link(self) -> str:
        return site_link(reverse("vacancy-list"))

    def feed_url(self) -> str:
        return site_link(reverse("vacancy-feed"))

    def feed_guid(self) -> str:
        return self.feed_url()

    def author_name(self) -> str:
        return settings.ORGANISATION_NAME

    def author_link(self) -> str | None:
        return settings.ORGANISATION_URL or None

    def items(self) -> QuerySet[Vacancy]:
        return (
            Vacancy.objects.advertised()
            .prefetch_related("criteria")
            .order_by(Coalesce("published_at", "created_at").desc(), "-pk")[:FEED_LIMIT]
        )

    def item_title(self, item: Vacancy) -> str:
        return xml_text(one_line(item.title))

    def item_description(self, item: Vacancy) -> str:
        return xml_text(render_to_string("vacancies/feed_summary.html", {"vacancy": item}))

    def item_link(self, item: Vacancy) -> str:
        return site_link(reverse("vacancy", args=[item.pk]))

    def item_guid(self, item: Vacancy) -> str:
        return self.item_link(item)

    def item_pubdate(self, item: Vacancy) -> datetime:
        return date_posted(item)

    def item_updateddate(self, item: Vacancy) -> datetime:
        # Once published an advert does not change (only a draft is edited).
        return date_posted(item)

    def item_categories(self, item: Vacancy) -> list[str]:
        return [xml_text(one_line(item.department)), f"Grade {xml_text(one_line(item.grade))}"]


#: The view: GET (and HEAD) only.
open_vacancies = require_safe(OpenVacanciesFeed())
