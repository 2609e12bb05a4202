"""Booking, moving and cancelling an interview slot: the steps the application's
``book_interview`` and ``cancel_interview`` actions run on the locked application
(recruitment/applications/services.py), and the slots a candidate is offered.

First come, first served with no double booking: the booking locks the slot's panel members
(in id order, so two bookings never wait on each other) and then the slot, checks that the
slot is free and that the interview, lengthened by any agreed extra time, does not run into
another interview of anyone on its panel; two live bookings of one slot are also refused by
the database (``one_live_booking_per_slot``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import User
from adjustments.models import AdjustmentRequest
from kernel.errors import DomainError
from recruitment.applications.models import Application
from recruitment.applications.states import ApplicationState
from recruitment.interviews import rules
from recruitment.interviews.models import InterviewBooking, InterviewSlot
from vacancies.models import VacancyStatus

NOT_OFFERED = "Choose one of the interview slots offered."
#: The states in which a candidate may book (invited) or move (booked) an interview.
BOOKABLE_STATES = (ApplicationState.SHORTLISTED, ApplicationState.INTERVIEW_SCHEDULED)


@dataclass(frozen=True)
class Offer:
    """A slot as offered to one candidate: its time with their extra time added."""

    slot: InterviewSlot
    minutes: int

    @property
    def ends_at(self) -> datetime:
        return self.slot.starts_at + timedelta(minutes=self.minutes)


def needs_for(application: Application) -> rules.Needs:
    return rules.needs_of(AdjustmentRequest.objects.filter(application=application))


def live_booking(application: Application) -> InterviewBooking | None:
    return (
        InterviewBooking.objects.live()
        .select_related("slot")
        .filter(application=application)
        .first()
    )


@dataclass(frozen=True)
class Busy:
    """When some of the panel are interviewing someone else."""

    start: datetime
    end: datetime
    panel: frozenset[int]
    slot_id: int | None = None


#: How long an interview the recruitment team arranged with no length is taken to last.
ARRANGED_MINUTES = 60


def _busy(slots: Sequence[InterviewSlot], application: Application) -> list[Busy]:
    """The interviews (not this application's) of anyone on these slots' panels that could
    run into them: live bookings, and interviews the recruitment team arranged without a slot
    (their vacancy's chair and panel are busy). Two queries, however many slots."""
    if not slots:
        return []
    panel = {p.pk for s in slots for p in s.panel.all()}
    earliest = min(s.starts_at for s in slots) - timedelta(days=1)
    latest = max(s.starts_at for s in slots) + timedelta(days=1)
    found = [
        Busy(b.slot.starts_at, b.ends_at, frozenset(p.pk for p in b.slot.panel.all()), b.slot_id)
        for b in InterviewBooking.objects.live()
        .exclude(application=application)
        .filter(slot__panel__in=panel, ends_at__gt=earliest, slot__starts_at__lt=latest)
        .select_related("slot")
        .prefetch_related("slot__panel")
        .distinct()
    ]
    arranged = (
        Application.objects.filter(
            state=ApplicationState.INTERVIEW_SCHEDULED,
            interview_at__gt=earliest,
            interview_at__lt=latest,
        )
        .filter(Q(vacancy__hiring_manager__in=panel) | Q(vacancy__panel__in=panel))
        .exclude(pk=application.pk)
        .exclude(bookings__cancelled_at__isnull=True, bookings__isnull=False)
        .select_related("vacancy")
        .prefetch_related("vacancy__panel")
        .distinct()
    )
    for other in arranged:
        if other.interview_at is None:
            continue
        minutes = other.interview_minutes or ARRANGED_MINUTES
        staff = {other.vacancy.hiring_manager_id, *(p.pk for p in other.vacancy.panel.all())}
        found.append(
            Busy(other.interview_at, other.interview_at + timedelta(minutes=minutes),
                 frozenset(staff))
        )  # fmt: skip
    return found


def _clashes(offer: Offer, busy: Sequence[Busy]) -> bool:
    panel = {p.pk for p in offer.slot.panel.all()}
    return any(
        b.slot_id != offer.slot.pk
        and b.start < offer.ends_at
        and b.end > offer.slot.starts_at
        and panel & b.panel
        for b in busy
    )


def may_book(application: Application) -> bool:
    """Only a candidate invited to interview (or with one booked) on a closed vacancy whose
    sift is complete sees slots: nobody else learns where and when interviews are."""
    return (
        application.state in BOOKABLE_STATES
        and application.vacancy.status == VacancyStatus.CLOSED
        and application.vacancy.sift_completed_at is not None
    )


def offered_slots(
    application: Application, needs: rules.Needs | None = None, now: datetime | None = None
) -> list[Offer]:
    """The free slots of the application's vacancy this candidate may book, in time order,
    each lengthened by their extra time: a fixed number of queries, however many slots."""
    now = now or timezone.now()
    needs = needs if needs is not None else needs_for(application)
    slots = list(
        InterviewSlot.objects.filter(
            vacancy_id=application.vacancy_id, starts_at__gte=rules.earliest_bookable(now, needs)
        )
        .published()
        .free()
        .prefetch_related("panel")
    )
    slots = [s for s in slots if rules.slot_refusal(s, needs, now) is None]
    offers = [Offer(s, s.minutes + rules.extra_minutes(s.minutes, needs)) for s in slots]
    busy = _busy(slots, application)
    return [o for o in offers if not _clashes(o, busy)]


def book(application: Application, slot_id: int, by: User) -> InterviewBooking:
    """Book (or move to) a slot for the locked application, inside its transaction; set the
    application's interview from it. Raises 400 for a slot not of this vacancy, 409
    ``slot_taken`` or ``slot_not_offered``."""
    now = timezone.now()
    found = (
        InterviewSlot.objects.published()
        .filter(pk=slot_id, vacancy_id=application.vacancy_id)
        .prefetch_related("panel")
        .first()
    )
    if found is None:
        raise ValidationError({"slot": [NOT_OFFERED]})
    # Panel members first, in id order, then the slot: bookings sharing anyone take turns.
    list(
        User.objects.select_for_update()
        .filter(pk__in=[p.pk for p in found.panel.all()])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    slot = InterviewSlot.objects.published().select_for_update().filter(pk=found.pk).first()
    if slot is None:  # removed while we waited for its panel
        raise ValidationError({"slot": [NOT_OFFERED]})
    current = live_booking(application)
    if current is not None and current.slot_id == slot.pk:
        raise DomainError("slot_taken", "You have already booked that slot.")
    if InterviewBooking.objects.live().filter(slot=slot).exists():
        raise DomainError("slot_taken", "That slot has just been booked: choose another.")
    needs = needs_for(application)
    if refused := rules.slot_refusal(slot, needs, now):
        raise DomainError("slot_not_offered", refused)
    offer = Offer(slot, slot.minutes + rules.extra_minutes(slot.minutes, needs))
    if _clashes(offer, _busy([slot], application)):
        raise DomainError(
            "slot_not_offered",
            "That slot is not free for as long as your interview needs: choose another.",
        )
    if current is not None:
        current.cancelled_at = now
        current.save(update_fields=["cancelled_at"])
    try:
        with transaction.atomic():
            booking = InterviewBooking.objects.create(
                slot=slot,
                application=application,
                minutes=offer.minutes,
                ends_at=offer.ends_at,
                booked_by=by,
                sequence=_next_sequence(application),
                replaces=current,
            )
    except IntegrityError:
        raise DomainError("slot_taken", "That slot has just been booked: choose another.") from None
    application.interview_at = slot.starts_at
    application.interview_format = slot.format
    application.interview_place = slot.place
    application.interview_minutes = offer.minutes
    return booking


def _next_sequence(application: Application) -> int:
    """One more than any booking of the application had: a calendar replaces its event only
    with a higher SEQUENCE."""
    last = application.bookings.aggregate(last=Max("sequence"))["last"]
    return 0 if last is None else last + 1


def reshape(application: Application) -> InterviewBooking | None:
    """After an interview adjustment is agreed: lengthen the live booking to the agreed extra
    time where the slot still suits and the panel is free for it. Returns the booking when it
    no longer suits (the candidate chooses another time; the pages say so), else None."""
    held = live_booking(application)
    if held is None:
        return None
    needs = needs_for(application)
    offer = Offer(held.slot, held.slot.minutes + rules.extra_minutes(held.slot.minutes, needs))
    if rules.unsuited(held.slot, needs) or _clashes(offer, _busy([held.slot], application)):
        return held
    if offer.minutes != held.minutes:
        held.minutes, held.ends_at = offer.minutes, offer.ends_at
        held.save(update_fields=["minutes", "ends_at"])
        Application.objects.filter(pk=application.pk).update(interview_minutes=offer.minutes)
    return None


def reshape_for(application_id: int) -> InterviewBooking | None:
    """``reshape`` with the application locked, in its own transaction (after a decision on
    an adjustment is committed)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("vacancy")
            .get(pk=application_id)
        )
        return reshape(application)


def suits(application: Application, held: InterviewBooking | None) -> bool:
    """Whether the booked slot suits the agreed adjustments (place, format, length)."""
    if held is None:
        return True
    needs = needs_for(application)
    wanted = held.slot.minutes + rules.extra_minutes(held.slot.minutes, needs)
    return rules.unsuited(held.slot, needs) is None and held.minutes >= wanted


def cancel(application: Application, clear_interview: bool = True) -> InterviewBooking | None:
    """Cancel the application's live booking, if any (the slot is free again), and clear
    its interview (a withdrawal keeps it, as the record of what was arranged)."""
    booking = live_booking(application)
    if booking is not None:
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["cancelled_at"])
    if not clear_interview:
        return booking
    application.interview_at = None
    application.interview_format = ""
    application.interview_place = ""
    application.interview_minutes = None
    return booking


def offer_for(application: Application) -> dict[str, Any]:
    """What the booking page and the API show a candidate: the slots offered (none until
    the sift is complete), how their adjustments shaped them, the Access to Work prompt,
    and their live booking."""
    now = timezone.now()
    needs = needs_for(application)
    live = live_booking(application)
    return {
        "slots": offered_slots(application, needs, now) if may_book(application) else [],
        "shaped_by": rules.what_shapes_the_choice(needs, now),
        "access_to_work": needs.communication_support,
        "booked_slot": live.slot_id if live else None,
        "booking": live,
        "suits": suits(application, live),
    }


def panel_day(user: User, day_start: datetime) -> list[InterviewBooking]:
    """A panel member's interviews on one day (HR: everyone's), in time order."""
    bookings = InterviewBooking.objects.live().filter(
        slot__starts_at__gte=day_start, slot__starts_at__lt=day_start + timedelta(days=1)
    )
    if getattr(user, "role", None) != "hr":
        bookings = bookings.filter(Q(slot__panel=user) | Q(slot__vacancy__hiring_manager=user))
    return list(
        bookings.select_related("slot__vacancy", "application__candidate")
        .prefetch_related("slot__panel", "application__adjustments", "application__vacancy__panel")
        .distinct()
        .order_by("slot__starts_at", "pk")
    )
