"""Adjustments API: the candidate requests, HR (the coordinator) decides."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import django_filters
import rules
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adjustments import services
from adjustments.models import (
    AdjustmentCategory,
    AdjustmentRequest,
    AdjustmentStage,
    AdjustmentState,
)
from adjustments.reporting import adjustments_report
from adjustments.services import EXTRA_MINUTES
from kernel.api import IdFilter, JSONInput, acting_user
from kernel.errors import ActionForbidden
from recruitment.models import Application
from recruitment.monitoring.api import UnitOutput, UnitQuery
from recruitment.monitoring.presets import DEFAULT_PRESET, PRESETS


class AdjustmentInput(JSONInput):
    stage = serializers.ChoiceField(choices=AdjustmentStage.choices)
    category = serializers.ChoiceField(choices=AdjustmentCategory.choices)
    details = serializers.CharField(max_length=5000)


class AdjustmentActionInput(JSONInput):
    arrangement = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    extra_minutes = serializers.IntegerField(
        min_value=EXTRA_MINUTES[0], max_value=EXTRA_MINUTES[1], required=False, allow_null=True,
        default=None, help_text="Agreed extra time only: the minutes it adds to an interview "
        "(empty: a quarter of the slot's length, or the configured share).",
    )  # fmt: skip


class AdjustmentOutput(serializers.ModelSerializer[AdjustmentRequest]):
    reason = serializers.CharField(source="decline_reason")
    application_reference = serializers.CharField(source="application.reference")
    vacancy = serializers.IntegerField(source="application.vacancy_id")
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = AdjustmentRequest
        fields = [
            "id",
            "application",
            "application_reference",
            "vacancy",
            "stage",
            "category",
            "details",
            "state",
            "arrangement",
            "reason",
            "provider",
            "extra_minutes",
            "requested_at",
            "decided_at",
            "available_actions",
        ]

    def get_available_actions(self, adjustment: AdjustmentRequest) -> list[str]:
        return services.available_actions(adjustment, self.context["request"].user)


class ArrangementOutput(serializers.ModelSerializer[AdjustmentRequest]):
    """What a panel sees: the agreed arrangement, never the candidate's details."""

    class Meta:
        model = AdjustmentRequest
        fields = ["stage", "category", "arrangement", "state"]


class AdjustmentFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=AdjustmentState.choices)
    vacancy = IdFilter(field_name="application__vacancy_id")

    class Meta:
        model = AdjustmentRequest
        fields = ["state", "vacancy"]


ACTION_SERVICES = {
    "review": lambda pk, by, d: services.adjustment_review(adjustment_id=pk, by=by),
    "agree": lambda pk, by, d: services.adjustment_agree(
        adjustment_id=pk, by=by, arrangement=d["arrangement"], extra_minutes=d["extra_minutes"]
    ),
    "partially_agree": lambda pk, by, d: services.adjustment_partially_agree(
        adjustment_id=pk,
        by=by,
        arrangement=d["arrangement"],
        reason=d["reason"],
        extra_minutes=d["extra_minutes"],
    ),
    "decline": lambda pk, by, d: services.adjustment_decline(
        adjustment_id=pk, by=by, reason=d["reason"]
    ),
    "put_in_place": lambda pk, by, d: services.adjustment_put_in_place(adjustment_id=pk, by=by),
    "withdraw": lambda pk, by, d: services.adjustment_withdraw(
        adjustment_id=pk, by=by, reason=d["reason"]
    ),
}


class AdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """HR sees every request; a candidate their own; nobody else any (404)."""

    serializer_class = AdjustmentOutput
    filterset_class = AdjustmentFilter

    def get_queryset(self) -> QuerySet[AdjustmentRequest]:
        return (
            AdjustmentRequest.objects.visible_to(self.request.user)
            .select_related("application")
            .order_by("requested_at", "id")
        )

    @extend_schema(
        operation_id="adjustments_action",
        request=AdjustmentActionInput,
        responses={200: AdjustmentOutput},
        parameters=[OpenApiParameter("action_name", enum=list(services.ACTIONS), location="path")],
        description="HR: review, agree / partially_agree (arrangement required), decline "
        "(reason required), put_in_place. The candidate: withdraw.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    def take_action(
        self, request: Request, pk: str | None = None, action_name: str = ""
    ) -> Response:
        if action_name not in ACTION_SERVICES:
            raise NotFound()
        adjustment = self.get_object()
        data = AdjustmentActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        ACTION_SERVICES[action_name](adjustment.pk, acting_user(request), data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=adjustment.pk)).data)


class ApplicationAdjustmentsViewSet(viewsets.GenericViewSet):
    """POST /applications/{id}/adjustments/: the adjustments app owns its endpoint, beside the
    application (config/urls.py routes it under /applications/)."""

    queryset = Application.objects.all()
    serializer_class = AdjustmentOutput

    def get_queryset(self) -> QuerySet[Application]:
        return Application.objects.visible_to(self.request.user)

    @extend_schema(
        request=AdjustmentInput, responses={201: AdjustmentOutput, 200: AdjustmentOutput}
    )
    @action(detail=True, methods=["post"], url_path="adjustments")
    def adjustments(self, request: Request, pk: str | None = None) -> Response:
        """The candidate asks for a reasonable adjustment for a stage of this application
        (201). The same open request again answers 200 with the request already made."""
        data = AdjustmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        adjustment, created = services.adjustment_request(
            application=self.get_object(), by=acting_user(request), **data.validated_data
        )
        return Response(
            AdjustmentOutput(adjustment, context={"request": request}).data,
            # The same open request again is the one already made (200), not a second.
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReportQuery(UnitQuery):
    """The same releasable units and periods as the monitoring statistics."""

    preset = serializers.ChoiceField(choices=sorted(PRESETS), default=DEFAULT_PRESET)


class AdjustmentsReportRowOutput(serializers.Serializer[Any]):
    category = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="Outcome → count; null where withheld or below 10.",
    )
    total = serializers.IntegerField(allow_null=True)


class AdjustmentsReportOutput(serializers.Serializer[Any]):
    preset = serializers.CharField()
    outcomes = serializers.ListField(child=serializers.CharField())
    rows = AdjustmentsReportRowOutput(many=True)
    totals = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    total = serializers.IntegerField(allow_null=True)
    decided = serializers.IntegerField(allow_null=True)
    median_days_to_decision = serializers.CharField(
        allow_null=True, help_text="The band holding the middle decision, from released counts."
    )
    days_to_decision = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text="Band → decisions."
    )
    in_place_before_stage = serializers.IntegerField(allow_null=True)
    not_in_place_before_stage = serializers.IntegerField(allow_null=True)
    unit = UnitOutput()
    withheld = serializers.CharField(allow_null=True)


class AdjustmentsReportView(APIView):
    """Anonymised counts of adjustment requests (hr): by category and outcome, median days
    to a decision, and how many were in place before their stage, for one releasable unit and
    period, through the same release path as the monitoring statistics (``null`` where
    withheld or below 10)."""

    @extend_schema(parameters=[ReportQuery], responses={200: AdjustmentsReportOutput})
    def get(self, request: Request) -> Response:
        if not rules.has_perm("adjustments.view_report", request.user):
            raise ActionForbidden("Only HR sees the adjustments report.")
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = adjustments_report(
            preset=PRESETS[query.validated_data["preset"]],
            selection=query.validated_data["selection"],
        )
        return Response(asdict(report))
