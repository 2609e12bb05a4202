"""The yearly equality publication: for a finished reporting year, the report NHS trusts
(WRES, WDES) and councils (the Public Sector Equality Duty) publish, as accessible HTML and a
PDF. HR previews it, then publishes it; a published pack is kept as it was (its figures, its
HTML, its PDF) and served from the copy, never recomputed.

Every figure goes through the release path, as on the dashboard: the whole organisation over
the whole year, its counts released by the stored plan and the cell key method, every rate,
ratio, interval and test worked out from released counts (recruitment/monitoring/figures.py).
The pack says how (its methods section), and compares the year with the years published
before it, from their stored figures."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

import rules
import weasyprint
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from recruitment.models import DecidedYear, PublicationPack
from recruitment.monitoring import charts, disclosure, pay, release, years
from recruitment.monitoring.figures import characteristic_figures
from recruitment.monitoring.groups import CHARACTERISTIC_LABELS
from recruitment.monitoring.presets import DEFAULT_PRESET, PRESETS

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

#: The characteristics the pack reports on, in its order (the detailed 19 ethnic groups are
#: left to the dashboard: at one organisation's size most of them would be withheld).
CHARACTERISTICS = [
    "ethnicity_group",
    "disability",
    "sex",
    "age_band",
    "religion",
    "sexual_orientation",
    "gender_identity",
]


def year_of(key: str) -> disclosure.Period:
    """A whole reporting year ("2025-26"); a 400 naming ``year`` for anything else."""
    try:
        period = disclosure.parse_period(key)
    except ValueError as exc:
        raise ValidationError({"year": [str(exc)]}) from None
    if period.quarter is not None:
        raise ValidationError({"year": ["A report covers a whole reporting year, like 2025-26."]})
    return period


def pack_figures(key: str) -> dict[str, Any]:
    """The figures of a year's pack, computed now from the released counts. 409
    ``not_releasable`` until the year's figures are published (decided)."""
    period = year_of(key)
    years.decide_year(period)  # a finished year is decided on its first read, as everywhere
    status = years.year_status(period)
    if not status.decided:
        raise DomainError("not_releasable", status.reason or "This year is not published yet.")
    selection = release.select(period=period.key)
    preset = PRESETS[DEFAULT_PRESET]
    sections = [characteristic_figures(c, preset, selection) for c in CHARACTERISTICS]
    return {
        "year": period.key,
        "label": period.label,
        "unit": selection.describe(),
        "organisation": settings.ORGANISATION_NAME,
        "benchmark": settings.MONITORING_BENCHMARK_NAME,
        "minimum": disclosure.minimum(),
        "threshold": settings.MONITORING_ADVERSE_IMPACT_THRESHOLD,
        "mid_p": settings.MONITORING_FISHER_MID_P,
        "sections": sections,
        "pay": [_pay_part(c, selection, period) for c in pay.PACK_CHARACTERISTICS],
        "computed_at": timezone.now().isoformat(),
    }


def _pay_part(c: str, selection: release.Selection, period: disclosure.Period) -> dict[str, Any]:
    """One characteristic's starting pay in the pack: the organisation's, and each grade
    band's (those withheld listed with the reason)."""
    bands = [
        {**figures, "id": f"pay-{c}-{index}"}
        for index, figures in enumerate(pay.grade_band_figures(period, c))
    ]
    return {
        "characteristic": c,
        "label": CHARACTERISTIC_LABELS[c],
        "organisation": {**pay.pay_figures(c, selection), "id": f"pay-{c}"},
        "bands": [b for b in bands if not b["withheld"]],
        "withheld_bands": [
            {"label": b["unit"]["label"].removeprefix("Grade band: "), "reason": b["withheld"]}
            for b in bands
            if b["withheld"]
        ],
    }


def trend(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each characteristic's headline figures this year beside the years published before
    (from their stored figures, as published)."""
    earlier = list(PublicationPack.objects.filter(year__lt=figures["year"]).order_by("year"))
    rows = []
    for index, section in enumerate(figures["sections"]):
        years_shown = []
        for pack in earlier:
            found = [
                s
                for s in pack.figures["sections"]
                if s["characteristic"] == section["characteristic"]
            ]
            if found:
                years_shown.append((pack.year, found[0]))
        years_shown.append((figures["year"], section))
        rows.append(
            {
                "label": section["label"],
                "index": index,
                "years": [
                    {
                        "year": year,
                        "applied": s["totals"]["applied"],
                        "declaration_rate": s["declaration_rates"]["applied"],
                        "relative_likelihood": s["likelihood"]["relative_likelihood"],
                        "low": s["likelihood"]["low"],
                        "high": s["likelihood"]["high"],
                    }
                    for year, s in years_shown
                ],
            }
        )
    return rows


def render_pack(figures: dict[str, Any], *, draft: bool, published: Any = None) -> str:
    """The report's HTML (its body: the pages wrap it in the site, the PDF in a document)."""
    sections = [
        {
            **section,
            "charts": {
                "conversion": charts.conversion_from_figures(section),
                "likelihood": charts.likelihood_from_figures(section),
                "representation": charts.representation_from_figures(section),
            },
        }
        for section in figures["sections"]
    ]
    return render_to_string(
        "monitoring/pack_body.html",
        {
            "pack": figures,
            "sections": sections,
            "trend": trend(figures),
            "draft": draft,
            "published": published,
        },
    )


def render_pdf(body: str, figures: dict[str, Any]) -> bytes:
    """The report as a PDF (WeasyPrint: the same HTML with print styles)."""
    document = render_to_string("monitoring/pack_document.html", {"body": body, "pack": figures})
    return bytes(weasyprint.HTML(string=document).write_pdf())


def pack_publish(*, key: str, by: User, confirm: bool = False) -> PublicationPack:
    """Publish a year's pack: compute and keep its figures, HTML and PDF, once. HR only;
    ``confirm`` required (400); 409 ``not_releasable`` before the year is published,
    ``already_published`` after."""
    if not rules.has_perm("recruitment.view_monitoring", by):
        raise ActionForbidden("Only HR publishes the equality report.")
    if not confirm:
        raise ValidationError({"confirm": ["Confirm that the report is ready to publish."]})
    period = year_of(key)
    if PublicationPack.objects.filter(year=period.key).exists():
        raise DomainError("already_published", f"The report for {period.label} is published.")
    figures = pack_figures(period.key)
    body = render_pack(figures, draft=False, published=timezone.localdate())
    pdf = render_pdf(body, figures)
    try:
        with transaction.atomic(), acting_as(by):
            # The year's row, locked, as a reviewer's comment locks it: a comment is taken
            # before the report is published or refused after, never in between.
            DecidedYear.objects.select_for_update().filter(year=period.key).first()
            pack = PublicationPack.objects.create(
                year=period.key, figures=figures, html=body, pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(), published_by=by,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError(
            "already_published", f"The report for {period.label} is published."
        ) from None
    logger.info("equality report %s published by user %s", period.key, by.pk)
    return pack
