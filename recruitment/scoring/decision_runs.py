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

    @property
    def waiting(self) -> int:
        return self.total - self.done - self.refused

    @property
    def percent(self) -> int:
        return 100 if not self.total else (self.done + self.refused) * 100 // self.total


def decision_run_request(
    *,
    vacancy_id: Any,
    by: User,
    action: str,
    up_to_rank: int,
    reason: str = "",
    confirm: bool = False,
) -> DecisionRun:
    """Ask for a decision over the ranking's undecided applications ranked 1 to
    ``up_to_rank``; the task is queued on commit. ``confirm`` must be true."""
    errors: dict[str, list[str]] = {}
    if action not in BULK_ACTIONS:
        errors["action"] = [f"Must be one of {list(BULK_ACTIONS)}."]
    if not isinstance(up_to_rank, int) or isinstance(up_to_rank, bool) or up_to_rank < 1:
        errors["up_to_rank"] = ["A whole number from 1."]
    if not confirm:
        errors["confirm"] = ["Confirm the decision: it is applied to every application listed."]
    if errors:
        raise ValidationError(errors)
    if action == "reject":
        reason_required(reason)
    with transaction.atomic():
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        if not rules.has_perm("vacancies.decide_applications", by, vacancy):
            raise ActionForbidden("Only the vacancy's hiring manager and HR decide the shortlist.")
        if vacancy.status != VacancyStatus.CLOSED or vacancy.sift_completed_at is not None:
            raise DomainError(
                "vacancy_open" if vacancy.status == VacancyStatus.OPEN else "invalid_transition",
                "Decisions from the ranking are made on a closed vacancy, before the sift is "
                "complete.",
            )
        if DecisionRun.objects.filter(vacancy=vacancy).exclude(state="done").exists():
            raise DomainError(
                "decision_run_open",
                "A decision from the ranking is still running for this vacancy: wait for it "
                "to finish.",
            )
        ranking = VacancyRanking(vacancy, ScoreStage.SHORTLISTING)
        covered = []
        for row in ranking.walk(RankingFilter(state=ApplicationState.SUBMITTED)):
            if row.rank is None or row.rank > up_to_rank:
                break
            covered.append(row.application.pk)
            if len(covered) > MAX_RUN:
                raise ValidationError(
                    {"up_to_rank": [f"At most {MAX_RUN} applications in one decision."]}
                )
        if not covered:
            raise ValidationError(
                {"up_to_rank": [f"No undecided application is ranked 1 to {up_to_rank}."]}
            )
        try:
            with transaction.atomic():
                run = DecisionRun.objects.create(
                    vacancy=vacancy,
                    action=action,
                    up_to_rank=up_to_rank,
                    reason=reason.strip(),
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
    tasks.advance_decision_run.delay(run_id)


def decision_run_advance(
    run_id: Any, *, limit: int | None = None, seconds: float | None = None
) -> RunProgress:
    """Take the run's waiting items in order, each with its decision in one transaction;
    stop after ``limit`` items (the tests use it as a worker dying midway) or once
    ``seconds`` have passed (the task's slice, well inside Celery's time limit). Safe to
    run twice at once: each item is taken under the run's row lock."""
    run = DecisionRun.objects.select_related("requested_by").get(pk=run_id)
    if run.state == DecisionRun.State.DONE:
        return decision_run_progress(run)
    DecisionRun.objects.filter(pk=run.pk, state=DecisionRun.State.QUEUED).update(
        state=DecisionRun.State.RUNNING
    )
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
            DecisionRun.objects.select_for_update().filter(pk=run.pk).update(
                progressed_at=timezone.now()
            )
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
    return decision_run_progress(run)


def decision_run_progress(run: DecisionRun) -> RunProgress:
    """How far a run has got: one query."""
    counts = DecisionRunItem.objects.filter(run=run).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(outcome="done")),
        refused=Count("pk", filter=Q(outcome="refused")),
    )
    return RunProgress(run=run, **counts)


def stalled(run: DecisionRun) -> bool:
    """Items waiting and no progress for ``STALLED_AFTER``: its worker has gone."""
    if run.state == DecisionRun.State.DONE:
        return False
    last = run.progressed_at or run.requested_at
    return last < timezone.now() - STALLED_AFTER


def decision_run_resume(run: DecisionRun) -> None:
    """Queue a run again, on commit (idempotent: it takes up only the items still waiting;
    beside a worker still on it, the run's row lock takes each item once)."""
    if run.state != DecisionRun.State.DONE:
        transaction.on_commit(lambda: _queue(run.pk))


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
