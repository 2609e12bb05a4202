"""The app's models, which Django loads from this module. Each is defined in its feature:

- recruitment/applications/models.py: an application, its evidence, the candidate's
  declarations, drafts and the messages sent;
- recruitment/scoring/models.py: scores, agreed scores, offer decisions, the guarantee step,
  scoring reminders;
- recruitment/interviews/models.py: interview slots and their bookings;
- recruitment/monitoring/models.py: equality answers (stored apart, read only by the
  statistics), the records of the release path, the yearly report and the comments on it.
"""

from recruitment.applications.models import (
    ACTIVE_STATES,
    FINAL_STATES,
    STAGE_ORDER,
    Application,
    ApplicationDraft,
    ApplicationQuerySet,
    ApplicationState,
    Evidence,
    GuaranteeDeclaration,
    InterviewFormat,
    Notification,
    PositiveActionDeclaration,
    Stage,
)
from recruitment.interviews.models import InterviewBooking, InterviewSlot
from recruitment.monitoring.models import (
    EQUALITY_QUESTIONS,
    PREFER_NOT_TO_SAY,
    AgeBand,
    DecidedYear,
    DisabilityImpact,
    EqualityAnswers,
    Ethnicity,
    PackComment,
    PublicationPack,
    PublishedEqualityAnswers,
    ReleaseDecision,
    Religion,
    Sex,
    SexualOrientation,
    StatutoryReturnDownload,
    YesNo,
)
from recruitment.scoring.models import (
    SCORING_OPEN,
    AgreedAssessment,
    AgreedScore,
    DecisionRun,
    DecisionRunItem,
    GuaranteeOutcome,
    GuaranteeStep,
    OfferDecision,
    Score,
    ScoreStage,
    ScoringReminder,
)

__all__ = [
    "ACTIVE_STATES",
    "EQUALITY_QUESTIONS",
    "FINAL_STATES",
    "PREFER_NOT_TO_SAY",
    "SCORING_OPEN",
    "STAGE_ORDER",
    "AgeBand",
    "AgreedAssessment",
    "AgreedScore",
    "Application",
    "ApplicationDraft",
    "ApplicationQuerySet",
    "ApplicationState",
    "DecidedYear",
    "DecisionRun",
    "DecisionRunItem",
    "DisabilityImpact",
    "EqualityAnswers",
    "Ethnicity",
    "Evidence",
    "GuaranteeDeclaration",
    "GuaranteeOutcome",
    "GuaranteeStep",
    "InterviewBooking",
    "InterviewFormat",
    "InterviewSlot",
    "Notification",
    "OfferDecision",
    "PackComment",
    "PositiveActionDeclaration",
    "PublicationPack",
    "PublishedEqualityAnswers",
    "ReleaseDecision",
    "Religion",
    "Score",
    "ScoreStage",
    "ScoringReminder",
    "Sex",
    "SexualOrientation",
    "Stage",
    "StatutoryReturnDownload",
    "YesNo",
]
