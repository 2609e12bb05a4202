"""Vacancies API: validate, call a service, render. No rule lives here."""

from __future__ import annotations

from typing import Any

import django_filters
import rules
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from kernel.api import IdField, JSONInput, acting_user
from kernel.errors import ActionForbidden
from vacancies import services
from vacancies.models import (
    MAX_TIE_BAND,
    Criterion,
    CriterionKind,
    GuaranteeScheme,
    MinimumCriteriaRule,
    PositiveActionCharacteristic,
    PositiveActionPlan,
    Vacancy,
    VacancyStatus,
)

# --- Input ----------------------------------------------------------------------------------


class CriterionInput(JSONInput):
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    text = serializers.CharField(max_length=500)


class PositiveActionInput(JSONInput):
    characteristic = serializers.ChoiceField(choices=PositiveActionCharacteristic.choices)
    groups = serializers.ListField(
        child=serializers.CharField(max_length=30), min_length=1, max_length=20
    )
    evidence = serializers.CharField(max_length=5000)


class VacancyInput(JSONInput):
    title = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=50)
    department = serializers.CharField(max_length=200)
    grade = serializers.CharField(max_length=50)
    location = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    salary_min = serializers.IntegerField(min_value=0, max_value=10_000_000)
    salary_max = serializers.IntegerField(min_value=0, max_value=10_000_000)
    closing_date = serializers.DateTimeField()
    hiring_manager = IdField(queryset=User.objects.all())
    panel = IdField(queryset=User.objects.all(), many=True, required=False)
    criteria = serializers.ListField(child=CriterionInput(), min_length=1, max_length=50)
    pass_mark = serializers.IntegerField(min_value=0, max_value=4, default=2)
    minimum_criteria_rule = serializers.ChoiceField(
        choices=MinimumCriteriaRule.choices, default=MinimumCriteriaRule.ALL_ESSENTIAL_AT_PASS_MARK
    )
    interview_guarantees = serializers.ListField(
        child=serializers.ChoiceField(choices=GuaranteeScheme.choices), default=list
    )
    positive_action = PositiveActionInput(required=False, allow_null=True, default=None)
    randomise_order = serializers.BooleanField(
        default=False,
        help_text="Show each panel member the applications in their own random, stable order.",
    )
    tie_band = serializers.IntegerField(
        min_value=0,
        max_value=MAX_TIE_BAND,
        default=0,
        help_text="0: a tie is equal agreed totals only. 1 or 2: totals within that many marks "
        "of each other tie; needs tie_band_reason.",
    )
    tie_band_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    interview_limit = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        allow_null=True,
        default=None,
        help_text="High-volume campaigns: the most interviews offered. Needs "
        "interview_limit_reason.",
    )
    interview_limit_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )

    def to_service_input(self) -> services.VacancyInput:
        data = dict(self.validated_data)
        data["criteria"] = [services.CriterionInput(**c) for c in data["criteria"]]
        data["panel"] = list(data.get("panel", []))
        if data["positive_action"] is not None:
            data["positive_action"] = services.PositiveActionInput(**data["positive_action"])
        return services.VacancyInput(**data)


class ReasonInput(JSONInput):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class LegalHoldInput(JSONInput):
    """Place a legal hold (``held: true``, with the complaint or claim as ``reason``) or
    release it (``held: false``, with why as ``reason`` and ``confirm: true``). While held,
    nothing is erased. The pages follow the same rules."""

    # The rules: kernel/legal_hold.py.

    held = serializers.BooleanField(required=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true) to release: the complaint or claim no longer needs the "
        "record kept.",
    )


class LegalHoldOutput(serializers.Serializer[Any]):
    held = serializers.BooleanField(source="legal_hold")
    reason = serializers.CharField(source="legal_hold_reason")


# --- Output ---------------------------------------------------------------------------------


class CriterionOutput(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = ["id", "kind", "text"]


class PositiveActionOutput(serializers.ModelSerializer[PositiveActionPlan]):
    class Meta:
        model = PositiveActionPlan
        fields = ["characteristic", "groups", "evidence"]


class VacancyOutput(serializers.ModelSerializer[Vacancy]):
    """The vacancy. ``hiring_manager``, ``panel`` and ``available_actions`` appear only for
    staff who work on it (and HR)."""

    criteria = CriterionOutput(many=True, read_only=True)
    positive_action = serializers.SerializerMethodField()
    panel = serializers.PrimaryKeyRelatedField[User](many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()
    legal_hold = serializers.SerializerMethodField()

    STAFF_FIELDS = ("hiring_manager", "panel", "available_actions", "sift_completed_at")
    #: Fields some callers do not get: the schema does not require them (kernel/api_schema.py).
    OPTIONAL_FIELDS = (*STAFF_FIELDS, "legal_hold")

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "title",
            "reference",
            "department",
            "grade",
            "location",
            "description",
            "salary_min",
            "salary_max",
            "closing_date",
            "hiring_manager",
            "panel",
            "criteria",
            "pass_mark",
            "minimum_criteria_rule",
            "interview_guarantees",
            "positive_action",
            "randomise_order",
            "tie_band",
            "tie_band_reason",
            "interview_limit",
            "interview_limit_reason",
            "status",
            "sift_completed_at",
            "available_actions",
            "legal_hold",
        ]

    @extend_schema_field(LegalHoldOutput)
    def get_legal_hold(self, vacancy: Vacancy) -> dict[str, Any]:
        return dict(LegalHoldOutput(vacancy).data)

    def get_positive_action(self, vacancy: Vacancy) -> dict[str, Any] | None:
        try:
            return PositiveActionOutput(vacancy.positive_action_plan).data
        except PositiveActionPlan.DoesNotExist:
            return None

    def get_available_actions(self, vacancy: Vacancy) -> list[str]:
        return services.available_actions(vacancy, self.context["request"].user)

    def to_representation(self, instance: Vacancy) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not rules.has_perm("vacancies.view_staff_details", user, instance):
            for name in self.STAFF_FIELDS:
                data.pop(name, None)
        if not rules.has_perm("vacancies.set_legal_hold", user, instance):
            data.pop("legal_hold", None)  # HR only
        return data


# --- Views ----------------------------------------------------------------------------------


class VacancyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VacancyStatus.choices)
    department = django_filters.CharFilter(lookup_expr="iexact")
    grade = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Vacancy
        fields = ["status", "department", "grade"]


class VacancyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Open vacancies for anyone; staff also see the ones they work on."""

    serializer_class = VacancyOutput
    filterset_class = VacancyFilter

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Vacancy]:
        return (
            Vacancy.objects.visible_to(self.request.user)
            .with_appointment_flag()
            .select_related("positive_action_plan")
            .prefetch_related("criteria", "panel")
            .order_by("closing_date", "id")
        )

    @extend_schema(request=VacancyInput, responses={201: VacancyOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not rules.has_perm("vacancies.create_vacancy", request.user):
            raise ActionForbidden("Only HR and hiring managers can create vacancies.")
        data = VacancyInput(data=request.data)
        data.is_valid(raise_exception=True)
        vacancy = services.vacancy_create(by=acting_user(request), data=data.to_service_input())
        return Response(self._render(vacancy.pk), status=status.HTTP_201_CREATED)

    def _render(self, pk: int) -> dict[str, Any]:
        return VacancyOutput(
            self.get_queryset().get(pk=pk), context=self.get_serializer_context()
        ).data

    def _act(self, request: Request, service: Any) -> Response:
        vacancy = self.get_object()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        service(
            vacancy_id=vacancy.pk, by=acting_user(request), reason=data.validated_data["reason"]
        )
        return Response(self._render(vacancy.pk))

    @extend_schema(request=ReasonInput, responses={200: VacancyOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.vacancy_publish)

    @extend_schema(request=ReasonInput, responses={200: VacancyOutput})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.vacancy_close)

    @extend_schema(request=ReasonInput, responses={200: VacancyOutput})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.vacancy_cancel)

    @extend_schema(request=ReasonInput, responses={200: VacancyOutput})
    @action(detail=True, methods=["post"])
    def fill(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.vacancy_fill)

    @extend_schema(request=LegalHoldInput, responses={200: VacancyOutput})
    @action(detail=True, methods=["post"], url_path="legal-hold")
    def legal_hold(self, request: Request, pk: str | None = None) -> Response:
        """HR places or releases a legal hold on the campaign: none of its applications is
        erased while it is held."""
        vacancy = self.get_object()
        data = LegalHoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.vacancy_legal_hold_set(
            vacancy_id=vacancy.pk, by=acting_user(request), **data.validated_data
        )
        return Response(self._render(vacancy.pk))
