"""The states an application moves through and the stages it reaches: plain choices, read by
every feature (the workflow, the scoring rules, the statistics) without loading a model."""

from __future__ import annotations

from django.db import models


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


class InterviewFormat(models.TextChoices):
    """How an interview is held."""

    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video call"
    PHONE = "phone", "By phone"


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
