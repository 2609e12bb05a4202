"""The yearly equality publication's pages (HR): the years to publish and the reports
published; a year's report as a draft to check, then published with a confirmation; its
PDF. A published report is served from its stored copy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kernel.errors import DomainError
from kernel.forms import GovForm
from recruitment.models import PublicationPack
from recruitment.monitoring import publication, years
from recruitment.monitoring.views import hr_only


class PublishForm(GovForm):
    confirm = forms.BooleanField(
        label="I have checked this report and it is ready to publish",
        error_messages={"required": "Confirm that the report is ready to publish"},
    )


@login_required
def publication_list(request: HttpRequest) -> HttpResponse:
    hr_only(request)
    published = list(PublicationPack.objects.select_related("published_by").defer("pdf", "html"))
    done = {p.year for p in published}
    # Every reporting year with campaigns, the finished ones decided on this first read.
    to_publish = [
        s.year.key for s in years.reporting_years() if s.decided and s.year.key not in done
    ]
    return render(
        request,
        "monitoring/publication_list.html",
        {"published": published, "to_publish": to_publish},
    )


def _year(year: str) -> Any:
    try:
        return publication.year_of(year)
    except ValidationError:
        raise Http404 from None


@login_required
def publication_year(request: HttpRequest, year: str) -> HttpResponse:
    """A published report as it was published; otherwise the draft, and publishing it."""
    user = hr_only(request)
    period = _year(year)
    pack = PublicationPack.objects.filter(year=period.key).first()
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if pack is not None:
            messages.error(request, f"The report for {period.label} is already published.")
            return redirect("publication-year", year=period.key)
        if form.is_valid():
            try:
                publication.pack_publish(key=period.key, by=user, confirm=True)
            except DomainError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, f"The report for {period.label} is published.")
            return redirect("publication-year", year=period.key)
    if pack is not None:
        body, draft = pack.html, False
    else:
        try:
            body = publication.render_pack(publication.pack_figures(period.key), draft=True)
        except DomainError as exc:
            return render(
                request,
                "monitoring/publication_year.html",
                {"period": period, "not_ready": exc.detail},
            )
        draft = True
    return render(
        request,
        "monitoring/publication_year.html",
        {"period": period, "pack": pack, "body": body, "draft": draft, "form": form},
    )


@login_required
def publication_pdf(request: HttpRequest, year: str) -> HttpResponse:
    """The PDF: as published, or the draft's, made now."""
    hr_only(request)
    period = _year(year)
    pack = PublicationPack.objects.filter(year=period.key).first()
    if pack is not None:
        pdf, name = bytes(pack.pdf), f"equality-in-recruitment-{period.key}.pdf"
    else:
        try:
            figures = publication.pack_figures(period.key)
        except DomainError:
            raise Http404 from None
        pdf = publication.render_pdf(publication.render_pack(figures, draft=True), figures)
        name = f"equality-in-recruitment-{period.key}-draft.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
