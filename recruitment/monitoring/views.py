"""The dashboard of the monitoring statistics: a releasable unit and period, the funnel as
an SVG chart with its data table and a text summary, relative likelihood and adverse impact,
representation against the benchmark, the units a period releases (and why others are not),
CSV downloads, and (HR only) the exact statutory return. Every figure comes through the
release path. HR and live staff network reviewers read it (``access.py``); a reviewer's
every read is recorded, and the statutory return, its downloads and the background reports
are HR's."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import rules
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.models import StatisticsView
from kernel.api import MAX_ID, acting_user
from recruitment import tasks
from recruitment.models import StatutoryReturnDownload
from recruitment.monitoring import (
    charts,
    disclosure,
    groups,
    inference,
    pay,
    release,
    statistics,
    years,
)
from recruitment.monitoring import reports as monitoring_reports
from recruitment.monitoring.access import released_statistics_reader, selection_params
from recruitment.monitoring.groups import STAGE_LABELS
from recruitment.monitoring.presets import DEFAULT_PRESET, PRESETS

LABELS = groups.CHARACTERISTIC_LABELS
PRESET_LABELS = {name: preset.label for name, preset in PRESETS.items()}


def period_choices() -> list[tuple[str, str]]:
    choices = []
    for status in years.reporting_years():
        year = status.year
        note = "" if status.decided else " (not published yet)"
        choices.append((year.key, f"{year.label}{note}"))
        if status.decided:
            choices += [(q.key, f"– {q.label}") for q in year.quarters]
    return choices


def unit_choices(period: disclosure.Period) -> list[tuple[str, str]]:
    """The units of a period as the stored plan has them (the organisation always first)."""
    choices = [("organisation", disclosure.KIND_LABELS["organisation"])]
    for unit in release.plan(period):
        if unit["kind"] == "organisation":
            continue
        released = sum(1 for s in unit["stages"].values() if s["released"])
        note = "" if released else " (nothing published)"
        choices.append((f"{unit['kind']}:{unit['key']}", f"{unit['label']}{note}"))
    return choices


class UnitChoiceField(forms.ChoiceField):
    """The units offered are the chosen period's, but a unit of another period (the period
    changed in the same submission) is not an error: the selection then says plainly that
    nothing of it closed in this period."""

    def valid_value(self, value: Any) -> bool:
        kind, _, key = str(value).partition(":")
        if kind == disclosure.ORGANISATION and not key:
            return True
        if kind == disclosure.CAMPAIGN:
            return key.isascii() and key.isdigit() and 0 < int(key) <= MAX_ID
        return kind in (disclosure.DEPARTMENT, disclosure.GRADE) and 0 < len(key) <= 200


class UnitForm(forms.Form):
    """A releasable unit and period, offered from the stored release plan: the dashboard's and
    the adjustments report's."""

    period = forms.ChoiceField(label="Reporting period", required=False)
    unit = UnitChoiceField(label="Part of the organisation", required=False)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        self.default_period = years.default_period()
        if data is not None and not data.get("period"):
            # The box shows the period the figures below are for: the newest published year.
            data = (
                {**data.dict(), "period": self.default_period.key}
                if hasattr(data, "dict")
                else {**data, "period": self.default_period.key}
            )
        super().__init__(data, *args, **kwargs)
        periods = period_choices() or [(self.default_period.key, self.default_period.label)]
        self.fields["period"].choices = periods  # type: ignore[attr-defined]
        chosen = self.data.get("period") or self.default_period.key
        try:
            period = disclosure.parse_period(chosen)
        except ValueError:
            period = self.default_period
        self.fields["unit"].choices = unit_choices(period)  # type: ignore[attr-defined]

    def selection_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params: dict[str, Any] = {"period": data.get("period") or self.default_period.key}
        kind, _, key = (data.get("unit") or "organisation").partition(":")
        if kind == "campaign":
            params = {"vacancy": int(key)}
        elif kind in ("department", "grade"):
            params[kind] = key
        return params

    def selection(self) -> release.Selection:
        return release.select(**self.selection_params())


class DashboardForm(UnitForm):
    characteristic = forms.ChoiceField(choices=list(LABELS.items()), initial="ethnicity_group")
    preset = forms.ChoiceField(
        choices=list(PRESET_LABELS.items()),
        initial=DEFAULT_PRESET,
        label="How withheld figures are shown in CSV",
        required=False,
    )
    field_order = ["characteristic", "period", "unit", "preset"]


def hr_only(request: HttpRequest) -> Any:
    """The signed-in HR user, or 403: the monitoring pages and the yearly report's."""
    user = acting_user(request)
    if not rules.has_perm("recruitment.view_monitoring", user):
        raise PermissionDenied
    return user


def _charts(
    label: str,
    funnel: statistics.Funnel,
    likelihood: statistics.Likelihood,
    representation_rows: list[dict[str, Any]],
    benchmark: str,
    reference_label: str,
) -> dict[str, Any]:
    """The dashboard's charts of rates (recruitment/monitoring/charts.py), each drawn from
    the released figures its table shows."""
    counts = likelihood.counts
    interval = (
        inference.likelihood_interval(*counts["reference"], *counts["comparison"])
        if likelihood.relative_likelihood is not None
        else None
    )
    direction = inference.direction(
        likelihood.relative_likelihood, interval, f"applicants in the “{reference_label}” group",
        likelihood.comparison if likelihood.comparison.startswith("all ")
        else f"those in the “{likelihood.comparison[:1].upper()}{likelihood.comparison[1:]}” group",
        likelihood.from_stage, likelihood.to_stage,
    )  # fmt: skip
    return {
        "conversion": charts.conversion_chart(label, funnel, STAGE_LABELS),
        "representation": charts.representation_chart(label, benchmark, representation_rows),
        "likelihood": charts.likelihood_chart(
            f"{label}: relative likelihood of appointment from shortlisting, with its 95% "
            "confidence interval",
            direction,
            likelihood.relative_likelihood,
            interval,
        ),
        "interval": interval,
        "direction": direction,
    }


def _p_value(p: float | None) -> str | None:
    """A Fisher p as people read it: below 0.001 is not zero."""
    if p is None:
        return None
    return "below 0.001" if p < 0.001 else f"{p:.3f}"


def _summary(funnel: statistics.Funnel) -> str:
    totals = funnel.totals
    if totals["applied"] is None:
        return "No figures are published for this part of the organisation in this period."
    parts = [f"About {totals['applied']:,} people applied"]
    for stage in funnel.stages[1:]:
        value = totals[stage]
        parts.append(
            f"{'a number not shown' if value is None else f'about {value:,}'} were {stage}"
        )
    rate = funnel.declaration_rate
    declared = (
        "" if rate is None else f" About {round(rate * 100)}% of applicants answered this question."
    )
    return "; ".join(parts) + "." + declared


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    reader = released_statistics_reader(request)
    form = DashboardForm(request.GET or {"characteristic": "ethnicity_group"})
    context: dict[str, Any] = {
        "form": form,
        "labels": LABELS,
        "minimum": settings.MONITORING_MIN_POPULATION,
        "campaign_minimum": settings.MONITORING_CAMPAIGN_MIN_APPLICATIONS,
        # The exact statutory return, who downloaded it, the adjustments report and
        # publishing the yearly report are HR's: a network reviewer's page leaves them out.
        "hr": reader.is_hr,
        "downloads": (
            StatutoryReturnDownload.objects.select_related("user")[:10] if reader.is_hr else []
        ),
    }
    if form.is_valid():
        try:
            selection = form.selection()
        except release.SelectionError as exc:
            for name, messages in exc.errors.items():
                form.add_error(None, f"{name}: {' '.join(messages)}")
            return render(request, "monitoring/dashboard.html", context)
        params = form.selection_params()
        preset_name = form.cleaned_data["preset"] or DEFAULT_PRESET
        characteristic = form.cleaned_data["characteristic"]
        reader.record(
            StatisticsView.What.DASHBOARD,
            selection_params(selection, characteristic=characteristic),
        )
        status = years.year_status(selection.period.year_period)
        context.update(
            selection=selection,
            year_status=status,
            units=release.plan(selection.period) if status.decided else [],
            statutory_year=selection.period.year_period.key if reader.is_hr else None,
            hidden={**form.cleaned_data, "preset": preset_name},
        )
        if statistics.population(selection) > settings.MONITORING_ASYNC_THRESHOLD:
            # A background report is HR's: a reviewer is told to ask HR for this unit.
            if request.GET.get("run") == "1" and reader.is_hr:
                report_id = monitoring_reports.report_start(
                    owner_id=reader.user.pk, preset=preset_name, selection=params
                )
                transaction.on_commit(lambda: tasks.run_monitoring_report.delay(report_id))
                return redirect("monitoring-report", report_id=report_id)
            context["large"] = True
        else:
            preset = PRESETS[preset_name]
            funnel = statistics.funnel(characteristic, preset, selection)
            likelihood = statistics.relative_likelihood(characteristic, preset, selection)
            representation = statistics.representation(characteristic, preset, selection)
            representation_rows = [
                {**row, "label": groups.group_label(characteristic, row["group"])}
                for row in representation["rows"]
            ]
            query = urlencode({"characteristic": characteristic, "preset": preset_name, **params})
            context.update(
                funnel=funnel,
                summary=_summary(funnel),
                likelihood=likelihood,
                reference_label=groups.group_label(characteristic, likelihood.reference),
                impact_rows=[
                    {
                        "label": groups.group_label(characteristic, g),
                        "ratio": ratio,
                        "fisher_p": _p_value(likelihood.fisher_p_by_group[g]),
                        "adverse": g in likelihood.adverse_impact,
                    }
                    for g, ratio in likelihood.impact_ratios.items()
                ],
                highest_label=(
                    groups.group_label(characteristic, likelihood.highest_rate_group)
                    if likelihood.highest_rate_group
                    else None
                ),
                fisher_p=_p_value(likelihood.fisher_p),
                representation=representation,
                representation_rows=representation_rows,
                charts=_charts(
                    LABELS[characteristic],
                    funnel,
                    likelihood,
                    representation_rows,
                    representation["benchmark"],
                    groups.group_label(characteristic, likelihood.reference),
                ),
                csv_url=f"/api/v1/monitoring/funnel/?{query}&format=csv",
                rl_csv_url=f"/api/v1/monitoring/relative-likelihood/?{query}&format=csv",
                pay=pay.pay_figures(characteristic, selection),
                pay_csv_url=f"/api/v1/monitoring/starting-pay/?{query}&format=csv",
                label=LABELS[characteristic],
                threshold=settings.MONITORING_ADVERSE_IMPACT_THRESHOLD,
                mid_p=settings.MONITORING_FISHER_MID_P,
            )
    return render(request, "monitoring/dashboard.html", context)


def _own_report(request: HttpRequest, report_id: str) -> dict[str, Any]:
    user = hr_only(request)
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
