"""A job page's structured data for search engines: a schema.org ``JobPosting`` in JSON-LD, so
that Google's job search (and others that read schema.org) lists the job where people look.

Google's required properties (``title``, ``description``, ``datePosted``,
``hiringOrganization``, ``jobLocation``) and the recommended ones the vacancy has
(``validThrough``, ``baseSalary``, ``identifier``, ``directApply``). A vacancy records no
employment type, so none is claimed: a wrong one is worse than none. Only a job that can be
applied for now is described (``Vacancy.advertised``): a search engine drops a posting whose
page no longer carries it.

The dict is built here and written into the page by ``script``, with ``<``, ``>`` and ``&``
written as JSON escapes, as Django's ``json_script`` does: whatever a title or a description
holds (``</script>`` included), it stays data inside its script element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe

from kernel.mail import site_link
from vacancies.models import Vacancy

#: The characters that could end a script element or open a comment in it, as JSON escapes
#: (what ``django.utils.html.json_script`` writes, for a script type it cannot take).
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def job_posting(vacancy: Vacancy) -> dict[str, Any]:
    """The ``JobPosting`` of an advertised vacancy, as a JSON-ready dict."""
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": vacancy.title,
        "description": description_html(vacancy),
        "identifier": {
            "@type": "PropertyValue",
            "name": settings.ORGANISATION_NAME,
            "value": vacancy.reference,
        },
        "datePosted": iso_8601(date_posted(vacancy)),
        "validThrough": iso_8601(vacancy.closing_date),
        "hiringOrganization": hiring_organisation(),
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": vacancy.location,
                "addressCountry": "GB",
            },
        },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "GBP",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": vacancy.salary_min,
                "maxValue": vacancy.salary_max,
                "unitText": "YEAR",
            },
        },
        # The whole application is made on this service, from the job's page.
        "directApply": True,
        "url": site_link(reverse("vacancy", args=[vacancy.pk])),
    }


def hiring_organisation() -> dict[str, Any]:
    """The employer (settings ``ORGANISATION_*``): its website and logo only when set."""
    organisation: dict[str, Any] = {"@type": "Organization", "name": settings.ORGANISATION_NAME}
    if settings.ORGANISATION_URL:
        organisation["sameAs"] = settings.ORGANISATION_URL
    if settings.ORGANISATION_LOGO_URL:
        organisation["logo"] = settings.ORGANISATION_LOGO_URL
    return organisation


def date_posted(vacancy: Vacancy) -> datetime:
    """When the job was published. The publish transition records it; a row made open
    directly (test and load-test set-up) has only the time it was made."""
    return vacancy.published_at or vacancy.created_at


def iso_8601(moment: datetime) -> str:
    """An ISO 8601 date and time with its offset from UTC, in the service's time zone:
    ``2026-12-01T23:59:00+00:00``."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def description_html(vacancy: Vacancy) -> SafeString:
    """The full description as HTML, as Google asks: the text in paragraphs, then the
    criteria as lists (only ``<p>``, ``<ul>`` and ``<li>``, the tags it reads). The text is
    escaped: a vacancy's description is plain text, not markup."""
    essential = [c.text for c in vacancy.criteria.all() if c.is_essential]
    desirable = [c.text for c in vacancy.criteria.all() if not c.is_essential]
    parts = [linebreaks(vacancy.description, autoescape=True)]
    for heading, texts in (("Essential criteria", essential), ("Desirable criteria", desirable)):
        if texts:
            items = format_html_join("", "<li>{}</li>", ((text,) for text in texts))
            parts.append(format_html("<p>{}</p><ul>{}</ul>", heading, items))
    return mark_safe("".join(parts))  # noqa: S308 - each part is escaped above


def script(data: Mapping[str, Any]) -> SafeString:
    """``<script type="application/ld+json">`` holding ``data``: nothing in it can close the
    element or be read as markup (``_SCRIPT_SAFE``)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # noqa: S308 - JSON with <, > and & escaped
    )
