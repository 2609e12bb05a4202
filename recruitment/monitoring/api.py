"""Monitoring statistics API: funnel, relative likelihood, representation (HR and live staff
network reviewers, each reviewer's read recorded: ``access.py``), the units a period releases
and the exact statutory return (HR); JSON or CSV (``?format=csv``). Every figure comes from
recruitment/monitoring/statistics.py through the release path (docs/disclosure-control.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import rules
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import StatisticsView
from kernel.api import CSVRenderer, IdQueryField
from kernel.errors import ActionForbidden, DomainError
from recruitment.models import Stage, StatutoryReturnDownload
from recruitment.monitoring import disclosure, groups, release, statistics, years
from recruitment.monitoring.access import released_statistics_reader, selection_params
from recruitment.monitoring.presets import DEFAULT_PRESET, PRESETS

WINDOWS_GONE = (
    "Statistics are released for whole reporting periods only, so that two overlapping "
    "windows cannot be subtracted: use period=2025-26 (a reporting year) or period=2025-26-Q1."
)


class UnitQuery(serializers.Serializer[dict[str, Any]]):
    """Which releasable unit and period: the organisation by default, or one department,
    grade band or (large) campaign; a reporting year or quarter."""

    period = serializers.CharField(
        required=False,
        max_length=10,
        help_text="A reporting year (2025-26) or quarter (2025-26-Q1); default: the newest "
        "published year.",
    )
    vacancy = IdQueryField(required=False, help_text="A campaign (published when large).")
    department = serializers.CharField(required=False, max_length=200)
    grade = serializers.CharField(required=False, max_length=50)
    closed_from = serializers.CharField(required=False, max_length=40, help_text=WINDOWS_GONE)
    closed_to = serializers.CharField(required=False, max_length=40, help_text=WINDOWS_GONE)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        gone = {name: [WINDOWS_GONE] for name in ("closed_from", "closed_to") if attrs.get(name)}
        if gone:
            raise serializers.ValidationError(gone)
        try:
            attrs["selection"] = release.select(
                period=attrs.get("period"),
                vacancy=attrs.get("vacancy"),
                department=attrs.get("department"),
                grade=attrs.get("grade"),
            )
        except release.SelectionError as exc:
            raise serializers.ValidationError(exc.errors) from None
        return attrs


class MonitoringQuery(UnitQuery):
    characteristic = serializers.ChoiceField(choices=groups.CHARACTERISTICS)
    preset = serializers.ChoiceField(
        choices=sorted(PRESETS),
        default=DEFAULT_PRESET,
        help_text="Only how a withheld figure is shown in CSV; the protection is the same.",
    )


class LikelihoodQuery(MonitoringQuery):
    reference = serializers.CharField(required=False, max_length=50)
    from_stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.SHORTLISTED)
    to_stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.APPOINTED)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        allowed = groups.GROUPS[attrs["characteristic"]]
        if attrs.get("reference") and attrs["reference"] not in allowed:
            raise serializers.ValidationError(
                {"reference": [f"Not a group of {attrs['characteristic']}: one of {allowed}."]}
            )
        stages = list(Stage.values)
        if stages.index(attrs["to_stage"]) <= stages.index(attrs["from_stage"]):
            raise serializers.ValidationError(
                {"to_stage": ["Must be a later stage than from_stage."]}
            )
        return super().validate(attrs)


class RepresentationQuery(MonitoringQuery):
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.APPLIED)


class PeriodQuery(serializers.Serializer[dict[str, Any]]):
    period = serializers.CharField(required=False, max_length=10)

    def validate_period(self, value: str) -> disclosure.Period:
        try:
            return disclosure.parse_period(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class YearQuery(serializers.Serializer[dict[str, Any]]):
    year = serializers.CharField(max_length=10, help_text="A reporting year, e.g. 2025-26.")

    def validate_year(self, value: str) -> disclosure.Period:
        try:
            year = disclosure.parse_period(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        if year.quarter is not None:
            raise serializers.ValidationError("The statutory return covers a whole year.")
        return year


# --- Output (for the schema: the views render the statistics' dataclasses) ------------------


def _counts(help_text: str) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text=help_text
    )


class UnitOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=disclosure.UNIT_KINDS)
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    period = serializers.CharField()
    period_label = serializers.CharField()


def _withheld() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="Stage → why its figures are withheld (plain English), or null if released.",
    )


class FunnelRowOutput(serializers.Serializer[Any]):
    group = serializers.CharField()
    label = serializers.CharField(help_text="The group as a person reads it.")  # type: ignore[assignment]
    counts = _counts("Stage → published count; null where withheld or below 10.")


class FunnelOutput(serializers.Serializer[Any]):
    characteristic = serializers.CharField()
    preset = serializers.CharField()
    stages = serializers.ListField(child=serializers.CharField())
    rows = FunnelRowOutput(many=True)
    not_stated = _counts("Stage → count of those who did not answer; null where withheld.")
    prefer_not_to_say = _counts("Stage → count; null where withheld.")
    stated = _counts("Stage → count of those who gave a group; null where withheld.")
    totals = _counts("Stage → everyone; null where withheld.")
    declaration_rate = serializers.FloatField(allow_null=True)
    conversion = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
        help_text="Group → stage → the share of the previous stage who reached it, from the "
        "published counts; null where an input is withheld.",
    )
    unit = UnitOutput()
    withheld = _withheld()


class RelativeLikelihoodOutput(serializers.Serializer[Any]):
    characteristic = serializers.CharField()
    preset = serializers.CharField()
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    reference = serializers.CharField()
    comparison = serializers.CharField()
    direction = serializers.CharField()
    reference_rate = serializers.FloatField(allow_null=True)
    comparison_rate = serializers.FloatField(allow_null=True)
    relative_likelihood = serializers.FloatField(allow_null=True)
    fisher_p = serializers.FloatField(allow_null=True)
    impact_ratios = serializers.DictField(child=serializers.FloatField(allow_null=True))
    adverse_impact = serializers.ListField(child=serializers.CharField())
    fisher_p_by_group = serializers.DictField(child=serializers.FloatField(allow_null=True))
    highest_rate_group = serializers.CharField(allow_null=True)
    unit = UnitOutput()
    withheld = _withheld()


class RepresentationRowOutput(serializers.Serializer[Any]):
    group = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    benchmark_share = serializers.FloatField(allow_null=True)


class RepresentationOutput(serializers.Serializer[Any]):
    characteristic = serializers.CharField()
    preset = serializers.CharField()
    stage = serializers.CharField()
    benchmark = serializers.CharField()
    stated = serializers.IntegerField(allow_null=True)
    rows = RepresentationRowOutput(many=True)
    unit = UnitOutput()
    withheld = serializers.CharField(allow_null=True)


class StageDecisionOutput(serializers.Serializer[Any]):
    released = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class PlanUnitOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=disclosure.UNIT_KINDS)
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    period = serializers.CharField()
    stages = serializers.DictField(child=StageDecisionOutput())


class YearOutput(serializers.Serializer[Any]):
    year = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    published = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class UnitsOutput(serializers.Serializer[Any]):
    period = serializers.CharField()
    period_label = serializers.CharField()
    published = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    years = YearOutput(many=True)
    units = PlanUnitOutput(many=True)


class StatutoryReturnOutput(serializers.Serializer[Any]):
    year = serializers.CharField()
    year_label = serializers.CharField()
    applications = serializers.IntegerField()
    stages = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField(
        child=serializers.DictField(
            child=serializers.DictField(child=serializers.IntegerField(allow_null=True))
        ),
        help_text="Characteristic → group → stage → exact count; null for a stage that too "
        "few people reached.",
    )
    withheld = _withheld()


# --- Views ------------------------------------------------------------------------------------


class MonitoringView(APIView):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    query_class: type[serializers.Serializer[dict[str, Any]]] = MonitoringQuery

    #: The CSV's file name starts with this (the view's report).
    csv_name = "monitoring"
    #: Released statistics a live network reviewer may read too (their read recorded as
    #: this); None: HR only.
    released_as: str | None = None

    def query(self, request: Request) -> dict[str, Any]:
        reader = None
        if self.released_as is not None:
            reader = released_statistics_reader(request, api=True)
        elif not rules.has_perm("recruitment.view_monitoring", request.user):
            raise ActionForbidden("Only HR sees these monitoring statistics.")
        params = request.query_params.copy()
        params.pop("format", None)
        query = self.query_class(data=params)
        query.is_valid(raise_exception=True)
        self._symbol = PRESETS[query.validated_data.get("preset", DEFAULT_PRESET)].symbol
        data = dict(query.validated_data)
        selection = data.get("selection")
        if reader is not None and self.released_as is not None:
            asked = {k: v for k, v in data.items() if k not in ("selection", "period")}
            for name in ("vacancy", "department", "grade"):
                asked.pop(name, None)
            asked["format"] = getattr(request.accepted_renderer, "format", "json")
            if selection is not None:
                reader.record(self.released_as, selection_params(selection, **asked))
            else:  # the units: a period only
                period = data.get("period")
                reader.record(self.released_as, {"period": getattr(period, "key", ""), **asked})
        if selection is not None:
            parts = [self.csv_name, data.get("characteristic", ""), selection.unit.kind]
            parts += [selection.unit.key, selection.unit.period or selection.period.key]
            self._filename = "-".join(slugify(p) for p in parts if p) + ".csv"
        return data

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        csv = getattr(request, "accepted_renderer", None) is not None and (
            request.accepted_renderer.format == "csv"
        )
        if response.status_code == 200 and csv and getattr(self, "_filename", None):
            response["Content-Disposition"] = f'attachment; filename="{self._filename}"'
        return response


FORMAT = [OpenApiParameter("format", str, enum=["json", "csv"])]


class FunnelView(MonitoringView):
    csv_name = "funnel"
    released_as = StatisticsView.What.FUNNEL

    """Applied → shortlisted → interviewed → offered → appointed by group, for one releasable
    unit and period: counts of everyone who reached each stage, perturbed; ``null`` where
    withheld or below 10 (CSV: the preset's symbol), with the reason per stage."""

    @extend_schema(parameters=[MonitoringQuery, *FORMAT], responses={200: FunnelOutput})
    def get(self, request: Request) -> Response:
        data = self.query(request)
        self._funnel = statistics.funnel(
            data["characteristic"], PRESETS[data["preset"]], data["selection"]
        )
        body = asdict(self._funnel)
        body.pop("symbol")
        return Response(body)

    def csv_rows(self, data: Any) -> Any:
        return statistics.funnel_csv_rows(self._funnel)


class RelativeLikelihoodView(MonitoringView):
    """Relative likelihood (WRES/WDES style), impact ratios against the highest-rate group,
    the four-fifths flag and Fisher exact tests, all from published counts; ``null`` where an
    input is withheld."""

    query_class = LikelihoodQuery
    csv_name = "relative-likelihood"
    released_as = StatisticsView.What.RELATIVE_LIKELIHOOD

    @extend_schema(parameters=[LikelihoodQuery, *FORMAT], responses={200: RelativeLikelihoodOutput})
    def get(self, request: Request) -> Response:
        data = self.query(request)
        self._result = statistics.relative_likelihood(
            data["characteristic"],
            PRESETS[data["preset"]],
            data["selection"],
            reference=data.get("reference"),
            from_stage=data["from_stage"],
            to_stage=data["to_stage"],
        )
        body = asdict(self._result)
        body.pop("counts")  # the publication pack's, for its interval and tests
        return Response(body)

    def csv_rows(self, data: Any) -> Any:
        return statistics.likelihood_csv_rows(self._result, self._symbol)


class RepresentationView(MonitoringView):
    """Each group's share of those reaching a stage (default: applied) against the local
    population benchmark, from published counts."""

    query_class = RepresentationQuery
    csv_name = "representation"
    released_as = StatisticsView.What.REPRESENTATION

    @extend_schema(parameters=[RepresentationQuery, *FORMAT], responses={200: RepresentationOutput})
    def get(self, request: Request) -> Response:
        data = self.query(request)
        return Response(
            statistics.representation(
                data["characteristic"],
                PRESETS[data["preset"]],
                data["selection"],
                stage=data["stage"],
            )
        )

    def csv_rows(self, data: Any) -> Any:
        return statistics.representation_csv_rows(data, self._symbol)


class UnitsView(MonitoringView):
    """The reporting years, and the units of a period with each stage's release decision and
    the reason where withheld (no figures)."""

    query_class = PeriodQuery
    renderer_classes = [renderers.JSONRenderer]
    #: No figures: what the dashboard's units table shows a reviewer too.
    released_as = StatisticsView.What.UNITS

    @extend_schema(parameters=[PeriodQuery], responses={200: UnitsOutput})
    def get(self, request: Request) -> Response:
        data = self.query(request)
        return Response(units_answer(data.get("period")))


def units_answer(period: disclosure.Period | None) -> dict[str, Any]:
    known = years.reporting_years()
    period = period or years.default_period()
    status = years.year_status(period.year_period)
    return {
        "period": period.key,
        "period_label": period.label,
        "published": status.decided,
        "reason": status.reason or None,
        "years": [
            {
                "year": y.year.key,
                "label": y.year.label,
                "published": y.decided,
                "reason": y.reason or None,
            }
            for y in known
        ],
        "units": release.plan(period) if status.decided else [],
    }


class StatutoryReturnView(MonitoringView):
    """The one exact output (hr): the whole organisation over one whole, finished reporting
    year, for the WRES/WDES data collections and the Public Sector Equality Duty. No other
    filter. 409 ``not_releasable`` for a year not finished or below the statutory minimum.
    Every download is recorded (who, when, which year)."""

    query_class = YearQuery
    may_conflict = True

    @extend_schema(parameters=[YearQuery, *FORMAT], responses={200: StatutoryReturnOutput})
    def get(self, request: Request) -> Response:
        data = self.query(request)
        try:
            result = statistics.statutory_return(data["year"])
        except statistics.NotReleasable as exc:
            raise DomainError("not_releasable", str(exc)) from None
        StatutoryReturnDownload.objects.create(
            user=request.user,  # type: ignore[misc]
            year=data["year"].key,
            format=getattr(request.accepted_renderer, "format", "json"),
        )
        self._result = result
        return Response(result)

    def csv_rows(self, data: Any) -> Any:
        return statistics.statutory_csv_rows(self._result)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            response.status_code == 200
            and getattr(request.accepted_renderer, "format", "") == "csv"
        ):
            year = getattr(self, "_result", {}).get("year", "year")
            response["Content-Disposition"] = f'attachment; filename="statutory-return-{year}.csv"'
        return response
