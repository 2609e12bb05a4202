"""Reads: what a user may see of applications, scores, rankings and history; the scoring
queues, moderation and the positive-action audit."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import rules
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kernel.audit import LogEntry
from recruitment.models import (
    SCORING_OPEN,
    AgreedAssessment,
    Application,
    ApplicationState,
    OfferDecision,
    Score,
    ScoreStage,
)
from recruitment.scoring import assessment
from recruitment.scoring.ranked import VacancyRanking
from recruitment.scoring.ranking import RankedApplication

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from vacancies.models import Vacancy


def vacancy_ranking(vacancy: Vacancy, stage: str) -> list[RankedApplication]:
    """The whole ranking of a vacancy's applications at a stage (``ranked.VacancyRanking``,
    computed in the database): for small campaigns and the contract's unpaged list. Pages
    and bulk work use ``VacancyRanking`` directly."""
    return list(VacancyRanking(vacancy, stage).walk())


# --- Independent scoring ------------------------------------------------------------------------


def scorers(vacancy: Vacancy) -> list[User]:
    """The people expected to score every application, by name: the panel, or the chair
    alone when the vacancy has no panel. Reads the prefetched panel when there is one."""
    panel = sorted(vacancy.panel.all(), key=lambda u: (u.full_name, u.pk))
    return panel or [vacancy.hiring_manager]


def submitted_scorers(scores: Iterable[Score], criterion_ids: set[int]) -> set[int]:
    """Ids of the scorers who have scored every criterion, among ``scores`` (one application,
    one stage)."""
    scored: dict[int, set[int]] = defaultdict(set)
    for score in scores:
        scored[score.scorer_id].add(score.criterion_id)
    return {scorer for scorer, done in scored.items() if criterion_ids <= done}


def others_visible(
    user: User, application: Application, submitted: set[int], required: set[int]
) -> bool:
    """Independent scoring: whether ``user`` may see the other scorers' scores of an
    application at a stage. HR (who does not score) always; a scorer once they have scored
    every criterion themselves; the chair, who moderates, also once everyone expected to
    score (``required``) has done so, even if they did not score themselves."""
    if rules.has_perm("recruitment.view_all_scores", user, application) or user.pk in submitted:
        return True
    return (
        bool(required)
        and required <= submitted
        and rules.has_perm("recruitment.agree_scores", user, application)
    )


@dataclass
class ScoresView:
    stage: str
    mine: list[Score]
    others: list[Score] | None  # None while hidden: the caller has not submitted yet
    agreed: AgreedAssessment | None


def scores_visible_to(application: Application, user: User, stage: str) -> ScoresView:
    """Independent scoring: a panel member sees others' scores only after submitting their
    own (``others_visible``). Everyone who may see scores sees the agreed ones."""
    scores = list(
        Score.objects.filter(application=application, stage=stage)
        .select_related("scorer", "criterion")
        .order_by("criterion__position", "criterion_id", "scorer__full_name")
    )
    mine = [s for s in scores if s.scorer_id == user.pk]
    submitted = submitted_scorers(scores, {c.pk for c in application.vacancy.criteria.all()})
    required = {u.pk for u in scorers(application.vacancy)}
    others: list[Score] | None = None
    if others_visible(user, application, submitted, required):
        others = [s for s in scores if s.scorer_id != user.pk]
    return ScoresView(
        stage=stage,
        mine=mine,
        others=others,
        agreed=assessment.agreed_assessment(application, stage),
    )


#: Who is scored at a stage: at the sift everyone not withdrawn; at interview everyone who
#: has had (or has) an interview arranged.
SCORED_STATES = {
    ScoreStage.SHORTLISTING: [s for s in ApplicationState.values if s != "withdrawn"],
    ScoreStage.INTERVIEW: [
        ApplicationState.INTERVIEW_SCHEDULED,
        ApplicationState.INTERVIEWED,
        ApplicationState.NOT_APPOINTED,
        ApplicationState.OFFERED,
        ApplicationState.APPOINTED,
        ApplicationState.OFFER_DECLINED,
    ],
}


def order_key(vacancy: Vacancy, user: User, pk: int, submitted_at: datetime) -> Any:
    """The order a scorer sees a vacancy's applications in: arrival order, or, when the
    vacancy asks for it, an order of their own. A hash of (vacancy, scorer, application) is
    random-looking, differs between scorers and never changes, so a scorer's list stays put
    between visits and across processes."""
    if vacancy.randomise_order:
        seed = f"{vacancy.pk}:{user.pk}:{pk}".encode()
        return hashlib.sha256(seed).hexdigest()
    return (submitted_at, pk)


@dataclass(frozen=True)
class QueueEntry:
    application: Application
    scored: int  # how many criteria the scorer has scored
    submitted: bool  # scored every criterion
    open: bool  # scores may still change


class ScoringQueue:
    """A scorer's applications at a stage, in their order, a page at a time. The order is
    set from the ids alone (one light query, hashed in Python when the vacancy randomises
    it: a hash no SQLite function computes); a page costs two queries more, the counts one."""

    def __init__(self, vacancy: Vacancy, user: User, stage: str) -> None:
        self.vacancy, self.user, self.stage = vacancy, user, ScoreStage(stage)
        rows = Application.objects.filter(
            vacancy=vacancy, state__in=SCORED_STATES[self.stage]
        ).values_list("pk", "submitted_at", "state")
        ordered = sorted(rows, key=lambda row: order_key(vacancy, user, row[0], row[1]))
        self.order = [pk for pk, _, _ in ordered]
        self.states = {pk: state for pk, _, state in ordered}
        self.criteria = len(vacancy.criteria.all())
        self.done = (
            Application.objects.filter(pk__in=self._mine().values("application_id"))
            .filter(vacancy=vacancy, state__in=SCORED_STATES[self.stage])
            .count()
        )

    def __len__(self) -> int:
        return len(self.order)

    def _mine(self) -> QuerySet[Any]:
        """The applications this scorer has scored every criterion of, at this stage."""
        return (
            Score.objects.filter(
                application__vacancy=self.vacancy, stage=self.stage, scorer=self.user
            )
            .values("application_id")
            .annotate(n=Count("id"))
            .filter(n__gte=self.criteria)
        )

    def entries(self, offset: int = 0, limit: int | None = None) -> list[QueueEntry]:
        ids = self.order[offset : offset + limit] if limit is not None else self.order[offset:]
        applications = Application.objects.filter(pk__in=ids).defer("statement").in_bulk()
        counts = dict(
            Score.objects.filter(application_id__in=ids, stage=self.stage, scorer=self.user)
            .values("application_id")
            .annotate(n=Count("id"))
            .values_list("application_id", "n")
        )
        open_states = SCORING_OPEN[self.stage]
        return [
            QueueEntry(
                application=applications[pk],
                scored=counts.get(pk, 0),
                submitted=counts.get(pk, 0) >= self.criteria,
                open=applications[pk].state in open_states,
            )
            for pk in ids
        ]

    def next_to_score(self, after: Application) -> Application | None:
        """The next application in the scorer's order after ``after`` (then from the
        start) that is open and that they have not fully scored."""
        done = set(self._mine().values_list("application_id", flat=True))
        open_states = SCORING_OPEN[self.stage]
        start = self.order.index(after.pk) + 1 if after.pk in self.order else 0
        for pk in self.order[start:] + self.order[:start]:
            if pk != after.pk and pk not in done and self.states[pk] in open_states:
                return Application.objects.get(pk=pk)
        return None


def scoring_queue(vacancy: Vacancy, user: User, stage: str) -> list[QueueEntry]:
    """A scorer's whole queue at a stage (``ScoringQueue``), for small campaigns and tests."""
    return ScoringQueue(vacancy, user, stage).entries()


# --- The positive-action audit -------------------------------------------------------------------


def positive_action_decisions(
    *, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[OfferDecision]:
    """Offers where the s.159 tie-breaker was a question: it was used, or the candidate
    offered the job was in a tie at interview. ``date_from``/``date_to`` are inclusive local
    dates of the decision."""
    decisions = (
        OfferDecision.objects.filter(Q(positive_action_used=True) | ~Q(tied_with=[]))
        .select_related("application__vacancy", "decided_by")
        .order_by("decided_at", "id")
    )
    if date_from is not None:
        decisions = decisions.filter(decided_at__gte=_local_midnight(date_from))
    if date_to is not None and date_to < date.max:  # the last day there is bounds nothing
        decisions = decisions.filter(decided_at__lt=_local_midnight(date_to + timedelta(days=1)))
    return decisions


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class ScoreChange:
    """One score given or changed, from the audit log (django-auditlog records every write
    of a ``Score``)."""

    at: datetime
    stage: str
    criterion: str
    scorer: str
    before: int | None
    after: int | None
    note_changed: bool
    #: Made after the stage's scores were first agreed.
    after_agreement: bool


def score_history(application: Application, viewer: User | None = None) -> list[ScoreChange]:
    """Every score given or changed on this application, oldest first, each marked when it
    came after the stage's scores were agreed: what the chair and HR read (never the panel,
    whose members score independently). For a ``viewer`` the independence rule holds here
    too (``others_visible``, stage by stage): the chair sees others' scores only once the
    whole panel has scored (or they have scored themselves); HR and ``None`` (the tribunal
    export) see everything. Three queries, a few more for a chair."""
    scores = list(
        Score.objects.filter(application=application).select_related("criterion", "scorer")
    )
    if viewer is not None and not rules.has_perm(
        "recruitment.view_all_scores", viewer, application
    ):
        criterion_ids = {c.pk for c in application.vacancy.criteria.all()}
        required = {u.pk for u in scorers(application.vacancy)}
        hidden_stages = {
            stage
            for stage in ScoreStage.values
            if not others_visible(
                viewer,
                application,
                submitted_scorers([s for s in scores if s.stage == stage], criterion_ids),
                required,
            )
        }
        scores = [s for s in scores if s.scorer_id == viewer.pk or s.stage not in hidden_stages]
    agreed = list(AgreedAssessment.objects.filter(application=application).only("pk", "stage"))
    return score_histories(scores, agreed).get(application.pk, [])


#: Audit-log entries are looked up this many objects at a time (SQLite's limit on the
#: parameters of one statement).
LOG_BATCH = 5000


def score_histories(
    scores: Iterable[Score], agreed: Iterable[AgreedAssessment]
) -> dict[int, list[ScoreChange]]:
    """application id → the changes to these scores (with their criterion and scorer
    loaded), oldest first, each marked when it came after its stage's first agreement (of
    ``agreed``). One audit-log query per ``LOG_BATCH`` objects, whatever the number of
    applications (the tribunal export reads a whole campaign)."""
    by_pk = {str(s.pk): s for s in scores}
    stage_of = {str(a.pk): (a.application_id, a.stage) for a in agreed}
    score_type = ContentType.objects.get_for_model(Score)
    agreed_type = ContentType.objects.get_for_model(AgreedAssessment)
    keys = [(score_type, pk) for pk in by_pk] + [(agreed_type, pk) for pk in stage_of]
    entries: list[LogEntry] = []
    for i in range(0, len(keys), LOG_BATCH):
        batch = keys[i : i + LOG_BATCH]
        entries += LogEntry.objects.filter(
            Q(content_type=score_type, object_pk__in=[pk for t, pk in batch if t == score_type])
            | Q(
                content_type=agreed_type,
                object_pk__in=[pk for t, pk in batch if t == agreed_type],
            )
        ).only("content_type_id", "object_pk", "timestamp", "changes")
    entries.sort(key=lambda e: (e.timestamp, e.pk))
    first_agreed: dict[tuple[int, str], datetime] = {}
    history: dict[int, list[ScoreChange]] = {}
    for entry in entries:
        if entry.content_type_id == agreed_type.pk:
            first_agreed.setdefault(stage_of[entry.object_pk], entry.timestamp)
            continue
        score = by_pk[entry.object_pk]
        changes = entry.changes_dict
        if "score" not in changes and "note" not in changes:
            continue
        # A first score's note shows as a change from "None": only a different text counts.
        note_before, note_after = (
            "" if value in (None, "None") else value for value in changes.get("note", ["", ""])
        )
        before, after = changes.get("score", [str(score.score), str(score.score)])
        history.setdefault(score.application_id, []).append(
            ScoreChange(
                at=entry.timestamp,
                stage=score.stage,
                criterion=score.criterion.text,
                scorer=score.scorer.full_name,
                before=_score_value(before),
                after=_score_value(after),
                note_changed=note_before != note_after,
                after_agreement=(score.application_id, score.stage) in first_agreed,
            )
        )
    return history


def _score_value(value: object) -> int | None:
    return int(str(value)) if str(value).isascii() and str(value).isdigit() else None
