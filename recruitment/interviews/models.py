"""Interview slots and their bookings.

A slot is a time the panel keeps free for one interview: when, how long, how it is held
(in person at a place, by video with a link, by phone), whether the venue is step-free and
accessible, and who sits on it. A booking is one application's hold on one slot; moving
cancels the old booking and makes a new one, so the rows are the booking's history, and at
most one live booking holds a slot, and an application at most one (database constraints:
two candidates cannot both book the last slot, whatever the timing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from recruitment.applications.states import InterviewFormat


class SlotQuerySet(models.QuerySet["InterviewSlot"]):
    def published(self) -> SlotQuerySet:
        """Not removed (a removed slot is kept for its bookings' history)."""
        return self.filter(removed_at=None)

    def free(self) -> SlotQuerySet:
        """Slots nobody holds (never booked, or every booking cancelled)."""
        held = InterviewBooking.objects.filter(slot=models.OuterRef("pk"), cancelled_at=None)
        return self.exclude(models.Exists(held))

    def upcoming(self, now: datetime | None = None) -> SlotQuerySet:
        return self.filter(starts_at__gt=now or timezone.now())


class InterviewSlot(models.Model):
    vacancy = models.ForeignKey(
        "vacancies.Vacancy", on_delete=models.CASCADE, related_name="interview_slots"
    )
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    format = models.CharField(max_length=10, choices=InterviewFormat.choices)
    #: The address and room, the video link or how to join, or the phone arrangement.
    place = models.CharField(max_length=500, blank=True)
    #: A venue with step-free access (and an accessible toilet, a hearing loop): the only
    #: in-person slots offered to a candidate whose agreed adjustment is an accessible venue.
    accessible = models.BooleanField(default=False)
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="interview_slots")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Removed by the chair or HR while nobody held it: no longer offered or listed, kept
    #: because its cancelled bookings are the history of someone's interview.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["vacancy", "starts_at"], name="slot_vacancy_time")]

    def __str__(self) -> str:
        return f"Interview slot {self.pk}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


class BookingQuerySet(models.QuerySet["InterviewBooking"]):
    def live(self) -> BookingQuerySet:
        return self.filter(cancelled_at=None)


class InterviewBooking(models.Model):
    slot = models.ForeignKey(InterviewSlot, on_delete=models.PROTECT, related_name="bookings")
    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="bookings"
    )
    #: The interview's length for this candidate: the slot's, plus any agreed extra time.
    minutes = models.PositiveSmallIntegerField()
    #: When the interview ends for this candidate (the panel is busy until then).
    ends_at = models.DateTimeField()
    booked_at = models.DateTimeField(auto_now_add=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    #: The booking this one moved from (None: a first booking, or one after a cancellation).
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    #: The calendar event's revision: each booking of an application numbers one more, so a
    #: calendar replaces the event it already holds (iCalendar SEQUENCE).
    sequence = models.PositiveSmallIntegerField(default=0)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["booked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(cancelled_at=None),
                name="one_live_booking_per_slot",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(cancelled_at=None),
                name="one_live_booking_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview booking {self.pk}"

    @property
    def extra_minutes(self) -> int:
        return self.minutes - self.slot.minutes
