"""The chair's and HR's writes on interview slots: publish a run of slots, remove a free
one. Each in a transaction with the vacancy row locked, audited (django-auditlog, with who
acted). Booking, moving and cancelling are the application's own actions
(``book_interview``, ``cancel_interview`` in recruitment/applications/)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from recruitment.applications.models import Application
from recruitment.applications.services import (
    INTERVIEW_MINUTES,
    interview_details_errors,
    notify_on_commit,
)
from recruitment.applications.states import ApplicationState
from recruitment.interviews.models import InterviewBooking, InterviewSlot
from vacancies.models import Vacancy, VacancyStatus

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

#: The most slots one request publishes (a long day of short interviews).
MAX_RUN = 40
#: The longest gap between two slots of a run, in minutes.
MAX_GAP = 240


@dataclass
class SlotRun:
    """``count`` slots of ``minutes`` each, the first at ``starts_at``, ``gap`` minutes apart
    (between one's end and the next's start), all alike otherwise."""

    starts_at: datetime
    minutes: int
    format: str
    place: str = ""
    accessible: bool = False
    panel: list[int] = field(default_factory=list)
    count: int = 1
    gap: int = 0


def run_errors(run: SlotRun, vacancy: Vacancy) -> dict[str, list[str]]:
    """What is wrong with a run of slots for this vacancy, by field (empty: nothing)."""
    return _errors(run, vacancy)


def _errors(run: SlotRun, vacancy: Vacancy) -> dict[str, list[str]]:
    errors = interview_details_errors(run.format, run.place, run.minutes)
    if not run.format:
        errors["format"] = ["Say how the interviews are held: in person, by video or by phone."]
    errors = {("format" if k == "interview_format" else k.removeprefix("interview_")): v
              for k, v in errors.items()}  # fmt: skip
    horizon = timedelta(days=settings.INTERVIEW_SLOT_HORIZON_DAYS)
    if run.starts_at <= timezone.now():
        errors["starts_at"] = ["The first slot must be in the future."]
    elif run.starts_at > timezone.now() + horizon:
        errors["starts_at"] = [
            f"The first slot must be within {settings.INTERVIEW_SLOT_HORIZON_DAYS} days."
        ]
    if not 1 <= run.count <= MAX_RUN:
        errors["count"] = [f"Between 1 and {MAX_RUN} slots at a time."]
    if not 0 <= run.gap <= MAX_GAP:
        errors["gap"] = [f"Between 0 and {MAX_GAP} minutes."]
    if run.accessible and run.format != "in_person":
        errors["accessible"] = ["Only an in-person venue is marked accessible."]
    staff = {vacancy.hiring_manager_id, *(p.pk for p in vacancy.panel.all())}
    if not run.panel:
        errors["panel"] = ["Choose who sits on the panel for these slots."]
    elif not set(run.panel) <= staff:
        errors["panel"] = ["Choose the panel from the vacancy's chair and panel members."]
    return errors


def slots_publish(*, vacancy_id: Any, by: User, run: SlotRun) -> list[InterviewSlot]:
    """Publish a run of slots on a closed vacancy (the chair or HR). 400 with the fields
    named; 409 ``vacancy_open`` before it closes, ``invalid_transition`` once it has ended."""
    with transaction.atomic():
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        if not rules.has_perm("vacancies.manage_interview_slots", by, vacancy):
            raise ActionForbidden("You may not publish interview slots for this vacancy.")
        if vacancy.status in (VacancyStatus.DRAFT, VacancyStatus.OPEN):
            raise DomainError("vacancy_open", "Interview slots are published once it has closed.")
        if vacancy.status != VacancyStatus.CLOSED:
            raise DomainError(
                "invalid_transition",
                f"The vacancy is {vacancy.get_status_display().lower()}: no more interviews.",
            )
        if errors := _errors(run, vacancy):
            raise ValidationError(errors)
        made = []
        with acting_as(by):
            for i in range(run.count):
                slot = InterviewSlot.objects.create(
                    vacancy=vacancy,
                    starts_at=run.starts_at + i * timedelta(minutes=run.minutes + run.gap),
                    minutes=run.minutes,
                    format=run.format,
                    place=run.place.strip(),
                    accessible=run.accessible,
                    created_by=by,
                )
                slot.panel.set(run.panel)
                made.append(slot)
        if vacancy.sift_completed_at is not None:
            booking_open_tell(vacancy)
    logger.info("vacancy %s: %s interview slots published by user %s", vacancy.pk, len(made), by.pk)
    return made


def slot_remove(*, slot_id: Any, by: User) -> None:
    """Remove a slot nobody holds (409 ``slot_taken`` while booked). It is no longer offered
    or listed; the row stays, as its cancelled bookings are someone's history."""
    with transaction.atomic():
        slot = (
            InterviewSlot.objects.published()
            .select_for_update()
            .select_related("vacancy")
            .filter(pk=slot_id)
            .first()
        )
        if slot is None:
            raise Http404("No such interview slot.")
        if not rules.has_perm("vacancies.manage_interview_slots", by, slot.vacancy):
            raise ActionForbidden("You may not remove interview slots for this vacancy.")
        if InterviewBooking.objects.live().filter(slot=slot).exists():
            raise DomainError(
                "slot_taken",
                "A candidate has booked this slot: it can be removed once they cancel or move.",
            )
        with acting_as(by):
            slot.removed_at = timezone.now()
            slot.save(update_fields=["removed_at"])
    logger.info("interview slot %s removed by user %s", slot_id, by.pk)


def booking_open_tell(vacancy: Vacancy) -> None:
    """Once the sift is complete and there are slots to book, tell every candidate invited
    to interview and not yet booked, in the same words and at the same moment, that they can
    choose a time (once each): nobody, guaranteed or not, hears first."""
    if (
        not InterviewSlot.objects.published()
        .filter(vacancy=vacancy, starts_at__gt=timezone.now())
        .exists()
    ):
        return
    for pk in Application.objects.filter(
        vacancy=vacancy, state=ApplicationState.SHORTLISTED
    ).values_list("pk", flat=True):
        notify_on_commit(pk, "interview_booking_open")


__all__ = [
    "INTERVIEW_MINUTES",
    "MAX_GAP",
    "MAX_RUN",
    "SlotRun",
    "booking_open_tell",
    "run_errors",
    "slot_remove",
    "slots_publish",
]
