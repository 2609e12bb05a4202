"""HR dashboard pages for the monitoring statistics: filters, the funnel as an SVG chart with
its data table and a text summary, relative likelihood and adverse impact explained, CSV."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import rules
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from config.api import acting_user
from recruitment import monitoring_reports, statistics, tasks
from recruitment.suppression import DEFAULT_PRESET, PRESETS

LONDON = ZoneInfo("Europe/London")
LABELS = {
    "ethnicity": "Ethnicity (19 categories)",
    "ethnicity_group": "Ethnic group (5 groups)",
    "sex": "Sex",
    "gender_identity": "Gender identity",
    "sexual_orientation": "Sexual orientation",
    "religion": "Religion or belief",
    "disability": "Disability",
    "age_band": "Age",
}
PRESET_LABELS = {
    "nhs": "NHS Digital: 1 to 7 hidden",
    "ons": "ONS 10-5: below 10 hidden",
    "ofqual": "Ofqual: 1 to 4 hidden",
}


class DashboardForm(forms.Form):
    characteristic = forms.ChoiceField(choices=list(LABELS.items()), initial="ethnicity_group")
    preset = forms.ChoiceField(
        choices=list(PRESET_LABELS.items()),
        initial=DEFAULT_PRESET,
        label="Small-number rule",
        required=False,
    )
    department = forms.CharField(required=False, max_length=200)
    grade = forms.CharField(required=False, max_length=50)
    closed_from = forms.DateField(
        required=False, label="Closed on or after", widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_to = forms.DateField(
        required=False, label="Closed on or before", widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        start = data.get("closed_from")
        end = data.get("closed_to")
        return {
            "department": data.get("department") or None,
            "grade": data.get("grade") or None,
            "closed_from": datetime.combine(start, time.min, LONDON) if start else None,
            "closed_to": datetime.combine(end, time.max, LONDON) if end else None,
        }


def _hr(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not rules.has_perm("recruitment.view_monitoring", user):
        raise PermissionDenied
    return user


def _chart(funnel: statistics.Funnel) -> dict[str, Any]:
    """Geometry for a server-side SVG: one row of bars per group, one bar per stage."""
    rows = [(r["group"], r["counts"]) for r in funnel.rows]
    rows += [("not stated", funnel.not_stated), ("prefer not to say", funnel.prefer_not_to_say)]
    largest = max([v for _, counts in rows for v in counts.values() if v] or [1])
    bar, gap, label_width, width = 14, 26, 170, 420
    groups = []
    y = 30
    for name, counts in rows:
        bars = []
        for i, stage in enumerate(funnel.stages):
            value = counts[stage]
            bars.append(
                {
                    "y": y + i * (bar + 2),
                    "width": 0 if not value else max(2, round(width * value / largest)),
                    "value": funnel.symbol if value is None else value,
                    "stage": stage,
                    "shade": i,
                }
            )
        groups.append({"name": name.replace("_", " "), "y": y, "bars": bars})
        y += len(funnel.stages) * (bar + 2) + gap
    return {
        "groups": groups,
        "height": y,
        "label_width": label_width,
        "width": label_width + width + 70,
        "bar": bar,
    }


def _summary(funnel: statistics.Funnel) -> str:
    totals = funnel.totals
    if totals["applied"] is None:
        return "There are too few applications to publish any figures for this selection."
    parts = [f"About {totals['applied']} people applied"]
    for stage in funnel.stages[1:]:
        value = totals[stage]
        parts.append(f"{'fewer than 8' if value is None else f'about {value}'} were {stage}")
    rate = funnel.declaration_rate
    declared = (
        "" if rate is None else f" {round(rate * 100)}% of applicants answered this question."
    )
    return "; ".join(parts) + "." + declared


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _hr(request)
    form = DashboardForm(
        request.GET or {"characteristic": "ethnicity_group", "preset": DEFAULT_PRESET}
    )
    context: dict[str, Any] = {"form": form, "labels": LABELS}
    if form.is_valid():
        filters = statistics.Filters(**form.filters())
        preset_name = form.cleaned_data["preset"] or DEFAULT_PRESET
        if statistics.population(filters) > settings.MONITORING_ASYNC_THRESHOLD:
            if request.GET.get("run") == "1":
                report_id = monitoring_reports.report_start(
                    owner_id=user.pk,
                    preset=preset_name,
                    filters={
                        k: v.isoformat() if isinstance(v, datetime) else v
                        for k, v in form.filters().items()
                        if v is not None
                    },
                )
                transaction.on_commit(lambda: tasks.run_monitoring_report.delay(report_id))
                return redirect("monitoring-report", report_id=report_id)
            context["large"] = True
        else:
            characteristic = form.cleaned_data["characteristic"]
            preset = PRESETS[preset_name]
            funnel = statistics.funnel(characteristic, preset, filters)
            query = {k: v for k, v in request.GET.items() if v and k != "run"}
            context.update(
                funnel=funnel,
                chart=_chart(funnel),
                summary=_summary(funnel),
                likelihood=statistics.relative_likelihood(characteristic, preset, filters=filters),
                csv_url="/api/v1/monitoring/funnel/?" + urlencode({**query, "format": "csv"}),
                rl_csv_url="/api/v1/monitoring/relative-likelihood/?"
                + urlencode({**query, "format": "csv"}),
                label=LABELS[characteristic],
                threshold=settings.MONITORING_ADVERSE_IMPACT_THRESHOLD,
            )
    return render(request, "monitoring/dashboard.html", context)


def _own_report(request: HttpRequest, report_id: str) -> dict[str, Any]:
    user = _hr(request)
    report = monitoring_reports.report_get(report_id)
    if report is None or report["owner"] != user.pk:
        raise Http404
    return report


@login_required
def report(request: HttpRequest, report_id: str) -> HttpResponse:
    report = _own_report(request, report_id)
    if request.GET.get("format") == "json":
        return JsonResponse({k: report[k] for k in ("status", "progress")})
    return render(request, "monitoring/report.html", {"report": report})


@login_required
def report_download(request: HttpRequest, report_id: str) -> HttpResponse:
    report = _own_report(request, report_id)
    if report["status"] != "done":
        raise Http404
    response = HttpResponse(monitoring_reports.report_csv(report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="monitoring-{report_id}.csv"'
    return response
