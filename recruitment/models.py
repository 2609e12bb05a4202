"""Applications and everything scored or declared about them.

Privacy boundary (docs/domain.md §6):
- ``GuaranteeDeclaration`` and ``PositiveActionDeclaration`` are separate, purpose-bound
  records, read only by the guarantee and tie-breaker logic (recruitment/scoring/assessment.py).
- ``EqualityAnswers`` has no reverse accessor from ``Application`` (``related_name="+"``), so
  no application query, serializer or page can reach it by accident. Only the statistics code
  reads it; the submission service writes it. tests/test_privacy.py guards the imports.

State changes happen only in recruitment/applications/services.py; the FSM field is protected.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from kernel.audit import logged
from kernel.transitions import condition, permission
from recruitment.monitoring.disclosure import new_record_key
from recruitment.scoring import assessment
from vacancies.models import SCORE_VALIDATORS, Criterion, GuaranteeScheme, Vacancy, VacancyStatus

if TYPE_CHECKING:
    from accounts.models import User


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    NOT_SHORTLISTED = "not_shortlisted", "Not shortlisted"
    INTERVIEW_SCHEDULED = "interview_scheduled", "Interview scheduled"
    INTERVIEWED = "interviewed", "Interviewed"
    NOT_APPOINTED = "not_appointed", "Not appointed"
    OFFERED = "offered", "Offered"
    APPOINTED = "appointed", "Appointed"
    OFFER_DECLINED = "offer_declined", "Offer declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


FINAL_STATES = frozenset(
    {
        ApplicationState.NOT_SHORTLISTED,
        ApplicationState.NOT_APPOINTED,
        ApplicationState.APPOINTED,
        ApplicationState.OFFER_DECLINED,
        ApplicationState.WITHDRAWN,
    }
)
ACTIVE_STATES = [s for s in ApplicationState.values if s not in FINAL_STATES]


class Stage(models.TextChoices):
    """The furthest stage an application reached: what the monitoring funnel counts.

    Recorded as the application moves, never inferred from the current state, so that a
    candidate rejected after interview still counts as shortlisted and interviewed."""

    APPLIED = "applied", "Applied"
    SHORTLISTED = "shortlisted", "Shortlisted"
    INTERVIEWED = "interviewed", "Interviewed"
    OFFERED = "offered", "Offered"
    APPOINTED = "appointed", "Appointed"


STAGE_ORDER = {stage: i for i, stage in enumerate(Stage.values)}


class ScoreStage(models.TextChoices):
    SHORTLISTING = "shortlisting", "Shortlisting"
    INTERVIEW = "interview", "Interview"


#: While an application is in one of these states, scores of that stage may change.
SCORING_OPEN = {
    ScoreStage.SHORTLISTING: frozenset({ApplicationState.SUBMITTED}),
    ScoreStage.INTERVIEW: frozenset(
        {ApplicationState.INTERVIEW_SCHEDULED, ApplicationState.INTERVIEWED}
    ),
}


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

    def __str__(self) -> str:
        return self.reference

    # --- Derived facts ------------------------------------------------------------------------

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
        permission=permission("recruitment.shortlist_application"),
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
        permission=permission("recruitment.reject_application"),
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
        person takes on one application: see services.sift_complete)."""
        self.reach(Stage.SHORTLISTED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEWED,
        target=ApplicationState.NOT_APPOINTED,
        permission=permission("recruitment.reject_application"),
    )
    def reject_after_interview(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=ApplicationState.SHORTLISTED,
        target=ApplicationState.INTERVIEW_SCHEDULED,
        permission=permission("recruitment.schedule_interview"),
    )
    def schedule_interview(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEW_SCHEDULED,
        target=ApplicationState.INTERVIEWED,
        permission=permission("recruitment.record_interview"),
    )
    def record_interview(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.INTERVIEWED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.INTERVIEWED,
        target=ApplicationState.OFFERED,
        permission=permission("recruitment.offer"),
    )
    def offer(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.OFFERED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.OFFERED,
        target=ApplicationState.APPOINTED,
        permission=permission("recruitment.respond_to_offer"),
    )
    def accept_offer(self, by: User | None = None, description: str = "") -> None:
        self.reach(Stage.APPOINTED)

    @logged
    @transition(
        field=state,
        source=ApplicationState.OFFERED,
        target=ApplicationState.OFFER_DECLINED,
        permission=permission("recruitment.respond_to_offer"),
    )
    def decline_offer(self, by: User | None = None, description: str = "") -> None:
        pass

    @logged
    @transition(
        field=state,
        source=[*ACTIVE_STATES, ApplicationState.NOT_SHORTLISTED],
        target=ApplicationState.WITHDRAWN,
        conditions=[condition(withdrawable)],
        permission=permission("recruitment.withdraw_application"),
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


class GuaranteeOutcome(models.TextChoices):
    INVITED = "invited", "Invited to interview under the guarantee"
    SHORTLISTED_ON_MERIT = "shortlisted_on_merit", "Shortlisted on merit"
    MINIMUM_NOT_MET = "minimum_not_met", "Minimum criteria not met"
    OUTSIDE_INTERVIEW_LIMIT = "outside_interview_limit", "Outside the interview limit"
    WITHDRAWN = "withdrawn", "Withdrawn before the sift was completed"


class GuaranteeStep(models.Model):
    """What the interview guarantee did for one candidate who declared a scheme the vacancy
    offers, recorded when the sift was completed. HR only (and a tribunal's record): panels
    and the chair see only that a candidate was invited to interview."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="guarantee_step"
    )
    outcome = models.CharField(max_length=30, choices=GuaranteeOutcome.choices)
    #: The sum of the agreed essential scores the step was decided on (None: withdrawn).
    essential_total = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(max_length=2000)
    decided_at = models.DateTimeField(auto_now_add=True)


class PositiveActionDeclaration(models.Model):
    """The candidate declares they belong to a group named in the vacancy's positive-action
    plan and agrees it may be used as a tie-breaker. Never inferred from equality answers."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="positive_action_declaration"
    )
    declared_at = models.DateTimeField(auto_now_add=True)


# --- Equality monitoring (GSS / Census 2021 harmonised standards) -------------------------------

PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Ethnicity(models.TextChoices):
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_IRISH_TRAVELLER = "white_gypsy_irish_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_OTHER = "mixed_other", "Mixed: any other Mixed or Multiple background"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_OR_LESBIAN = "gay_or_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Other sexual orientation"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Religion(models.TextChoices):
    NO_RELIGION = "no_religion", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class DisabilityImpact(models.TextChoices):
    A_LOT = "a_lot", "Yes, a lot"
    A_LITTLE = "a_little", "Yes, a little"
    NOT_AT_ALL = "not_at_all", "Not at all"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class AgeBand(models.TextChoices):
    A16_24 = "16-24", "16 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65_PLUS = "65+", "65 or over"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


#: Question → its answers. An empty string in the table means "not answered".
EQUALITY_QUESTIONS: dict[str, type[models.TextChoices]] = {
    "ethnicity": Ethnicity,
    "sex": Sex,
    "gender_identity_same": YesNo,
    "sexual_orientation": SexualOrientation,
    "religion": Religion,
    "disability_condition": YesNo,
    "disability_impact": DisabilityImpact,
    "age_band": AgeBand,
}


class EqualityAnswers(models.Model):
    """Anonymous equality-monitoring answers, one row per application, every answer optional.

    DPA 2018 Sch.1 Part 2 para 8: for reviewing equality of opportunity only, never for a
    decision about the individual. No reverse accessor; read only by the statistics code."""

    #: Cut (null) when the application is erased: the answers then belong to nobody.
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    #: What the statistics need besides the answers, kept on this row so that a funnel is one
    #: scan of one table (no join to applications), and so that these rows can later outlive
    #: the application in anonymous form. Kept in step by recruitment/applications/services.py.
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="+")
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender_identity_same = models.CharField(max_length=20, choices=YesNo.choices, blank=True)
    sexual_orientation = models.CharField(
        max_length=20, choices=SexualOrientation.choices, blank=True
    )
    religion = models.CharField(max_length=20, choices=Religion.choices, blank=True)
    disability_condition = models.CharField(max_length=20, choices=YesNo.choices, blank=True)
    disability_impact = models.CharField(
        max_length=20, choices=DisabilityImpact.choices, blank=True
    )
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    #: Random, one byte per stage, for cell key perturbation (recruitment/monitoring/disclosure.py): a
    #: cell's key is the sum of its rows' keys. Never output; goes when the row goes.
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    class Meta:
        verbose_name_plural = "equality answers"
        indexes = [
            models.Index(fields=["vacancy", "furthest_stage"], name="monitoring_vacancy_stage")
        ]


# --- Scoring ---------------------------------------------------------------------------------


class Score(models.Model):
    """One panel member's own score for one criterion at one stage: scored independently."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ScoreStage.choices)
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    note = models.TextField(max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "stage", "scorer"], name="one_score_each"
            ),
            models.CheckConstraint(condition=models.Q(score__lte=4), name="score_range"),
        ]


class AgreedAssessment(models.Model):
    """The chair's moderated outcome for one application at one stage."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="agreed_assessments"
    )
    stage = models.CharField(max_length=20, choices=ScoreStage.choices)
    note = models.TextField(max_length=5000, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(auto_now=True)
    #: A panel member changed a score of this stage after it was agreed: the agreed scores
    #: stand in the record but no longer support a decision until agreed again.
    out_of_date = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="one_agreement_a_stage"),
        ]


class AgreedScore(models.Model):
    assessment = models.ForeignKey(
        AgreedAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_agreed_score_each"
            ),
            models.CheckConstraint(condition=models.Q(score__lte=4), name="agreed_score_range"),
        ]


class OfferDecision(models.Model):
    """The record of an offer: whether the s.159 tie-breaker was used, by whom, why, and
    against which evidence (copied, so the record stands if the plan is later edited)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="offer_decision"
    )
    positive_action_used = models.BooleanField(default=False)
    justification = models.TextField(max_length=5000, blank=True)
    evidence = models.TextField(max_length=5000, blank=True)
    tied_with = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)


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


class ScoringReminder(models.Model):
    """A panel member was reminded that an application is waiting for their scores at a
    stage. The row is the claim: a member is reminded of an application once per stage, so
    running the reminder task again sends nothing twice."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scoring_reminders"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ScoreStage.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member", "stage"], name="one_scoring_reminder_each"
            ),
        ]


# --- The release path's records (recruitment/monitoring/disclosure.py) ---------------------------------


class DecidedYear(models.Model):
    """A reporting year whose release plan has been decided (once, when it had finished and
    every campaign in it had ended). Its decisions are never revisited."""

    year = models.CharField(max_length=7, unique=True)  # "2025-26"
    decided_at = models.DateTimeField(auto_now_add=True)
    plan_version = models.CharField(max_length=40)
    #: Random and never output: each unit's cell keys are offset by a secret derived from it
    #: (recruitment/monitoring/disclosure.py ``unit_salt``), so the same people in two units are
    #: adjusted independently.
    seed = models.CharField(max_length=64, default=secrets.token_hex, editable=False)


class PublishedEqualityAnswers(models.Model):
    """A decided year's monitoring rows, copied when its plan was decided: every figure of the
    year is computed from this copy, so nothing HR does afterwards (a stage recorded on a
    filled campaign) moves a published figure. Anonymous: no link to an application. Read
    only by the statistics code, as ``EqualityAnswers``."""

    #: No index of its own: the two below lead with it (half the copying time at a million).
    year = models.ForeignKey(
        DecidedYear, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quarter = models.CharField(max_length=10)  # "2025-26-Q1": the quarter its campaign closed
    vacancy_id = models.BigIntegerField()  # not a key: the copy keeps no link to anything
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices)
    ethnicity = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    gender_identity_same = models.CharField(max_length=20, blank=True)
    sexual_orientation = models.CharField(max_length=20, blank=True)
    religion = models.CharField(max_length=20, blank=True)
    disability_condition = models.CharField(max_length=20, blank=True)
    disability_impact = models.CharField(max_length=20, blank=True)
    age_band = models.CharField(max_length=20, blank=True)
    record_key = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "published equality answers"
        indexes = [
            models.Index(fields=["year", "quarter"], name="published_year_quarter"),
            models.Index(fields=["year", "vacancy_id"], name="published_year_vacancy"),
        ]


class ReleaseDecision(models.Model):
    """Whether one stage column of one unit of a decided year is released, and why not."""

    year = models.ForeignKey(DecidedYear, on_delete=models.CASCADE, related_name="decisions")
    period = models.CharField(max_length=10)  # the year or one of its quarters
    kind = models.CharField(max_length=20)  # organisation, department, grade, campaign
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=300)
    position = models.PositiveIntegerField()  # the unit's priority order in the plan
    stage = models.CharField(max_length=20, choices=Stage.choices)
    released = models.BooleanField()
    reason = models.TextField(blank=True)
    #: The unit's campaigns when decided (empty for the organisation, found by period), so a
    #: later change of settings (grade bands) cannot change what a decided unit holds.
    vacancies = models.JSONField(default=list)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period", "kind", "key", "stage"], name="one_release_decision"
            )
        ]


class StatutoryReturnDownload(models.Model):
    """Every download of the exact statutory figures: who, when, which year, which format."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.CharField(max_length=7)
    format = models.CharField(max_length=10)
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]
