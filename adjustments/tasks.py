"""Celery tasks: thin interfaces over services."""

from typing import Any

from celery import shared_task

from adjustments.services import adjustments_send_reminders
from kernel import mail


@shared_task(acks_late=True)
def send_adjustment_reminders() -> dict[str, list[int]]:
    """Periodic (beat, hourly): remind coordinators of open requests due soon or overdue."""
    return adjustments_send_reminders()


@shared_task(bind=True, acks_late=True, max_retries=mail.MAX_RETRIES)
def tell_coordinators_before_applying(self: Any, request_id: int) -> bool:
    """Tell HR of a request for an adjustment made before applying (retried if the mail
    server is away for a while)."""
    from adjustments.before_applying import coordinators_tell

    try:
        return coordinators_tell(request_id)
    except mail.TransientSendFailure as failure:
        raise self.retry(countdown=mail.retry_delay(self.request.retries), exc=failure) from None
    except mail.PermanentSendFailure:
        return False
