"""Reads for moderation: every scorer's scores of one application side by side, and the
chair's overview of a stage a page at a time, with its counts computed in the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)

from recruitment.applications.selectors import scores_agreed
from recruitment.models import AgreedAssessment, Application, Score, ScoreStage
from recruitment.scoring import assessment
from recruitment.scoring.selectors import (
    SCORED_STATES,
    others_visible,
    scorers,
    submitted_scorers,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from vacancies.models import Criterion, Vacancy


@dataclass(frozen=True)
class CriterionScores:
    criterion: Criterion
    #: Each scorer's score and note, in the order of ``ModerationView.scorers`` (None: none).
    scores: list[Score | None]
    spread: int | None  # highest minus lowest of the scores given; None with fewer than two
    agreed: int | None

    @property
    def discuss(self) -> bool:
        """Scores two or more marks apart are worth discussing before agreeing."""
        return self.spread is not None and self.spread >= SPREAD_TO_DISCUSS


SPREAD_TO_DISCUSS = 2


@dataclass(frozen=True)
class ModerationView:
    application: Application
    stage: str
    scorers: list[User]  # the people whose scores are shown, expected ones first
    visible: bool  # False: individual scores hidden (independent scoring)
    rows: list[CriterionScores]
    submitted: set[int]
    required: set[int]
    agreed: AgreedAssessment | None

    @property
    def fully_scored(self) -> bool:
        return self.required <= self.submitted


def _criterion_rows(
    criteria: list[Criterion],
    scorer_ids: list[int],
    scores: Iterable[Score],
    agreed: dict[int, int],
) -> list[CriterionScores]:
    by_key = {(s.criterion_id, s.scorer_id): s for s in scores}
    rows = []
    for criterion in criteria:
        given = [by_key.get((criterion.pk, scorer)) for scorer in scorer_ids]
        values = [s.score for s in given if s is not None]
        rows.append(
            CriterionScores(
                criterion=criterion,
                scores=given,
                spread=max(values) - min(values) if len(values) > 1 else None,
                agreed=agreed.get(criterion.pk),
            )
        )
    return rows


def moderation_view(application: Application, user: User, stage: str) -> ModerationView:
    """Every scorer's scores of one application side by side, criterion by criterion, with
    the spread, for the chair's moderation; the individual scores only when
    ``others_visible`` allows. ``application`` comes from ``with_assessment_data``."""
    vacancy = application.vacancy
    criteria = list(vacancy.criteria.all())
    scores = list(
        Score.objects.filter(application=application, stage=stage).select_related("scorer")
    )
    submitted = submitted_scorers(scores, {c.pk for c in criteria})
    expected = scorers(vacancy)
    required = {u.pk for u in expected}
    extra = sorted(
        {s.scorer for s in scores if s.scorer_id not in required}, key=lambda u: u.full_name
    )
    people = [*expected, *extra]
    visible = others_visible(user, application, submitted, required)
    shown = scores if visible else [s for s in scores if s.scorer_id == user.pk]
    return ModerationView(
        application=application,
        stage=stage,
        scorers=people,
        visible=visible,
        rows=_criterion_rows(
            criteria,
            [u.pk for u in people],
            shown,
            assessment.agreed_scores(application, stage),
        ),
        submitted=submitted,
        required=required,
        agreed=assessment.agreed_assessment(application, stage),
    )


@dataclass(frozen=True)
class ModerationEntry:
    application: Application
    submitted: int  # how many of the expected scorers have scored every criterion
    fully_scored: bool
    spread: int | None  # the largest spread on any criterion; None while hidden
    agreed_total: int | None
    agreed: bool
    #: Agreed, then a score changed: to be agreed again (``AgreedAssessment.out_of_date``).
    out_of_date: bool = False


@dataclass(frozen=True)
class ModerationProgress:
    stage: str
    applications: int
    fully_scored: int
    agreed: int
    scorers: int
    entries: list[ModerationEntry]


@dataclass(frozen=True)
class ModerationFilter:
    """Which applications the overview lists: those whose scores are not (or no longer)
    agreed; those scored by the whole panel with a spread of ``SPREAD_TO_DISCUSS`` or more
    on some criterion (every scorer's scores are visible to the chair by then)."""

    to_agree: bool = False
    to_discuss: bool = False

    @property
    def any(self) -> bool:
        return self.to_agree or self.to_discuss


class StageModeration:
    """The chair's overview of a vacancy's stage: the counts in three aggregate queries, a
    page of entries in three more, at any campaign size."""

    def __init__(self, vacancy: Vacancy, user: User, stage: str) -> None:
        self.vacancy = vacancy
        self.user = user
        self.stage = ScoreStage(stage)
        self.criteria = list(vacancy.criteria.all())
        self.required = {u.pk for u in scorers(vacancy)}
        self._expected = len(self.criteria) * len(self.required)
        self._base = Application.objects.filter(
            vacancy=vacancy, state__in=SCORED_STATES[self.stage]
        )
        # The counts: three aggregates over the stage's rows, none joining the others, each
        # one pass over its table (a correlated test per application cost three times as
        # much at 65,000). Counting a column of the scores' unique index, not their ids.
        self.applications = self._base.count()
        self.fully_scored = (
            Score.objects.filter(
                application__in=self._base, stage=stage, scorer_id__in=self.required
            )
            .values("application_id")
            .annotate(n=Count("criterion_id"))
            .filter(n=self._expected)
            .count()
        )
        self.agreed = (
            AgreedAssessment.objects.filter(
                application__in=self._base, stage=stage, out_of_date=False
            )
            .values("pk")
            .annotate(n=Count("scores__criterion_id"))
            .filter(n=len(self.criteria))
            .count()
        )

    def _listed(self, only: ModerationFilter) -> Any:
        rows: Any = self._base
        if only.to_agree:
            rows = rows.filter(~Q(scores_agreed(len(self.criteria), self.stage)))
        if only.to_discuss:
            spread = (
                Score.objects.filter(application=OuterRef("pk"), stage=self.stage)
                .values("criterion_id")
                .annotate(spread=Max("score") - Min("score"))
                .order_by("-spread")
                .values("spread")[:1]
            )
            rows = (
                rows.annotate(
                    mod_required=Count(
                        "scores",
                        filter=Q(scores__stage=self.stage, scores__scorer_id__in=self.required),
                    )
                )
                .filter(mod_required=self._expected)
                .annotate(mod_spread=Subquery(spread))
                .filter(mod_spread__gte=SPREAD_TO_DISCUSS)
            )
        return rows.order_by("submitted_at", "pk")

    def count(self, only: ModerationFilter) -> int:
        if not only.any:
            return self.applications
        return int(self._listed(only).count())

    def entries(
        self, only: ModerationFilter, *, offset: int = 0, limit: int | None = None
    ) -> list[ModerationEntry]:
        """A page of the overview, in arrival order: three queries (the page's ids, its
        applications with their agreed scores, their panel scores)."""
        listed = self._listed(only).values_list("pk", flat=True)
        ids = list(listed[offset : offset + limit] if limit is not None else listed[offset:])
        applications = (
            Application.objects.filter(pk__in=ids)
            .defer("statement")
            .prefetch_related(
                Prefetch("agreed_assessments", AgreedAssessment.objects.prefetch_related("scores")),
            )
            .order_by("submitted_at", "pk")
        )
        by_application: dict[int, list[Score]] = defaultdict(list)
        for score in Score.objects.filter(application_id__in=ids, stage=self.stage).only(
            "application_id", "criterion_id", "scorer_id", "score"
        ):
            by_application[score.application_id].append(score)
        return [self._entry(a, by_application[a.pk]) for a in applications]

    def _entry(self, application: Application, scores: list[Score]) -> ModerationEntry:
        application.vacancy = self.vacancy
        submitted = submitted_scorers(scores, {c.pk for c in self.criteria})
        visible = others_visible(self.user, application, submitted, self.required)
        rows = _criterion_rows(self.criteria, sorted({s.scorer_id for s in scores}), scores, {})
        spreads = [r.spread for r in rows if r.spread is not None]
        total = assessment.agreed_total(application, self.stage)
        agreed = assessment.agreed_assessment(application, self.stage)
        out_of_date = agreed is not None and agreed.out_of_date
        return ModerationEntry(
            application=application,
            submitted=len(self.required & submitted),
            fully_scored=self.required <= submitted,
            spread=(max(spreads) if spreads else None) if visible else None,
            agreed_total=total,
            agreed=total is not None and not out_of_date,
            out_of_date=out_of_date,
        )

    def next_to_agree(self, after: Application) -> Application | None:
        """The next application, in arrival order after ``after`` (then from the start),
        that the whole panel has scored and whose scores are not yet agreed."""
        fully = (
            Score.objects.filter(
                application__in=self._base, stage=self.stage, scorer_id__in=self.required
            )
            .values("application_id")
            .annotate(n=Count("pk"))
            .filter(n=self._expected)
            .values("application_id")
        )
        waiting = (
            self._base.filter(pk__in=fully)
            .filter(~Q(scores_agreed(len(self.criteria), self.stage)))
            .exclude(pk=after.pk)
            .order_by("submitted_at", "pk")
        )
        later = Q(submitted_at__gt=after.submitted_at) | Q(
            submitted_at=after.submitted_at, pk__gt=after.pk
        )
        return waiting.filter(later).first() or waiting.first()


def moderation_progress(vacancy: Vacancy, user: User, stage: str) -> ModerationProgress:
    """The whole overview of a stage (``StageModeration``, every entry): for a small
    campaign and the tests; the page lists it a page at a time."""
    overview = StageModeration(vacancy, user, stage)
    return ModerationProgress(
        stage=stage,
        applications=overview.applications,
        fully_scored=overview.fully_scored,
        agreed=overview.agreed,
        scorers=len(overview.required),
        entries=overview.entries(ModerationFilter()),
    )
