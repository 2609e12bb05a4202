"""Decisions at scale: "shortlist everyone ranked 1 to N" (or "do not shortlist" them) as
one recorded request over thousands of applications, run by a Celery task with progress.

- ``decision_run_request`` fixes what the run covers, once: the undecided applications of
  the sift's ranking with a rank from 1 to N (equal totals share a rank, so a tie at N is
  taken whole), in ranking order. It is refused while another run of the vacancy is open.
- ``decision_run_advance`` (the task) takes the items in order, each through the same
  per-application action as a decision made by hand (its transaction, row locks, interview
  limit, agreed-scores rule and history row). The item is marked in the same transaction
  as the transition, so if the worker dies midway nothing done is lost, and running the
  task again (a redelivery, the "Resume" button, the nightly sweep) repeats nothing: it
  takes up the items still waiting. A refusal is recorded on its item and the run goes on.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from kernel.errors import ActionForbidden, DomainError
from recruitment import tasks
from recruitment.applications.services import (
    application_reject,
    application_shortlist,
    reason_required,
)
from recruitment.models import ApplicationState, DecisionRun, DecisionRunItem, ScoreStage
from recruitment.scoring.assessment import shortlisted_count
from recruitment.scoring.decisions import BULK_ACTIONS
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from vacancies.models import Vacancy, VacancyStatus

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

#: The most applications one run may cover.
MAX_RUN = 20_000
#: How long one task takes items before it queues the rest as a new task: each task stays
#: well inside ``CELERY_TASK_TIME_LIMIT``, and a redelivery repeats at most one slice's wait.
SLICE = timedelta(seconds=60)
#: A run with items waiting and no progress for this long is stalled: the sweep resumes it.
STALLED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class RunProgress:
    run: DecisionRun
    total: int
    done: int
    refused: int
    chain: str | None = None

    @property
    def waiting(self) -> int:
        return self.total - self.done - self.refused

    @property
    def percent(self) -> int:
        return 100 if not self.total else (self.done + self.refused) * 100 // self.total


@dataclass(frozen=True)
class RunPreview:
    """What a decision by rank would cover, before it is asked for: the undecided
    applications ranked 1 to ``up_to_rank``, by whether their agreed scores meet the minimum
    criteria, and the places the interview limit leaves (None: no limit)."""

    action: str
    up_to_rank: int
    reason: str
    meets: int
    does_not_meet: int
    not_assessed: int
    places: int | None

    @property
    def total(self) -> int:
        return self.meets + self.does_not_meet + self.not_assessed


def _checked(
    vacancy: Vacancy,
    by: User,
    action: str,
    up_to_rank: Any,
    reason: str,
    confirm: bool | None = None,
) -> tuple[RunPreview, VacancyRanking]:
    """Every check a decision by rank meets before it is asked for, in order: who asks
    (403), what they send (400; ``confirm`` too, unless None: the preview asks for none),
    the vacancy's state (409), then what the ranking allows (400 naming ``up_to_rank``).
    The preview and the request both run these."""
    if not rules.has_perm("vacancies.decide_applications", by, vacancy):
        raise ActionForbidden("Only the vacancy's hiring manager and HR decide the shortlist.")
    errors: dict[str, list[str]] = {}
    if action not in BULK_ACTIONS:
        errors["action"] = [f"Must be one of {list(BULK_ACTIONS)}."]
    if not isinstance(up_to_rank, int) or isinstance(up_to_rank, bool) or up_to_rank < 1:
        errors["up_to_rank"] = ["A whole number from 1."]
    if confirm is not None and confirm is not True:
        errors["confirm"] = ["Confirm the decision: it is applied to every application listed."]
    if errors:
        raise ValidationError(errors)
    if action == "reject":
        reason_required(reason)
    if vacancy.status in (VacancyStatus.DRAFT, VacancyStatus.OPEN):
        raise DomainError(  # as a decision on one application answers
            "vacancy_open", "Decisions from the ranking wait for the vacancy to close."
        )
    if vacancy.sift_completed_at is not None:
        raise DomainError("sift_complete", "The sift is complete: its decisions are made.")
    if vacancy.status != VacancyStatus.CLOSED:
        raise DomainError(
            "invalid_transition", "Decisions from the ranking are made on a closed vacancy."
        )
    if DecisionRun.objects.filter(vacancy=vacancy).exclude(state="done").exists():
        raise DomainError(
            "decision_run_open",
            "A decision from the ranking is still running for this vacancy: wait for it to finish.",
        )
    ranking = VacancyRanking(vacancy, ScoreStage.SHORTLISTING)
    by_meets = ranking.undecided_ranked(up_to_rank)
    places = None
    if action == "shortlist" and ranking.vacancy.interview_limit is not None:
        places = max(0, ranking.vacancy.interview_limit - shortlisted_count(ranking.vacancy))
    preview = RunPreview(
        action=action,
        up_to_rank=up_to_rank,
        reason=reason.strip(),
        meets=by_meets[True],
        does_not_meet=by_meets[False],
        not_assessed=by_meets[None],
        places=places,
    )
    if not preview.total:
        raise ValidationError(
            {"up_to_rank": [f"No undecided application is ranked 1 to {up_to_rank}: choose a "
                            "rank that reaches one."]}
        )  # fmt: skip
    if preview.total > MAX_RUN:
        raise ValidationError(
            {"up_to_rank": [f"That is {preview.total:,} applications: at most {MAX_RUN:,} in "
                            "one decision."]}
        )  # fmt: skip
    if places is not None and preview.total > places:
        fits = ranking.last_rank_within(places)
        advice = (
            f"Ranks 1 to {fits} fit whole."
            if fits
            else "No whole rank fits: decide the applications at that rank one by one."
        )
        raise ValidationError(
            {"up_to_rank": [f"The interview limit leaves {places:,} place"
                            f"{'' if places == 1 else 's'}, and ranks 1 to {up_to_rank} hold "
                            f"{preview.total:,} undecided applications: a tie would be split. "
                            f"{advice}"]}
        )  # fmt: skip
    return preview, ranking


def decision_run_preview(
    *, vacancy_id: Any, by: User, action: str, up_to_rank: Any, reason: str = ""
) -> RunPreview:
    """What ``decision_run_request`` would decide, with the same checks: for the page that
    asks the chair to confirm. Changes nothing."""
    vacancy = Vacancy.objects.get(pk=vacancy_id)
    return _checked(vacancy, by, action, up_to_rank, reason)[0]


def decision_run_request(
    *,
    vacancy_id: Any,
    by: User,
    action: str,
    up_to_rank: Any,
    reason: str = "",
    confirm: bool = False,
) -> DecisionRun:
    """Ask for a decision over the ranking's undecided applications ranked 1 to
    ``up_to_rank``; the task is queued on commit. ``confirm`` must be true."""
    with transaction.atomic():
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        preview, ranking = _checked(vacancy, by, action, up_to_rank, reason, confirm is True)
        covered = []
        for row in ranking.walk(RankingFilter(state=ApplicationState.SUBMITTED)):
            if row.rank is None or row.rank > up_to_rank:
                break
            covered.append(row.application.pk)
        try:
            with transaction.atomic():
                run = DecisionRun.objects.create(
                    vacancy=vacancy,
                    action=action,
                    up_to_rank=up_to_rank,
                    reason=preview.reason,
                    requested_by=by,
                )
        except IntegrityError as exc:  # another request got in first
            raise DomainError(
                "decision_run_open", "A decision from the ranking is still running."
            ) from exc
        DecisionRunItem.objects.bulk_create(
            (
                DecisionRunItem(run=run, application_id=pk, position=i)
                for i, pk in enumerate(covered)
            ),
            batch_size=2000,
        )
        transaction.on_commit(lambda: _queue(run.pk))
    logger.info(
        "decision run %s on vacancy %s by user %s: %s ranked 1 to %s, %d applications",
        run.pk,
        vacancy.pk,
        by.pk,
        action,
        up_to_rank,
        len(covered),
    )
    return run


def _queue(run_id: int) -> None:
    """A new line of tasks for the run (its messages carry the line's name, so a message
    delivered again after its worker died carries on as the same line)."""
    tasks.advance_decision_run.delay(run_id, uuid.uuid4().hex)


def _claim(run_id: Any, chain: str) -> str | None:
    """Make ``chain`` the one line of tasks working on the run, or None when another line
    is working on it (it made progress within ``STALLED_AFTER``). A task queues its own
    successor with its chain, so one line of tasks takes the run from start to end; a
    second line (a redelivered message beside a live worker, "Carry on" pressed twice, the
    sweep) stops at once instead of holding a worker and a connection waiting on the row."""
    with transaction.atomic():
        run = DecisionRun.objects.select_for_update().get(pk=run_id)
        if run.state == DecisionRun.State.DONE:
            return None
        if run.chain and run.chain != chain and not stalled(run):
            return None
        run.chain = chain or uuid.uuid4().hex
        if run.state == DecisionRun.State.QUEUED:
            run.state = DecisionRun.State.RUNNING
        run.progressed_at = timezone.now()
        run.save(update_fields=["chain", "state", "progressed_at"])
        return run.chain


def decision_run_advance(
    run_id: Any, *, chain: str = "", limit: int | None = None, seconds: float | None = None
) -> RunProgress:
    """Take the run's waiting items in order, each with its decision in one transaction;
    stop after ``limit`` items (the tests use it as a worker dying midway) or once
    ``seconds`` have passed (the task's slice, well inside Celery's time limit). Only one
    line of tasks works on a run (``_claim``); ``chain`` names the caller's, and the
    progress says which line holds the run (``RunProgress.chain``). Safe to run twice at
    once: each item is taken under the run's row lock, by the chain that holds it."""
    run = DecisionRun.objects.select_related("requested_by").get(pk=run_id)
    mine = _claim(run.pk, chain)
    if mine is None:
        return decision_run_progress(DecisionRun.objects.get(pk=run.pk))
    service = application_shortlist if run.action == "shortlist" else application_reject
    recorded = run.reason or "Shortlisted from the ranking."
    taken = 0
    until = None if seconds is None else time.monotonic() + seconds
    # At least one item a call, so that a slice always moves the run on.
    while limit is None or taken < limit:
        if taken and until is not None and time.monotonic() >= until:
            break
        with transaction.atomic():
            # The run's row first: two workers on one run (a redelivery beside a resume)
            # take its items strictly one after the other, in ranking order, so that under
            # an interview limit the best-ranked fill the places.
            held = DecisionRun.objects.filter(pk=run.pk, chain=mine).update(
                progressed_at=timezone.now()
            )
            if not held:
                break  # another line took the run over (this one had stalled)
            item = (
                DecisionRunItem.objects.select_for_update()
                .filter(run=run, outcome=DecisionRunItem.Outcome.PENDING)
                .order_by("position")
                .first()
            )
            if item is None:
                break
            code = detail = ""
            try:
                # A savepoint: a refusal rolls the action back, and the item is still marked.
                with transaction.atomic():
                    service(
                        application_id=item.application_id, by=run.requested_by, reason=recorded
                    )
            except DomainError as exc:
                code, detail = exc.code, exc.detail
            except ActionForbidden as exc:
                code, detail = "permission_denied", exc.detail
            except ValidationError as exc:
                code, detail = "invalid", "; ".join(exc.messages)
            item.outcome = DecisionRunItem.Outcome.REFUSED if code else DecisionRunItem.Outcome.DONE
            item.code, item.detail = code, detail[:2000]
            item.save(update_fields=["outcome", "code", "detail"])
        taken += 1
    if not DecisionRunItem.objects.filter(run=run, outcome="").exists():
        DecisionRun.objects.filter(pk=run.pk).exclude(state=DecisionRun.State.DONE).update(
            state=DecisionRun.State.DONE, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return decision_run_progress(run, chain=mine)


def decision_run_progress(run: DecisionRun, *, chain: str | None = None) -> RunProgress:
    """How far a run has got: one query. ``chain``: the line of tasks the caller worked as
    (None when it took nothing: another line holds the run, or it is finished)."""
    counts = DecisionRunItem.objects.filter(run=run).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(outcome="done")),
        refused=Count("pk", filter=Q(outcome="refused")),
    )
    return RunProgress(run=run, chain=chain, **counts)


def stalled(run: DecisionRun) -> bool:
    """Items waiting and no progress for ``STALLED_AFTER``: its worker has gone."""
    if run.state == DecisionRun.State.DONE:
        return False
    last = run.progressed_at or run.requested_at
    return last < timezone.now() - STALLED_AFTER


def decision_run_resume(run: DecisionRun) -> bool:
    """ "Carry on": queue a stalled run again, on commit (it takes up only the items still
    waiting). False, and nothing queued, when the run is finished or still moving."""
    if not stalled(run):
        return False
    transaction.on_commit(lambda: _queue(run.pk))
    return True


def decision_runs_resume() -> list[int]:
    """Queue again every run with items waiting that has made no progress lately (its
    worker died, or its message was lost): the nightly sweep and the page's "Resume"."""
    cutoff = timezone.now() - STALLED_AFTER
    stalled = list(
        DecisionRun.objects.exclude(state=DecisionRun.State.DONE)
        .filter(
            Q(progressed_at__lt=cutoff) | Q(progressed_at__isnull=True, requested_at__lt=cutoff)
        )
        .values_list("pk", flat=True)
    )
    for pk in stalled:
        _queue(pk)
    return stalled
