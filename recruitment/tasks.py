"""Celery tasks: thin interfaces over services."""

import logging
from typing import Any

from celery import Task, shared_task

from kernel import mail
from recruitment.applications.notifications import (
    agreement_reopened_send,
    interview_reminders_send,
    notify,
    scoring_reminders_send,
)

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=mail.MAX_RETRIES)
def send_notification(self: Task[Any, Any], application_id: Any, kind: str) -> bool:
    """Send a candidate message once (idempotent: a retried or redelivered task sends
    nothing twice). A transient failure to send is retried with a bounded backoff; a
    permanent one is logged (by application and kind only) and not retried. Nothing is
    recorded as sent unless it was (``notify``)."""
    try:
        return notify(application_id, kind)
    except mail.PermanentSendFailure as failure:
        logger.error(
            "notification %s for application %s not sent (permanent: %s); not retried",
            kind,
            application_id,
            failure,
        )
        return False
    except mail.TransientSendFailure as failure:
        transient = failure
    # Outside the except block, so nothing else is chained to what Celery logs.
    retries, limit = self.request.retries, self.max_retries
    if limit is not None and retries >= limit:
        logger.error(
            "notification %s for application %s not sent (transient: %s); gave up after %s retries",
            kind,
            application_id,
            transient,
            retries,
        )
        raise transient
    logger.warning(
        "notification %s for application %s not sent (transient: %s); retry %s of %s",
        kind,
        application_id,
        transient,
        retries + 1,
        limit,
    )
    raise self.retry(exc=transient, countdown=mail.retry_delay(retries))


@shared_task(acks_late=True)
def run_monitoring_report(report_id: str) -> None:
    """Compute a large monitoring report with progress (idempotent)."""
    from recruitment.monitoring.reports import report_run

    report_run(report_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def advance_decision_run(run_id: int, chain: str = "") -> dict[str, int]:
    """Take a decision from the ranking on for a slice of a minute, then queue the rest
    (idempotent and resumable: each item is marked in the transaction of its decision; a
    rerun takes up what is waiting)."""
    from recruitment.scoring import decision_runs

    progress = decision_runs.decision_run_advance(
        run_id, chain=chain, seconds=decision_runs.SLICE.total_seconds()
    )
    if progress.chain and progress.waiting and progress.run.state != "done":
        # The rest, as a task of its own in the same line (a line that did not hold the
        # run stops here: another is working on it).
        advance_decision_run.delay(run_id, progress.chain)
    return {"total": progress.total, "done": progress.done, "refused": progress.refused}


@shared_task(acks_late=True)
def resume_decision_runs() -> list[int]:
    """Periodic (beat, every 5 minutes): queue again the decisions from the ranking that have
    items waiting and no progress for 5 minutes (a lost message, a dead worker)."""
    from recruitment.scoring.decision_runs import decision_runs_resume

    return decision_runs_resume()


@shared_task(acks_late=True)
def send_scoring_reminders() -> list[dict[str, Any]]:
    """Periodic (beat, hourly): remind panel members of applications waiting for their
    scores (idempotent: each member is reminded of an application once per stage)."""
    return scoring_reminders_send()


@shared_task(acks_late=True)
def send_interview_reminders() -> list[int]:
    """Periodic (beat, hourly): remind candidates of tomorrow's booked interviews
    (idempotent: once per booking)."""
    return interview_reminders_send()


# --- Retention (recruitment/privacy/retention.py) -----------------------------------------------------


@shared_task(acks_late=True)
def erase_expired_personal_data() -> dict[str, list[int]]:
    """Periodic (beat, nightly): one erasure task per vacancy past its retention period and
    one per batch of candidate accounts due for deletion. Each of those re-checks under a
    lock, so a fan-out run twice, or overlapping a run still going, changes nothing more."""
    from recruitment.privacy import retention

    vacancies = list(retention.vacancies_due().values_list("pk", flat=True))
    accounts = list(retention.candidates_due().values_list("pk", flat=True))
    for vacancy_id in vacancies:
        erase_vacancy_applications.delay(vacancy_id)
    for chunk in retention.chunked(accounts):
        erase_candidate_accounts.delay(chunk)
    retention.forget_failed_sign_ins()
    retention.forget_stale_drafts()
    return {"vacancies": vacancies, "accounts": accounts}


@shared_task(acks_late=True)
def erase_vacancy_applications(vacancy_id: int) -> int:
    """Erase one vacancy's applications that are due; 0 when there is nothing (left) to do."""
    from recruitment.privacy import retention

    return retention.erase_vacancy_applications(vacancy_id)


@shared_task(acks_late=True)
def erase_candidate_accounts(user_ids: list[int]) -> list[int]:
    """Delete those of these candidate accounts that are due; the ids deleted (none when
    they are gone or no longer due)."""
    from recruitment.privacy import retention

    return retention.erase_candidate_accounts(user_ids)


@shared_task(bind=True, acks_late=True, max_retries=mail.MAX_RETRIES)
def send_agreement_reopened(self: Task[Any, Any], application_id: Any, stage: str) -> bool:
    """Tell the chair that agreed scores were reopened by a later score (retried while the
    failure is transient; a permanent failure is logged: the pages show it regardless)."""
    try:
        return agreement_reopened_send(application_id, stage)
    except mail.PermanentSendFailure as failure:
        logger.error(
            "reopened-agreement notice for %s not sent (permanent: %s)", application_id, failure
        )
        return False
    except mail.TransientSendFailure as failure:
        transient = failure
    raise self.retry(exc=transient, countdown=mail.retry_delay(self.request.retries))
