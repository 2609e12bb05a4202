"""An application, what the candidate sent with it and what they declared.

Privacy boundary (docs/domain.md §6):
- ``GuaranteeDeclaration`` and ``PositiveActionDeclaration`` are separate, purpose-bound
  records, read only by the guarantee and tie-breaker rules (recruitment/scoring/guarantee.py).
- The equality-monitoring answers (recruitment/monitoring/models.py) have no reverse
  accessor from ``Application``, so no application query, serializer or page reaches them.

State changes happen only through recruitment/applications/services.py (the actions of
recruitment/applications/workflow.py); the FSM field is protected.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from kernel.audit import logged
from kernel.transitions import condition, permission
from recruitment.applications.states import (
    ACTIVE_STATES,
    FINAL_STATES,
    STAGE_ORDER,
    ApplicationState,
    InterviewFormat,
    Stage,
)
from recruitment.applications.workflow import ACTIONS
from recruitment.scoring import assessment
from recruitment.scoring.models import AgreedAssessment
from vacancies.models import Criterion, GuaranteeScheme, Vacancy, VacancyStatus

if TYPE_CHECKING:
    from accounts.models import User

__all__ = [
    "ACTIVE_STATES",
    "FINAL_STATES",
    "STAGE_ORDER",
    "Application",
    "ApplicationDraft",
    "ApplicationQuerySet",
    "ApplicationState",
    "Evidence",
    "GuaranteeDeclaration",
    "Notification",
    "PositiveActionDeclaration",
    "Stage",
]


def _new_reference() -> str:
    # Random, so that a reference says nothing about the candidate or the order of arrival.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "A-" + "".join(secrets.choice(alphabet) for _ in range(8))


class ApplicationQuerySet(models.QuerySet["Application"]):
    def visible_to(self, user: User | object) -> ApplicationQuerySet:
        """What this user may see at all: HR everything, a candidate their own, staff the
        applications to vacancies they chair or sit on the panel of. Everything else is 404,
        and so is an erased application (only the statistics still count it)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        role = getattr(user, "role", None)
        kept = self.filter(erased_at=None)
        if role == "hr":
            return kept
        if role == "candidate":
            return kept.filter(candidate=user)
        chaired = models.Q(vacancy__hiring_manager=user)
        on_panel = models.Q(vacancy__in=Vacancy.objects.filter(panel=user).values("pk"))
        return kept.filter(chaired | on_panel)

    def in_state(self, state: str, user: User | object) -> ApplicationQuerySet:
        """Applications in ``state`` as ``user`` reads it: a candidate reads a decision not
        to shortlist as "submitted" until the sift is complete (``candidate_state``)."""
        if getattr(user, "role", None) != "candidate":
            return self.filter(state=state)
        pending = models.Q(
            state=ApplicationState.NOT_SHORTLISTED,
            vacancy__status=VacancyStatus.CLOSED,
            vacancy__sift_completed_at__isnull=True,
        )
        if state == ApplicationState.SUBMITTED:
            return self.filter(models.Q(state=state) | pending)
        return self.filter(state=state).exclude(pending)

    def for_ranking(self, vacancy: Vacancy) -> list[Application]:
        """These applications of ``vacancy`` with only what the ranking, the guarantee and
        the interview limit read (declarations, agreed scores), every row sharing one
        vacancy instance with its criteria and plan: a fixed number of queries, and one
        copy of the vacancy and its criteria however many applications there are."""
        shared = (
            Vacancy.objects.select_related("positive_action_plan")
            .prefetch_related("criteria")
            .get(pk=vacancy.pk)
        )
        # Prefetched into plain lists (``to_attr``; see assessment.agreed_assessments): for
        # thousands of rows, a related manager per row costs more than the queries do.
        rows: list[Application] = list(
            self.filter(vacancy=shared)
            .select_related("guarantee_declaration", "positive_action_declaration")
            .prefetch_related(
                models.Prefetch(
                    "agreed_assessments",
                    queryset=AgreedAssessment.objects.prefetch_related(
                        models.Prefetch("scores", to_attr="prefetched_scores")
                    ),
                    to_attr="prefetched_agreed",
                )
            )
        )
        for row in rows:
            row.vacancy = shared
        return rows

    def with_assessment_data(self) -> ApplicationQuerySet:
        """Everything the guarantee, ranking and action logic read, in a fixed number of
        queries whatever the number of applications."""
        return self.select_related(
            "vacancy",
            "vacancy__positive_action_plan",
            "candidate",
            "guarantee_declaration",
            "guarantee_step",
            "positive_action_declaration",
            "offer_decision",
        ).prefetch_related(
            "vacancy__criteria",
            "vacancy__panel",
            "evidence",
            "adjustments",
            models.Prefetch(
                "agreed_assessments",
                queryset=AgreedAssessment.objects.prefetch_related("scores"),
            ),
        )


class Application(ConcurrentTransitionMixin, models.Model):
    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, related_name="applications")
    #: Null once the application has been erased (recruitment/privacy/retention.py).
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
    )
    reference = models.CharField(max_length=20, unique=True, default=_new_reference)
    statement = models.TextField(max_length=20000)
    state = FSMField(
        default=ApplicationState.SUBMITTED,
        choices=ApplicationState.choices,
        protected=True,
        db_index=True,
    )
    furthest_stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.APPLIED, db_index=True
    )
    interview_at = models.DateTimeField(null=True, blank=True)
    interview_format = models.CharField(max_length=10, choices=InterviewFormat.choices, blank=True)
    #: The address and room, the video link or how to join, or the phone arrangement.
    interview_place = models.CharField(max_length=500, blank=True)
    interview_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: A complaint or tribunal claim: while held, the application is not erased.
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(max_length=2000, blank=True)
    #: When the personal data was erased (recruitment/privacy/retention.py); what is left is the
    #: anonymous record the statistics need.
    erased_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "candidate"], name="one_application_per_vacancy"
            ),
        ]
        indexes = [
            # A campaign's applications in arrival order, a page at a time (the lists and
            # the moderation overview): read from the index, not sorted from the table.
            models.Index(fields=["vacancy", "submitted_at", "id"], name="application_arrival"),
            # The interview limit's count (``assessment.shortlisted_count``), taken at every
            # shortlisting decision: the shortlisted few, not the whole campaign's rows.
            models.Index(
                fields=["vacancy"],
                condition=~models.Q(furthest_stage="applied") & ~models.Q(state="withdrawn"),
                name="application_shortlisted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    # --- Derived facts ------------------------------------------------------------------------

    @property
    def interview_details(self) -> str:
        """How, where and how long the interview is, as a sentence ("" if not said)."""
        if not self.interview_format:
            return ""
        place = self.interview_place.rstrip(" .")  # the sentence's own full stop follows
        said = {
            InterviewFormat.IN_PERSON: f"In person at {place}",
            InterviewFormat.VIDEO: f"By video call: {place}",
            InterviewFormat.PHONE: f"By phone: {place}" if place else "By phone",
        }[InterviewFormat(self.interview_format)]
        if self.interview_minutes:
            said += f", for {self.interview_minutes} minutes"
        return said

    @property
    def identity_visible_to_panel(self) -> bool:
        """Panels see who the candidate is only once the application has been shortlisted."""
        return STAGE_ORDER[self.furthest_stage] >= STAGE_ORDER[Stage.SHORTLISTED]

    @property
    def candidate_state(self) -> str:
        """The state as the candidate is told it: a "not shortlisted" decision stays
        "submitted" to them until the sift is complete, because the interview guarantee may
        still invite them (they are told once, at the end, what happened)."""
        if (
            self.state == ApplicationState.NOT_SHORTLISTED
            and self.vacancy.status == VacancyStatus.CLOSED
            and not self.vacancy.sift_completed_at
        ):
            return ApplicationState.SUBMITTED
        return self.state

    def state_display_for(self, user: object) -> str:
        """The state's label as ``user`` may read it (the candidate: ``candidate_state``)."""
        if self.candidate_id is not None and self.candidate_id == getattr(user, "pk", None):
            return ApplicationState(self.candidate_state).label
        return self.get_state_display()

    def reach(self, stage: str) -> None:
        if STAGE_ORDER[stage] > STAGE_ORDER[self.furthest_stage]:
            self.furthest_stage = stage

    # --- Transition guards ----------------------------------------------------------------------

    def vacancy_closed(self) -> bool:
        return self.vacancy.status == VacancyStatus.CLOSED

    def sift_open(self) -> bool:
        return self.vacancy.sift_completed_at is None

    def rejection_rests_on_agreed_scores(self) -> bool:
        """A sift rejection rests on the agreed essential scores: for every candidate alike,
        so that the guarantee can be applied once the sift is complete."""
        return assessment.sift_rejection_refusal(self) is None

    def withdrawable(self) -> bool:
        """A candidate not yet told the sift's outcome may still withdraw."""
        return self.state != ApplicationState.NOT_SHORTLISTED or self.sift_open()

    def interview_limit_permits_shortlisting(self) -> bool:
        """A vacancy's high-volume interview limit holds for everyone, whoever shortlists."""
        return assessment.shortlist_refusal(self) is None

    # --- Transitions: called only by recruitment/applications/services.py -----------------------------------

    @logged
    @transition(
        field=state,
        source=ApplicationState.SUBMITTED,
        target=ApplicationState.SHORTLISTED,
        conditions=[condition(vacancy_closed), condition(interview_limit_permits_shortlisting)],
        permission=permission(ACTIONS["shortlist"].permission),
    )
    def shortlist(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.SHORTLISTED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.SUBMITTED,
        target=ApplicationState.NOT_SHORTLISTED,
        conditions=[
            condition(vacancy_closed),
            condition(sift_open),
            condition(rejection_rests_on_agreed_scores),
        ],
        permission=permission(ACTIONS["reject"].permission),
    )
    def reject_at_sift(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=ApplicationState.NOT_SHORTLISTED,
        target=ApplicationState.SHORTLISTED,
        conditions=[condition(sift_open)],
        permission=permission("recruitment.complete_sift"),
    )
    def invite_to_interview(self, by: User | None = None, description: str = "") -> None:
        """The interview guarantee, applied when the sift is completed (never an action a
        person takes on one application: see scoring.decisions.sift_complete)."""
        self.reach(Stage.SHORTLISTED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEWED,
        target=ApplicationState.NOT_APPOINTED,
        permission=permission(ACTIONS["reject"].permission),
    )
    def reject_after_interview(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=ApplicationState.SHORTLISTED,
        target=ApplicationState.INTERVIEW_SCHEDULED,
        permission=permission(ACTIONS["schedule_interview"].permission),
    )
    def schedule_interview(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=[ApplicationState.SHORTLISTED, ApplicationState.INTERVIEW_SCHEDULED],
        target=ApplicationState.INTERVIEW_SCHEDULED,
        permission=permission(ACTIONS["book_interview"].permission),
    )
    def book_interview(self, by: User | None = None, description: str = "") -> None:
        """The candidate books a published slot, or moves to another
        (recruitment/interviews/booking.py)."""

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEW_SCHEDULED,
        target=ApplicationState.SHORTLISTED,
        permission=permission(ACTIONS["cancel_interview"].permission),
    )
    def cancel_interview(self, by: User | None = None, description: str = "") -> None:
        """The candidate cancels the slot they booked; they may book another."""

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEW_SCHEDULED,
        target=ApplicationState.INTERVIEWED,
        permission=permission(ACTIONS["record_interview"].permission),
    )
    def record_interview(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.INTERVIEWED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEWED,
        target=ApplicationState.OFFERED,
        permission=permission(ACTIONS["offer"].permission),
    )
    def offer(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.OFFERED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.OFFERED,
        target=ApplicationState.APPOINTED,
        permission=permission(ACTIONS["accept_offer"].permission),
    )
    def accept_offer(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.APPOINTED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.OFFERED,
        target=ApplicationState.OFFER_DECLINED,
        permission=permission(ACTIONS["decline_offer"].permission),
    )
    def decline_offer(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=[*ACTIVE_STATES, ApplicationState.NOT_SHORTLISTED],
        target=ApplicationState.WITHDRAWN,
        conditions=[condition(withdrawable)],
        permission=permission(ACTIONS["withdraw"].permission),
    )
    def withdraw(self, by: User | None = None, description: str = "") -> None:
        pass


class Evidence(models.Model):
    """The candidate's evidence against one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=10000)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_evidence_per_criterion"
            ),
        ]


class GuaranteeDeclaration(models.Model):
    """Self-declared eligibility for an interview-guarantee scheme. Purpose-bound: read only
    to apply the guarantee, and shown to HR and the candidate only."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="guarantee_declaration"
    )
    scheme = models.CharField(max_length=30, choices=GuaranteeScheme.choices)
    declared_at = models.DateTimeField(auto_now_add=True)


class PositiveActionDeclaration(models.Model):
    """The candidate declares they belong to a group named in the vacancy's positive-action
    plan and agrees it may be used as a tie-breaker. Never inferred from equality answers."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="positive_action_declaration"
    )
    declared_at = models.DateTimeField(auto_now_add=True)


# --- Equality monitoring (GSS / Census 2021 harmonised standards) -------------------------------


class ApplicationDraft(models.Model):
    """A candidate's application in progress (the apply pages, one step at a time): what they
    have written so far, the scheme and positive-action answers and their equality answers.
    Kept here, not in the session, so that subject access shows it and erasure removes it;
    gone when the application is sent, when the account is deleted, and after
    ``DRAFT_RETENTION_DAYS`` without a change (``retention.forget_stale_drafts``)."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_drafts"
    )
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "vacancy"], name="one_draft_a_vacancy"),
        ]


class Notification(models.Model):
    """A message sent to a candidate about their application. The row is the claim: each
    kind is sent at most once, so a retried task never sends twice."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="one_notification_each"),
        ]
