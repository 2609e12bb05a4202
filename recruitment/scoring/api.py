"""The scoring endpoints that are not an application's own: a vacancy's ranking, its sift
decisions (in bulk, and completing the sift), and the positive-action decisions (s.159) made
at offer."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import rules
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.api import CSVRenderer, JSONInput, Pagination, acting_user, streamed_csv
from kernel.errors import ActionForbidden
from kernel.paging import Rows
from recruitment.models import (
    ApplicationState,
    DecisionRun,
    DecisionRunItem,
    OfferDecision,
    ScoreStage,
)
from recruitment.scoring import decision_runs, decisions, selectors
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from vacancies.api import VacancyOutput
from vacancies.models import Vacancy

# --- The positive-action audit ------------------------------------------------------------------


class DecisionPeriodQuery(serializers.Serializer[dict[str, Any]]):
    """``from`` and ``to``: inclusive dates of the decisions (both optional)."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["Must be on or after 'from'."]})
        return attrs


class PositiveActionDecisionOutput(serializers.ModelSerializer[OfferDecision]):
    date = serializers.DateTimeField(source="decided_at")
    vacancy_reference = serializers.CharField(source="application.vacancy.reference")
    application_reference = serializers.CharField(source="application.reference")
    used = serializers.BooleanField(source="positive_action_used")
    decided_by = serializers.CharField(source="decided_by.full_name")
    tied_with = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = OfferDecision
        fields = [
            "date",
            "vacancy_reference",
            "application_reference",
            "used",
            "decided_by",
            "justification",
            "evidence",
            "tied_with",
        ]


class PositiveActionDecisionsView(generics.ListAPIView[OfferDecision]):
    """HR's audit of the s.159 tie-breaker: every offer where it was used, or where the
    candidate offered the job was tied at interview, for a period. ``?format=csv`` gives all
    of them as CSV (not paginated)."""

    serializer_class = PositiveActionDecisionOutput
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    filter_backends: list[Any] = []
    #: The CSV (a spreadsheet for a person): field → its heading, in words.
    CSV_HEADINGS = {
        "date": "Decided on",
        "vacancy_reference": "Vacancy",
        "application_reference": "Application",
        "used": "Tie-breaker used",
        "decided_by": "Decided by",
        "justification": "Justification",
        "evidence": "Evidence",
        "tied_with": "Tied with",
    }

    def csv_rows(self, data: list[dict[str, Any]]) -> Iterator[list[Any]]:
        """Headings in words, local time to the minute, the tied applications in one cell."""
        yield list(self.CSV_HEADINGS.values())
        for row in data:
            decided = timezone.localtime(datetime.fromisoformat(row["date"]))
            yield [
                decided.strftime("%Y-%m-%d %H:%M") if field == "date"
                else "; ".join(row[field]) if field == "tied_with"
                else row[field]
                for field in self.CSV_HEADINGS
            ]  # fmt: skip

    def get_queryset(self) -> QuerySet[OfferDecision]:
        if not rules.has_perm("recruitment.view_positive_action_decisions", self.request.user):
            raise ActionForbidden("Only HR sees the positive-action decisions.")
        query = DecisionPeriodQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.positive_action_decisions(
            date_from=query.validated_data.get("from"), date_to=query.validated_data.get("to")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)"),
            OpenApiParameter("format", enum=["json", "csv"], default="json"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.accepted_renderer.format == "csv":
            if isinstance(self.paginator, Pagination):  # not paginated, but checked alike
                self.paginator.check_parameters(request)
            decisions = self.get_queryset()
            response = Response(self.get_serializer(decisions, many=True).data)
            response["Content-Disposition"] = 'attachment; filename="positive-action-decisions.csv"'
            return response
        return self.list(request, *args, **kwargs)


# --- A vacancy's ranking and sift decisions (at /vacancies/{id}/..., beside the vacancy) -------


class RankingQuery(serializers.Serializer[dict[str, Any]]):
    stage = serializers.ChoiceField(choices=ScoreStage.choices, default=ScoreStage.SHORTLISTING)


class RankedApplicationsQuery(RankingQuery):
    """The paged ranking's filters: each optional."""

    meets_minimum_criteria = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only those whose agreed shortlisting scores meet the minimum criteria; "
        "false: only those that do not (an incomplete assessment is neither).",
    )
    tie_group = serializers.IntegerField(
        required=False, min_value=1, max_value=10_000, help_text="Only this tie group."
    )
    state = serializers.ChoiceField(
        choices=[s for s in ApplicationState.values if s != ApplicationState.WITHDRAWN],
        required=False,
        help_text="Only applications in this state.",
    )

    def ranking_filter(self) -> RankingFilter:
        data = self.validated_data
        return RankingFilter(
            meets_minimum=data.get("meets_minimum_criteria"),
            tie_group=data.get("tie_group"),
            state=data.get("state"),
        )


class RankingEntry(serializers.Serializer[Any]):
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference")
    total = serializers.IntegerField(allow_null=True)
    meets_minimum_criteria = serializers.BooleanField(allow_null=True)
    tie_group = serializers.IntegerField(allow_null=True)
    positive_action_eligible = serializers.BooleanField(
        help_text="Only in the interview ranking: tied, declared for the vacancy's "
        "positive-action plan (s.159), so the tie-breaker may be used at the offer. Always "
        "false in the shortlisting ranking."
    )


class RankedApplicationEntry(RankingEntry):
    rank = serializers.IntegerField(
        allow_null=True,
        help_text="1 + how many have a higher agreed total (equal totals share a rank); "
        "null without a complete agreed assessment.",
    )
    state = serializers.CharField(source="application.state")


#: The ranking's CSV columns, in order (``ranked-applications/?format=csv``).
RANKING_CSV = [
    "rank",
    "application",
    "reference",
    "total",
    "meets_minimum_criteria",
    "tie_group",
    "positive_action_eligible",
    "state",
]


class SiftCompletionInput(JSONInput):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true): completing the sift tells candidates and cannot be undone.",
    )


class SiftCompletionOutput(serializers.Serializer[Any]):
    sift_completed_at = serializers.DateTimeField(source="vacancy.sift_completed_at")
    invited = serializers.ListField(
        child=serializers.CharField(),
        help_text="References of the applications invited to interview on completing the sift.",
    )
    not_shortlisted = serializers.IntegerField(
        help_text="How many candidates were told, on completing the sift, that they were not "
        "shortlisted."
    )


class BulkDecisionInput(JSONInput):
    action = serializers.ChoiceField(choices=decisions.BULK_ACTIONS)
    applications = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**53),
        min_length=1,
        max_length=decisions.MAX_BULK,
    )
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class BulkOutcomeOutput(serializers.Serializer[Any]):
    application = serializers.IntegerField()
    reference = serializers.CharField()
    action = serializers.CharField()
    done = serializers.BooleanField()
    code = serializers.CharField(
        help_text="Empty when done; else the refusal: a 409 code, permission_denied or invalid."
    )
    detail = serializers.CharField()
    state = serializers.CharField()


class BulkDecisionOutput(serializers.Serializer[Any]):
    outcomes = BulkOutcomeOutput(many=True)


class DecisionRunInput(JSONInput):
    action = serializers.ChoiceField(choices=decisions.BULK_ACTIONS)
    up_to_rank = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="Every undecided application ranked 1 to this rank (a tie at it is taken whole).",
    )
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="Required (true): applied to every one listed."
    )


class DecisionRunRefusal(serializers.Serializer[Any]):
    application = serializers.IntegerField(source="application_id")
    reference = serializers.CharField(source="application.reference")
    code = serializers.CharField()
    detail = serializers.CharField()


class DecisionRunOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="run.pk")
    vacancy = serializers.IntegerField(source="run.vacancy_id")
    action = serializers.CharField(source="run.action")
    up_to_rank = serializers.IntegerField(source="run.up_to_rank")
    reason = serializers.CharField(source="run.reason")
    state = serializers.ChoiceField(source="run.state", choices=DecisionRun.State.choices)
    requested_at = serializers.DateTimeField(source="run.requested_at")
    finished_at = serializers.DateTimeField(source="run.finished_at", allow_null=True)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    refused = serializers.IntegerField()
    waiting = serializers.IntegerField()
    refusals = serializers.SerializerMethodField(
        help_text="The first 100 refusals, in ranking order."
    )

    def get_refusals(self, progress: decision_runs.RunProgress) -> list[dict[str, Any]]:
        items = (
            DecisionRunItem.objects.filter(run=progress.run, outcome="refused")
            .select_related("application")
            .order_by("position")[:100]
        )
        return list(DecisionRunRefusal(items, many=True).data)


class DecisionRunView(generics.GenericAPIView[DecisionRun]):
    """How far a decision from the ranking has got, with the first refusals (the vacancy's
    hiring manager and HR; anyone else 404)."""

    serializer_class = DecisionRunOutput

    def get_queryset(self) -> QuerySet[DecisionRun]:
        vacancies = Vacancy.objects.visible_to(self.request.user)
        return DecisionRun.objects.filter(vacancy__in=vacancies)

    @extend_schema(responses={200: DecisionRunOutput})
    def get(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        if not rules.has_perm("vacancies.decide_applications", request.user, run.vacancy):
            raise Http404  # a run is seen only by those who may decide: hidden, not refused
        return Response(DecisionRunOutput(decision_runs.decision_run_progress(run)).data)


class VacancySiftViewSet(viewsets.GenericViewSet):
    """The ranking and the sift's decisions of a vacancy the caller may see (else 404)."""

    queryset = Vacancy.objects.all()
    serializer_class = VacancyOutput  # as the vacancy's own viewset (the browsable API's forms)

    def get_queryset(self) -> QuerySet[Vacancy]:
        return Vacancy.objects.visible_to(self.request.user).order_by("closing_date", "id")

    @extend_schema(
        parameters=[OpenApiParameter("stage", enum=ScoreStage.values, default="shortlisting")],
        responses={200: RankingEntry(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def ranking(self, request: Request, pk: str | None = None) -> Response:
        """Applications by agreed total, best first, with ties marked (and, at interview,
        positive-action eligibility within a tie)."""
        vacancy = self.get_object()
        if not rules.has_perm("vacancies.view_ranking", request.user, vacancy):
            raise ActionForbidden("Only the vacancy's hiring manager and HR see the ranking.")
        query = RankingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ranking = selectors.vacancy_ranking(vacancy, query.validated_data["stage"])
        return Response(RankingEntry(ranking, many=True).data)

    @extend_schema(
        parameters=[
            RankedApplicationsQuery,
            OpenApiParameter("format", enum=["json", "csv"], default="json"),
        ],
        responses={200: RankedApplicationEntry(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ranked-applications",
        pagination_class=Pagination,
        filter_backends=[],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer, CSVRenderer],
    )
    def ranked_applications(self, request: Request, pk: str | None = None) -> Any:
        """The ranking a page at a time, computed in the database for campaigns of any size:
        by agreed total, best first, with each row's rank and state, and filters. The
        contract's ``ranking/`` answers the whole list. ``?format=csv`` streams every row
        the filters list (not paginated)."""
        vacancy = self.get_object()
        if not rules.has_perm("vacancies.view_ranking", request.user, vacancy):
            raise ActionForbidden("Only the vacancy's hiring manager and HR see the ranking.")
        query = RankedApplicationsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ranking = VacancyRanking(vacancy, query.validated_data["stage"])
        only = query.ranking_filter()
        paginator = Pagination()
        if request.accepted_renderer.format == "csv":
            paginator.check_parameters(request)
            entries = (RankedApplicationEntry(row).data for row in ranking.walk(only))
            return streamed_csv(
                itertools.chain(
                    [RANKING_CSV], ([entry[c] for c in RANKING_CSV] for entry in entries)
                ),
                f"ranking-{vacancy.reference}-{ranking.stage}.csv",
            )
        rows = Rows(
            ranking.count(only),
            lambda offset, limit: ranking.rows(only, offset=offset, limit=limit),
        )
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(RankedApplicationEntry(page, many=True).data)

    @extend_schema(request=BulkDecisionInput, responses={200: BulkDecisionOutput})
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        """Shortlist or reject many applications at once. Each goes through the same action
        as one at a time (the interview limit and the agreed-scores rule apply); the answer
        says what happened to each, best-ranked first."""
        vacancy = self.get_object()
        if not rules.has_perm("vacancies.decide_applications", request.user, vacancy):
            raise ActionForbidden("Only the vacancy's hiring manager and HR decide the shortlist.")
        data = BulkDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        outcomes = decisions.applications_bulk_decide(
            vacancy_id=vacancy.pk,
            by=acting_user(request),
            action=data.validated_data["action"],
            application_ids=data.validated_data["applications"],
            reason=data.validated_data["reason"],
        )
        return Response(BulkDecisionOutput({"outcomes": outcomes}).data)

    @extend_schema(request=DecisionRunInput, responses={202: DecisionRunOutput})
    @action(detail=True, methods=["post"], url_path="ranked-decisions")
    def ranked_decisions(self, request: Request, pk: str | None = None) -> Response:
        """Shortlist (or not) every undecided application ranked 1 to ``up_to_rank``, as one
        recorded decision run in the background: 202 with its progress; follow it at
        ``/api/v1/decision-runs/{id}/``. Each application still goes through its own
        action (the interview limit and the agreed-scores rule apply). 409
        ``decision_run_open`` while another runs for the vacancy."""
        vacancy = self.get_object()
        if not rules.has_perm("vacancies.decide_applications", request.user, vacancy):
            raise ActionForbidden("Only the vacancy's hiring manager and HR decide the shortlist.")
        data = DecisionRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = decision_runs.decision_run_request(
            vacancy_id=vacancy.pk, by=acting_user(request), **data.validated_data
        )
        run.refresh_from_db()  # run in process (the embedded mode), it may be done already
        progress = decision_runs.decision_run_progress(run)
        return Response(DecisionRunOutput(progress).data, status=202)

    @extend_schema(request=SiftCompletionInput, responses={200: SiftCompletionOutput})
    @action(detail=True, methods=["post"], url_path="complete-sift")
    def complete_sift(self, request: Request, pk: str | None = None) -> Response:
        """Complete the sift once every application is decided on merit: the service applies
        the interview guarantee (inviting to interview, unnamed, every candidate it covers)
        and tells the candidates not shortlisted. 409 ``sift_incomplete`` while any
        application is undecided, ``sift_complete`` the second time."""
        vacancy = self.get_object()
        data = SiftCompletionInput(data=request.data)
        data.is_valid(raise_exception=True)
        completion = decisions.sift_complete(
            vacancy_id=vacancy.pk, by=acting_user(request), **data.validated_data
        )
        return Response(SiftCompletionOutput(completion).data)
