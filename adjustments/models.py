"""Reasonable adjustments (Equality Act s.20): a request records the barrier and the
arrangement, never a diagnosis (s.60). The coordinator (HR) sees the request; panels see only
the agreed arrangement, and only for a stage they run.

State changes happen only in adjustments/services.py; the FSM field is protected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from kernel.audit import logged
from kernel.transitions import permission
from recruitment.models import Application
from recruitment.monitoring.disclosure import new_record_key

if TYPE_CHECKING:
    from accounts.models import User


class AdjustmentStage(models.TextChoices):
    APPLICATION = "application", "Application"
    ASSESSMENT = "assessment", "Assessment"
    INTERVIEW = "interview", "Interview"
    START = "start", "Start of employment"


#: The stages a panel runs, so the only ones whose arrangements it sees.
PANEL_STAGES = frozenset({AdjustmentStage.ASSESSMENT, AdjustmentStage.INTERVIEW})


class AdjustmentCategory(models.TextChoices):
    EXTRA_TIME = "extra_time", "Extra time"
    REST_BREAKS = "rest_breaks", "Rest breaks"
    QUESTIONS_IN_ADVANCE = "questions_in_advance", "Questions in advance or in writing"
    ACCESSIBLE_VENUE = "accessible_venue", "Accessible venue"
    COMMUNICATION_SUPPORT = (
        "communication_support",
        "Communication support (BSL interpreter, lipspeaker, speech-to-text)",
    )
    ALTERNATIVE_FORMAT = "alternative_format", "Alternative format"
    REMOTE_INTERVIEW = "remote_interview", "Remote interview"
    ASSISTIVE_TECHNOLOGY = "assistive_technology", "Assistive technology"
    READER_OR_SCRIBE = "reader_or_scribe", "Reader or scribe"
    OTHER = "other", "Other"


class Provider(models.TextChoices):
    EMPLOYER = "employer", "The employer"
    ACCESS_TO_WORK = "access_to_work", "Access to Work"


class AdjustmentState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UNDER_REVIEW = "under_review", "Under review"
    AGREED = "agreed", "Agreed"
    PARTIALLY_AGREED = "partially_agreed", "Partially agreed"
    DECLINED = "declined", "Declined"
    IN_PLACE = "in_place", "In place"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATES = [AdjustmentState.REQUESTED, AdjustmentState.UNDER_REVIEW]
AGREED_STATES = [
    AdjustmentState.AGREED,
    AdjustmentState.PARTIALLY_AGREED,
    AdjustmentState.IN_PLACE,
]
#: Agreed (in whole or in part) and not yet in place: HR has arranging to do.
TO_PUT_IN_PLACE = [AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED]


class AdjustmentQuerySet(models.QuerySet["AdjustmentRequest"]):
    def with_due_by(self) -> AdjustmentQuerySet:
        """Annotate ``due_by``: the date of the stage the request concerns. An application
        adjustment is due by the closing date; assessment and interview ones by the
        interview date once it is set; start-of-employment ones have no date here."""
        return self.annotate(
            due_by=models.Case(
                models.When(
                    stage=AdjustmentStage.APPLICATION,
                    then=models.F("application__vacancy__closing_date"),
                ),
                models.When(
                    stage__in=[AdjustmentStage.ASSESSMENT, AdjustmentStage.INTERVIEW],
                    then=models.F("application__interview_at"),
                ),
                default=None,
                output_field=models.DateTimeField(),
            )
        )

    def open(self) -> AdjustmentQuerySet:
        """Still waiting for a decision."""
        return self.filter(state__in=OPEN_STATES)

    def queue_order(self) -> AdjustmentQuerySet:
        """The coordinator's order: the soonest needed first, then the oldest."""
        return self.with_due_by().order_by(
            models.F("due_by").asc(nulls_last=True), "requested_at", "id"
        )

    def visible_to(self, user: User | object) -> AdjustmentQuerySet:
        """The requests themselves (with details): HR all, a candidate their own, nobody
        else. Panels see agreed arrangements through the application, never these rows."""
        role = getattr(user, "role", None)
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if role == "hr":
            return self.filter(application__erased_at=None)
        if role == "candidate":
            return self.filter(application__candidate=user)
        return self.none()


class AdjustmentRequest(ConcurrentTransitionMixin, models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="adjustments"
    )
    stage = models.CharField(max_length=20, choices=AdjustmentStage.choices)
    category = models.CharField(max_length=30, choices=AdjustmentCategory.choices)
    #: The candidate's own words: the barrier and what would help. No diagnosis is asked for.
    details = models.TextField(max_length=5000)
    state = FSMField(
        default=AdjustmentState.REQUESTED,
        choices=AdjustmentState.choices,
        protected=True,
        db_index=True,
    )
    arrangement = models.TextField(max_length=5000, blank=True)
    decline_reason = models.TextField(max_length=5000, blank=True)
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.EMPLOYER)
    #: Agreed extra time: how many minutes it adds to an interview (None: the decision gave
    #: no number, and ``INTERVIEW_EXTRA_TIME_PERCENT`` of the slot's length applies).
    extra_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    in_place_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    #: Random, for cell key perturbation of the anonymised report (recruitment/monitoring/disclosure.py).
    #: Never output.
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} for {self.get_stage_display().lower()}"

    @logged
    @transition(
        field=state,
        source=AdjustmentState.REQUESTED,
        target=AdjustmentState.UNDER_REVIEW,
        permission=permission("adjustments.decide"),
    )
    def review(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=OPEN_STATES,
        target=AdjustmentState.AGREED,
        permission=permission("adjustments.decide"),
    )
    def agree(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=OPEN_STATES,
        target=AdjustmentState.PARTIALLY_AGREED,
        permission=permission("adjustments.decide"),
    )
    def partially_agree(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=OPEN_STATES,
        target=AdjustmentState.DECLINED,
        permission=permission("adjustments.decide"),
    )
    def decline(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=[AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED],
        target=AdjustmentState.IN_PLACE,
        permission=permission("adjustments.decide"),
    )
    def put_in_place(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=[*OPEN_STATES, AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED],
        target=AdjustmentState.WITHDRAWN,
        permission=permission("adjustments.withdraw"),
    )
    def withdraw(self, by: User | None = None, description: str = "") -> None:
        pass


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", "Due soon"
    ESCALATION = "escalation", "Overdue"


class Reminder(models.Model):
    """One reminder or escalation sent to the coordinators about a request: the row is the
    claim, so running the task again sends nothing twice."""

    adjustment = models.ForeignKey(
        AdjustmentRequest, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adjustment", "kind"], name="one_reminder_of_a_kind"),
        ]


class PreApplicationRequest(models.Model):
    """Someone asks for an adjustment to apply at all (the application form itself: a large
    print or easy read version, a call instead of the form, more time), from the job's page,
    signed in or not. HR contacts them and records what they did. It is about the person,
    not an application: it is erased with the campaign's personal data (the retention
    period), and never counted in any statistic."""

    vacancy = models.ForeignKey(
        "vacancies.Vacancy", on_delete=models.CASCADE, related_name="pre_application_requests"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=30, blank=True)
    category = models.CharField(max_length=30, choices=AdjustmentCategory.choices)
    #: Their own words: what gets in the way and what would help. No diagnosis is asked for.
    details = models.TextField(max_length=5000)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: What HR arranged or told them.
    answer = models.TextField(max_length=5000, blank=True)
    #: When the coordinators were e-mailed about it (None: not yet, or covered by the e-mail
    #: about an earlier request for the same job within the hour).
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"Request before applying for {self.vacancy_id}"
