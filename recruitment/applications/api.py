"""Applications API: validate, call a service, render what the caller may see.

Each field of the application's representation names the permission it needs; a field the
caller may not see is never computed (``ApplicationOutput.FIELD_PERMS``). Equality answers
have no field at all.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import django_filters
import rules
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from adjustments.api import AdjustmentOutput, ArrangementOutput
from adjustments.selectors import arrangements_visible_to
from kernel.api import IdField, IdFilter, JSONInput, acting_user
from kernel.errors import ActionForbidden
from recruitment.applications import selectors as selectors_
from recruitment.applications import services, workflow
from recruitment.applications.action_inputs import ACTION_INPUTS, OfferInput, service_inputs
from recruitment.models import (
    EQUALITY_QUESTIONS,
    Application,
    ApplicationQuerySet,
    ApplicationState,
    Evidence,
    GuaranteeStep,
    OfferDecision,
    ScoreStage,
)
from recruitment.scoring import assessment, guarantee, selectors
from recruitment.scoring import services as services_
from recruitment.scoring.serializers import (
    AgreedOutput,
    AgreedScoresInput,
    ScoreChangeOutput,
    ScoresInput,
    ScoresOutput,
    StageQuery,
)
from vacancies.api import LegalHoldInput, LegalHoldOutput
from vacancies.models import GuaranteeScheme, Vacancy, VacancyStatus

# --- Input ----------------------------------------------------------------------------------

logger = logging.getLogger(__name__)


class EvidenceInput(JSONInput):
    criterion = serializers.IntegerField(min_value=1, max_value=2**53)
    text = serializers.CharField(max_length=10000)


class EqualityInput(JSONInput):
    """Every question optional; each also takes ``prefer_not_to_say``. Unknown keys are
    refused so a mistyped question is not silently lost."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            name: serializers.ChoiceField(choices=choices.choices, required=False)
            for name, choices in EQUALITY_QUESTIONS.items()
        }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(EQUALITY_QUESTIONS))
            if unknown:
                raise serializers.ValidationError({k: ["Unknown question."] for k in unknown})
        return super().to_internal_value(data)


class ApplicationInput(JSONInput):
    vacancy = IdField(
        # A draft is invisible to candidates: it answers "does not exist" like a missing id.
        queryset=Vacancy.objects.exclude(status=VacancyStatus.DRAFT)
    )
    statement = serializers.CharField(max_length=20000)
    evidence = serializers.ListField(child=EvidenceInput(), max_length=50, default=list)
    interview_guarantee = serializers.ChoiceField(
        choices=GuaranteeScheme.choices, allow_null=True, required=False, default=None
    )
    positive_action = serializers.BooleanField(default=False)
    equality = EqualityInput(required=False, allow_null=True, default=None)


class EvidenceOutput(serializers.ModelSerializer[Evidence]):
    class Meta:
        model = Evidence
        fields = ["criterion", "text"]


class CandidateOutput(serializers.Serializer[Any]):
    full_name = serializers.CharField()
    email = serializers.EmailField()


class GuaranteeStepOutput(serializers.ModelSerializer[GuaranteeStep]):
    """What the interview guarantee did for the candidate when the sift was completed (HR)."""

    class Meta:
        model = GuaranteeStep
        fields = ["outcome", "essential_total", "reason", "decided_at"]


class OfferOutput(serializers.ModelSerializer[OfferDecision]):
    """The offer's pay: the salary offered (kept as the starting pay once accepted) and why
    it is above the bottom of the range. None for an offer made before pay was recorded."""

    class Meta:
        model = OfferDecision
        fields = ["salary", "salary_reason", "decided_at"]


class ApplicationOutput(serializers.ModelSerializer[Application]):
    vacancy = serializers.PrimaryKeyRelatedField[Vacancy](read_only=True)
    evidence = EvidenceOutput(many=True, read_only=True)
    candidate = serializers.SerializerMethodField()
    interview_guarantee = serializers.SerializerMethodField()
    positive_action = serializers.SerializerMethodField()
    guarantee_step = serializers.SerializerMethodField()
    meets_minimum_criteria = serializers.SerializerMethodField()
    agreed_scores = serializers.SerializerMethodField()
    adjustments = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    legal_hold = serializers.SerializerMethodField()
    offer = serializers.SerializerMethodField()

    #: field → the permission needed to see it. Unlisted fields are seen by all who see the
    #: application. Names and contact details reach the panel only from shortlisting on;
    #: declarations reach only HR and the candidate; sift results never reach the candidate.
    FIELD_PERMS = {
        "candidate": "recruitment.view_candidate_identity",
        "interview_guarantee": "recruitment.view_declarations",
        "positive_action": "recruitment.view_declarations",
        "guarantee_step": "recruitment.view_guarantee_step",
        "meets_minimum_criteria": "recruitment.view_scores",
        "agreed_scores": "recruitment.view_scores",
        "legal_hold": "recruitment.set_legal_hold",
        "offer": "recruitment.view_offer",
    }

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "vacancy",
            "state",
            "statement",
            "evidence",
            "interview_at",
            "interview_format",
            "interview_place",
            "interview_minutes",
            "submitted_at",
            "candidate",
            "interview_guarantee",
            "positive_action",
            "guarantee_step",
            "meets_minimum_criteria",
            "agreed_scores",
            "adjustments",
            "available_actions",
            "legal_hold",
            "offer",
        ]

    def to_representation(self, instance: Application) -> dict[str, Any]:
        user = self.context["request"].user
        data: dict[str, Any] = {}
        for field in self._readable_fields:
            name = field.field_name or ""
            needed = self.FIELD_PERMS.get(name)
            if needed is not None and not rules.has_perm(needed, user, instance):
                continue  # never computed, so never leaked
            value = field.get_attribute(instance)
            data[name] = None if value is None else field.to_representation(value)
        if instance.candidate_id == getattr(user, "pk", None):
            # A candidate is told "not shortlisted" only once the sift is complete.
            data["state"] = instance.candidate_state
        return data

    @extend_schema_field(CandidateOutput)
    def get_candidate(self, application: Application) -> dict[str, str] | None:
        candidate = application.candidate
        if candidate is None:  # erased
            return None
        return {"full_name": candidate.full_name, "email": candidate.email}

    @extend_schema_field(LegalHoldOutput)
    def get_legal_hold(self, application: Application) -> dict[str, Any]:
        return dict(LegalHoldOutput(application).data)

    @extend_schema_field(OfferOutput(allow_null=True))
    def get_offer(self, application: Application) -> dict[str, Any] | None:
        offer = getattr(application, "offer_decision", None)  # None: no offer made
        return None if offer is None else dict(OfferOutput(offer).data)

    def get_interview_guarantee(self, application: Application) -> str | None:
        return guarantee.declared_scheme(application)

    def get_positive_action(self, application: Application) -> bool:
        return guarantee.positive_action_declared(application)

    @extend_schema_field(GuaranteeStepOutput(allow_null=True))
    def get_guarantee_step(self, application: Application) -> dict[str, Any] | None:
        step = getattr(application, "guarantee_step", None)  # None: none recorded
        return None if step is None else dict(GuaranteeStepOutput(step).data)

    def _taken(self, vacancy: Vacancy) -> int | None:
        """How many of a vacancy's applications are shortlisted, counted once per vacancy per
        response (a list may hold many applications to one vacancy)."""
        if vacancy.interview_limit is None:
            return None
        counts: dict[int, int] = vars(self.root).setdefault("_shortlisted_counts", {})
        if vacancy.pk not in counts:
            counts[vacancy.pk] = assessment.shortlisted_count(vacancy)
        return counts[vacancy.pk]

    def get_meets_minimum_criteria(self, application: Application) -> bool | None:
        return assessment.meets_minimum_criteria(application)

    def get_agreed_scores(self, application: Application) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for stage in ScoreStage.values:
            agreed = assessment.agreed_assessment(application, stage)
            result[stage] = AgreedOutput(agreed).data if agreed else None
        return result

    @extend_schema_field(ArrangementOutput(many=True))
    def get_adjustments(self, application: Application) -> Any:
        """The candidate and HR see the requests; the panel and hiring manager only the
        agreed arrangements for stages they run, from shortlisting on, never the
        candidate's details."""
        user = self.context["request"].user
        requests = list(application.adjustments.all())
        if rules.has_perm("recruitment.view_adjustment_details", user, application):
            return AdjustmentOutput(requests, many=True, context=self.context).data
        return ArrangementOutput(arrangements_visible_to(application, user), many=True).data

    def get_available_actions(self, application: Application) -> list[str]:
        return services.available_actions(
            application, self.context["request"].user, self._taken(application.vacancy)
        )


class HistoryEntryOutput(serializers.Serializer[Any]):
    transition = serializers.CharField()
    from_state = serializers.CharField(source="source_state", allow_null=True)
    to_state = serializers.CharField(source="state")
    at = serializers.DateTimeField(source="timestamp")
    by = serializers.SerializerMethodField()
    reason = serializers.CharField(source="description", allow_null=True)

    @extend_schema_field(
        inline_serializer(
            "Actor",
            {
                "id": serializers.IntegerField(required=False),
                "full_name": serializers.CharField(required=False),
                "role": serializers.CharField(),
            },
            allow_null=True,  # a transition made by the service itself
        )
    )
    def get_by(self, entry: Any) -> dict[str, Any] | None:
        # A candidate acting on their own application is shown by role only, so that the
        # history never identifies them to a panel before shortlisting; and a candidate
        # reading their own history sees staff by role only (as in their data download).
        if entry.by is None:
            return None
        if entry.by.role == "candidate" or self.context.get("reader_is_candidate"):
            return {"role": entry.by.role}
        return {"id": entry.by.pk, "full_name": entry.by.full_name, "role": entry.by.role}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # Rendered as "from" and "to" (Python keywords, so declared under other names): named
        # here, the schema says so too.
        renamed = {"from_state": "from", "to_state": "to"}
        return {renamed.get(name, name): field for name, field in super().get_fields().items()}


# --- Views ----------------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    vacancy = IdFilter(field_name="vacancy_id")
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, method="in_state")

    class Meta:
        model = Application
        fields = ["vacancy", "state"]

    def in_state(self, queryset: QuerySet[Application], name: str, value: str) -> Any:
        return cast(ApplicationQuerySet, queryset).in_state(
            value, getattr(self.request, "user", None)
        )


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications the caller may see; anything else answers 404."""

    serializer_class = ApplicationOutput
    filterset_class = ApplicationFilter

    def get_queryset(self) -> QuerySet[Application]:
        return (
            Application.objects.visible_to(self.request.user)
            .with_assessment_data()
            .order_by("submitted_at", "id")
        )

    def _render(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        application = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(application).data, status=code)

    @extend_schema(request=ApplicationInput, responses={201: ApplicationOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not rules.has_perm("recruitment.apply", request.user):
            raise ActionForbidden("Only candidates can apply.")
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        application = services.application_submit(
            candidate=acting_user(request),
            vacancy=values["vacancy"],
            statement=values["statement"],
            evidence=[services.EvidenceInput(**e) for e in values["evidence"]],
            interview_guarantee=values["interview_guarantee"],
            positive_action=values["positive_action"],
            equality=values["equality"],
        )
        return self._render(application.pk, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="applications_action",
        request=OfferInput,
        responses={200: ApplicationOutput},
        parameters=[OpenApiParameter("action_name", enum=list(workflow.ACTIONS), location="path")],
        description="Take an action: " + ", ".join(workflow.ACTIONS) + ". `reason` is required "
        "for reject; `interview_at` for schedule_interview; `slot` for book_interview; "
        "`positive_action`, `salary` and `salary_reason` only on offer.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    def take_action(
        self, request: Request, pk: str | None = None, action_name: str = ""
    ) -> Response:
        step = workflow.ACTIONS.get(action_name)
        if step is None:
            raise NotFound()
        application = self.get_object()
        data = ACTION_INPUTS[step.takes](data=request.data)
        data.is_valid(raise_exception=True)
        services.take(
            action_name,
            application_id=application.pk,
            by=acting_user(request),
            **service_inputs(data.validated_data),
        )
        return self._render(application.pk)

    @extend_schema(request=LegalHoldInput, responses={200: ApplicationOutput})
    @action(detail=True, methods=["post"], url_path="legal-hold")
    def legal_hold(self, request: Request, pk: str | None = None) -> Response:
        """HR places or releases a legal hold: nothing of the application's campaign is erased
        while it is held."""
        application = self.get_object()
        data = LegalHoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_legal_hold_set(
            application_id=application.pk, by=acting_user(request), **data.validated_data
        )
        return self._render(application.pk)

    @extend_schema(responses={200: HistoryEntryOutput(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The transition log: who, when, from, to, reason."""
        application = self.get_object()
        if not rules.has_perm("recruitment.view_history", request.user, application):
            raise ActionForbidden()
        entries = selectors_.application_history(application, acting_user(request))
        reader_is_candidate = acting_user(request).role == Role.CANDIDATE
        return Response(
            HistoryEntryOutput(
                entries, many=True, context={"reader_is_candidate": reader_is_candidate}
            ).data
        )

    @extend_schema(responses={200: ScoreChangeOutput(many=True)})
    @action(
        detail=True,
        methods=["get"],
        url_path="score-history",
        pagination_class=None,
        filter_backends=[],
    )
    def score_history(self, request: Request, pk: str | None = None) -> Response:
        """Every score given or changed, oldest first, marked when after agreement: for the
        chair and HR (panel members score independently and never see it)."""
        application = self.get_object()
        if not rules.has_perm("recruitment.agree_scores", request.user, application):
            raise ActionForbidden("Only the hiring manager and HR see the score history.")
        changes = selectors.score_history(application, acting_user(request))
        return Response(ScoreChangeOutput(changes, many=True).data)

    def _scores_response(self, application: Application, stage: str) -> Response:
        view = selectors.scores_visible_to(application, acting_user(self.request), stage)
        return Response(ScoresOutput(view).data)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("stage", enum=ScoreStage.values, default="shortlisting")],
        responses={200: ScoresOutput},
    )
    @extend_schema(methods=["PUT"], request=ScoresInput, responses={200: ScoresOutput})
    @action(detail=True, methods=["get", "put"])
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """Your own scores; others' only once you have submitted yours; the agreed scores."""
        application = self.get_object()
        if request.method == "PUT":
            data = ScoresInput(data=request.data)
            data.is_valid(raise_exception=True)
            stage = data.validated_data["stage"]
            services_.scores_submit(
                application_id=application.pk,
                by=acting_user(request),
                stage=stage,
                scores=[services_.ScoreInput(**s) for s in data.validated_data["scores"]],
            )
            application = self.get_object()
        else:
            if not rules.has_perm("recruitment.view_scores", request.user, application):
                raise ActionForbidden("Only the panel, the hiring manager and HR see scores.")
            query = StageQuery(data=request.query_params)
            query.is_valid(raise_exception=True)
            stage = query.validated_data["stage"]
        return self._scores_response(application, stage)

    @extend_schema(request=AgreedScoresInput, responses={200: ScoresOutput})
    @action(detail=True, methods=["put"], url_path="agreed-scores")
    def agreed_scores(self, request: Request, pk: str | None = None) -> Response:
        """The chair's agreed scores and note for a stage."""
        application = self.get_object()
        data = AgreedScoresInput(data=request.data)
        data.is_valid(raise_exception=True)
        services_.agreed_scores_set(
            application_id=application.pk,
            by=acting_user(request),
            stage=data.validated_data["stage"],
            note=data.validated_data["note"],
            scores=[services_.ScoreInput(**s) for s in data.validated_data["scores"]],
        )
        return self._scores_response(self.get_object(), data.validated_data["stage"])


# --- Subject access ---------------------------------------------------------------------------
