"""Monitoring statistics API (hr): funnel, relative likelihood, representation; JSON or CSV
(``?format=csv``). Everything comes suppressed from recruitment/statistics.py."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import rules
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import CSVRenderer, IdQueryField
from config.errors import ActionForbidden
from recruitment import statistics
from recruitment.models import Stage
from recruitment.suppression import DEFAULT_PRESET, PRESETS


class MonitoringQuery(serializers.Serializer[dict[str, Any]]):
    characteristic = serializers.ChoiceField(choices=statistics.CHARACTERISTICS)
    preset = serializers.ChoiceField(choices=sorted(PRESETS), default=DEFAULT_PRESET)
    vacancy = IdQueryField(required=False)
    department = serializers.CharField(required=False, max_length=200)
    grade = serializers.CharField(required=False, max_length=50)
    closed_from = serializers.DateTimeField(required=False)
    closed_to = serializers.DateTimeField(required=False)

    def filters(self) -> statistics.Filters:
        data = self.validated_data
        return statistics.Filters(
            vacancy=data.get("vacancy"),
            department=data.get("department"),
            grade=data.get("grade"),
            closed_from=data.get("closed_from"),
            closed_to=data.get("closed_to"),
        )


class LikelihoodQuery(MonitoringQuery):
    reference = serializers.CharField(required=False, max_length=50)
    from_stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.SHORTLISTED)
    to_stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.APPOINTED)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        groups = statistics.GROUPS[attrs["characteristic"]]
        if attrs.get("reference") and attrs["reference"] not in groups:
            raise serializers.ValidationError(
                {"reference": [f"Not a group of {attrs['characteristic']}: one of {groups}."]}
            )
        stages = list(Stage.values)
        if stages.index(attrs["to_stage"]) <= stages.index(attrs["from_stage"]):
            raise serializers.ValidationError(
                {"to_stage": ["Must be a later stage than from_stage."]}
            )
        return attrs


class RepresentationQuery(MonitoringQuery):
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.APPOINTED)


# --- Output (for the schema: the views render the statistics' dataclasses) ------------------


def _counts(help_text: str) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text=help_text
    )


class FunnelRowOutput(serializers.Serializer[Any]):
    group = serializers.CharField()
    counts = _counts("Stage → count; null where suppressed.")


class FunnelOutput(serializers.Serializer[Any]):
    characteristic = serializers.CharField()
    preset = serializers.CharField()
    stages = serializers.ListField(child=serializers.CharField())
    rows = FunnelRowOutput(many=True)
    not_stated = _counts("Stage → count of those who did not answer; null where suppressed.")
    prefer_not_to_say = _counts("Stage → count; null where suppressed.")
    totals = _counts("Stage → everyone; null where suppressed.")
    declaration_rate = serializers.FloatField(allow_null=True)
    conversion = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
        help_text="Group → stage → the share of the previous stage who reached it; null "
        "where an input is suppressed.",
    )


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


class MonitoringView(APIView):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    query_class: type[MonitoringQuery] = MonitoringQuery

    def query(self, request: Request) -> MonitoringQuery:
        if not rules.has_perm("recruitment.view_monitoring", request.user):
            raise ActionForbidden("Only HR sees monitoring statistics.")
        params = request.query_params.copy()
        params.pop("format", None)
        query = self.query_class(data=params)
        query.is_valid(raise_exception=True)
        return query


FILTER_PARAMS = [
    OpenApiParameter("vacancy", int),
    OpenApiParameter("department", str),
    OpenApiParameter("grade", str),
    OpenApiParameter("closed_from", OpenApiTypes.DATETIME),
    OpenApiParameter("closed_to", OpenApiTypes.DATETIME),
    OpenApiParameter("format", str, enum=["json", "csv"]),
]


class FunnelView(MonitoringView):
    """Applied → shortlisted → interviewed → offered → appointed by group: counts of everyone
    who reached each stage. Suppressed counts are ``null`` (CSV: the preset's symbol)."""

    @extend_schema(parameters=[MonitoringQuery, *FILTER_PARAMS], responses={200: FunnelOutput})
    def get(self, request: Request) -> Response:
        query = self.query(request)
        data = statistics.funnel(
            query.validated_data["characteristic"],
            PRESETS[query.validated_data["preset"]],
            query.filters(),
        )
        self._funnel = data
        body = asdict(data)
        body.pop("symbol")
        return Response(body)

    def csv_rows(self, data: Any) -> Any:
        return statistics.funnel_csv_rows(self._funnel)


class RelativeLikelihoodView(MonitoringView):
    """Relative likelihood (WRES/WDES style), impact ratios against the highest-rate group,
    the four-fifths flag and Fisher exact tests. Figures from suppressed inputs are null."""

    query_class = LikelihoodQuery

    @extend_schema(
        parameters=[LikelihoodQuery, *FILTER_PARAMS], responses={200: RelativeLikelihoodOutput}
    )
    def get(self, request: Request) -> Response:
        query = self.query(request)
        data = query.validated_data
        result = statistics.relative_likelihood(
            data["characteristic"],
            PRESETS[data["preset"]],
            reference=data.get("reference"),
            from_stage=data["from_stage"],
            to_stage=data["to_stage"],
            filters=query.filters(),
        )
        self._symbol = PRESETS[data["preset"]].symbol
        return Response(asdict(result))

    def csv_rows(self, data: Any) -> Any:
        def cell(value: Any) -> Any:
            return self._symbol if value is None else value

        rows: list[list[Any]] = [["measure", "value"]]
        for key in (
            "reference",
            "comparison",
            "reference_rate",
            "comparison_rate",
            "relative_likelihood",
            "fisher_p",
        ):
            rows.append([key, cell(data[key])])
        rows.append(["group", "impact_ratio", "adverse_impact", "fisher_p_vs_highest"])
        for group, ratio in data["impact_ratios"].items():
            rows.append(
                [
                    group,
                    cell(ratio),
                    group in data["adverse_impact"],
                    cell(data["fisher_p_by_group"][group]),
                ]
            )
        return rows


class RepresentationView(MonitoringView):
    """Each group's share of those reaching a stage against the local population benchmark."""

    query_class = RepresentationQuery

    @extend_schema(
        parameters=[RepresentationQuery, *FILTER_PARAMS], responses={200: RepresentationOutput}
    )
    def get(self, request: Request) -> Response:
        query = self.query(request)
        data = query.validated_data
        self._symbol = PRESETS[data["preset"]].symbol
        return Response(
            statistics.representation(
                data["characteristic"],
                PRESETS[data["preset"]],
                stage=data["stage"],
                filters=query.filters(),
            )
        )

    def csv_rows(self, data: Any) -> Any:
        rows: list[list[Any]] = [["group", "count", "share", "benchmark_share"]]
        for row in data["rows"]:
            rows.append(
                [
                    row["group"],
                    self._symbol if row["count"] is None else row["count"],
                    self._symbol if row["share"] is None else row["share"],
                    "" if row["benchmark_share"] is None else row["benchmark_share"],
                ]
            )
        return rows
