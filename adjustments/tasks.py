"""Celery tasks: thin interfaces over services."""

from celery import shared_task

from adjustments.services import adjustments_send_reminders


@shared_task(acks_late=True)
def send_adjustment_reminders() -> dict[str, list[int]]:
    """Periodic (beat, hourly): remind coordinators of open requests due soon or overdue."""
    return adjustments_send_reminders()
