"""When a campaign is cancelled, its booked interviews are cancelled with it: each slot's
booking ends and the candidate is sent the calendar cancellation (saying the job was
cancelled). Vacancies import no other domain app, so this listens for the vacancy's own
transition (django-fsm's ``post_transition``), inside the cancelling transaction; the messages
go once it commits."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm.signals import post_transition

from recruitment import tasks
from recruitment.applications.notifications import INTERVIEW_CANCELLED
from recruitment.interviews.models import InterviewBooking
from vacancies.models import Vacancy, VacancyStatus

logger = logging.getLogger(__name__)


def bookings_cancel_for_vacancy(vacancy: Vacancy) -> list[int]:
    """End the live bookings of a vacancy's slots; queue each candidate's cancellation."""
    held = list(
        InterviewBooking.objects.live()
        .select_for_update()
        .filter(slot__vacancy=vacancy)
        .values_list("pk", "application_id")
    )
    InterviewBooking.objects.filter(pk__in=[pk for pk, _ in held]).update(
        cancelled_at=timezone.now()
    )
    for pk, application_id in held:
        _tell_on_commit(application_id, f"{INTERVIEW_CANCELLED}{pk}")
    if held:
        logger.info("vacancy %s cancelled: %d interview bookings cancelled", vacancy.pk, len(held))
    return [pk for pk, _ in held]


def _tell_on_commit(application_id: int, kind: str) -> None:
    transaction.on_commit(lambda: tasks.send_notification.delay(application_id, kind))


def on_transition(sender: Any, instance: Any, target: Any = None, **kwargs: Any) -> None:
    if isinstance(instance, Vacancy) and target == VacancyStatus.CANCELLED:
        bookings_cancel_for_vacancy(instance)


def connect() -> None:
    post_transition.connect(on_transition, sender=Vacancy, dispatch_uid="interviews-on-cancel")
