"""Celery tasks: thin interfaces over services."""

from typing import Any

from celery import shared_task

from recruitment.notifications import notify, scoring_reminders_send


@shared_task(
    acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5
)
def send_notification(application_id: Any, kind: str) -> bool:
    """Send a candidate message once (idempotent: a retried task sends nothing twice)."""
    return notify(application_id, kind)


@shared_task(acks_late=True)
def run_monitoring_report(report_id: str) -> None:
    """Compute a large monitoring report with progress (idempotent)."""
    from recruitment.monitoring_reports import report_run

    report_run(report_id)


@shared_task(acks_late=True)
def send_scoring_reminders() -> list[dict[str, Any]]:
    """Periodic (beat, hourly): remind panel members of applications waiting for their
    scores (idempotent: each member is reminded of an application once per stage)."""
    return scoring_reminders_send()
