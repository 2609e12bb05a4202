"""What the panel scored, what the chair agreed, the offer decision, the guarantee step."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recruitment.applications.states import ApplicationState
from vacancies.models import SCORE_VALIDATORS, Criterion


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
        "recruitment.Application", on_delete=models.CASCADE, related_name="guarantee_step"
    )
    outcome = models.CharField(max_length=30, choices=GuaranteeOutcome.choices)
    #: The sum of the agreed essential scores the step was decided on (None: withdrawn).
    essential_total = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(max_length=2000)
    decided_at = models.DateTimeField(auto_now_add=True)


class Score(models.Model):
    """One panel member's own score for one criterion at one stage: scored independently."""

    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="scores"
    )
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
        "recruitment.Application", on_delete=models.CASCADE, related_name="agreed_assessments"
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
        "recruitment.Application", on_delete=models.CASCADE, related_name="offer_decision"
    )
    positive_action_used = models.BooleanField(default=False)
    justification = models.TextField(max_length=5000, blank=True)
    evidence = models.TextField(max_length=5000, blank=True)
    tied_with = models.JSONField(default=list, blank=True)
    #: The yearly salary offered, in whole pounds, within the vacancy's range (None: an offer
    #: made before pay was recorded). Kept when the offer is accepted: the starting pay.
    salary = models.PositiveIntegerField(null=True, blank=True)
    #: Why the salary is above the bottom of the range (required then; empty at the bottom).
    salary_reason = models.TextField(max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)


class ScoringReminder(models.Model):
    """A panel member was reminded that an application is waiting for their scores at a
    stage. The row is the claim: a member is reminded of an application once per stage, so
    running the reminder task again sends nothing twice."""

    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="scoring_reminders"
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


class DecisionRun(models.Model):
    """One recorded decision over a range of the sift's ranking: "shortlist everyone ranked
    1 to N" (or "do not shortlist" them, with a reason). The applications it covers are
    fixed when it is asked for (``DecisionRunItem``); a Celery task then takes each through
    the one per-application action, marking each item in the same transaction as its
    transition, so a worker that dies midway loses nothing and a rerun repeats nothing."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Finished"

    vacancy = models.ForeignKey(
        "vacancies.Vacancy", on_delete=models.CASCADE, related_name="decision_runs"
    )
    action = models.CharField(max_length=20)  # one of decisions.BULK_ACTIONS
    up_to_rank = models.PositiveIntegerField()
    reason = models.TextField(max_length=5000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    #: When the last item was taken: a run with items waiting and no progress for a while
    #: has lost its worker (``decision_runs_resume``).
    progressed_at = models.DateTimeField(null=True, blank=True)
    #: The line of tasks working on the run (each queues the next with it): one at a time.
    chain = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One run at a time per vacancy: two would race for the interview places.
            models.UniqueConstraint(
                fields=["vacancy"],
                condition=~models.Q(state="done"),
                name="one_open_decision_run_a_vacancy",
            ),
        ]


class DecisionRunItem(models.Model):
    """One application of a ``DecisionRun``, in ranking order; ``outcome`` empty until the
    task has taken it."""

    class Outcome(models.TextChoices):
        PENDING = "", "Waiting"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    run = models.ForeignKey(DecisionRun, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    #: The refusal: a 409 code, "permission_denied" or "invalid".
    code = models.CharField(max_length=40, blank=True)
    detail = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="one_item_an_application"),
        ]
        indexes = [models.Index(fields=["run", "outcome", "position"], name="decision_run_next")]


# --- The release path's records (recruitment/monitoring/disclosure.py) ---------------------------------
