"""Subject access (UK GDPR Art. 15): everything the service holds about a person, for them.

The one place besides the statistics that reads equality answers, and only the person's own,
to give them back to that person. The API (``GET /api/v1/auth/me/data/``) and the web page
(``/account/data/``) both return ``personal_data(user)`` as a JSON download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone

from adjustments.models import AdjustmentRequest
from kernel.audit import StateLog
from recruitment.models import (
    EQUALITY_QUESTIONS,
    AgreedAssessment,
    Application,
    ApplicationDraft,
    EqualityAnswers,
    OfferDecision,
    Score,
)

if TYPE_CHECKING:
    from accounts.models import User

FORMAT_VERSION = 1


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _equality(application: Application) -> dict[str, str] | None:
    answers = EqualityAnswers.objects.filter(application_id=application.pk).first()
    if answers is None:
        return None
    return {
        question: getattr(answers, question)
        for question in EQUALITY_QUESTIONS
        if getattr(answers, question)
    }


def _history(content_type: ContentType, object_id: int, user: User) -> list[dict[str, Any]]:
    entries = StateLog.objects.filter(content_type=content_type, object_id=object_id).order_by(
        "timestamp", "id"
    )
    return [
        {
            "transition": e.transition,
            "from": e.source_state,
            "to": e.state,
            "at": _when(e.timestamp),
            # Staff are named by role only: this is the candidate's data, not theirs.
            "by": None if e.by_id is None else ("you" if e.by_id == user.pk else "staff"),
            "reason": e.description,
        }
        for e in entries
    ]


def _scores(application: Application) -> dict[str, Any]:
    """The panel's scores and notes about the application (the panel members unnamed) and
    the agreed outcome, per stage."""
    by_stage: dict[str, Any] = {}
    scorers: dict[int, str] = {}
    for score in Score.objects.filter(application=application).select_related("criterion"):
        label = scorers.setdefault(score.scorer_id, f"panel member {len(scorers) + 1}")
        stage = by_stage.setdefault(score.stage, {"individual": [], "agreed": None})
        stage["individual"].append(
            {
                "panel_member": label,
                "criterion": score.criterion.text,
                "score": score.score,
                "note": score.note,
            }
        )
    for agreed in AgreedAssessment.objects.filter(application=application).prefetch_related(
        "scores__criterion"
    ):
        stage = by_stage.setdefault(agreed.stage, {"individual": [], "agreed": None})
        stage["agreed"] = {
            "note": agreed.note,
            "scores": [
                {"criterion": s.criterion.text, "score": s.score} for s in agreed.scores.all()
            ],
        }
    return by_stage


def _application(application: Application, user: User, types: dict[str, Any]) -> dict[str, Any]:
    guarantee = getattr(application, "guarantee_declaration", None)
    positive_action = getattr(application, "positive_action_declaration", None)
    step = getattr(application, "guarantee_step", None)
    offer = OfferDecision.objects.filter(application=application).first()
    return {
        "reference": application.reference,
        "vacancy": {
            "reference": application.vacancy.reference,
            "title": application.vacancy.title,
            "department": application.vacancy.department,
        },
        "state": application.state,
        # What the service's pages say to you: a decision not to shortlist is recorded (and
        # given here, as everything held about you is) but told only when the sift is
        # complete, because the interview guarantee may still invite you.
        "status_shown": application.candidate_state,
        "furthest_stage": application.furthest_stage,
        "submitted_at": _when(application.submitted_at),
        "interview_at": _when(application.interview_at),
        "statement": application.statement,
        "evidence": [
            {"criterion": e.criterion.text, "text": e.text} for e in application.evidence.all()
        ],
        "interview_guarantee": (
            {"scheme": guarantee.scheme, "declared_at": _when(guarantee.declared_at)}
            if guarantee
            else None
        ),
        # What the guarantee did, once the sift was completed.
        "guarantee_step": (
            {"outcome": step.outcome, "reason": step.reason, "decided_at": _when(step.decided_at)}
            if step
            else None
        ),
        "positive_action_declaration": (
            {"declared_at": _when(positive_action.declared_at)} if positive_action else None
        ),
        "equality_monitoring": _equality(application),
        "adjustments": [
            {
                "stage": a.stage,
                "category": a.category,
                "details": a.details,
                "state": a.state,
                "arrangement": a.arrangement,
                "decline_reason": a.decline_reason,
                "provider": a.provider,
                "requested_at": _when(a.requested_at),
                "decided_at": _when(a.decided_at),
                "in_place_at": _when(a.in_place_at),
                "history": _history(types["adjustment"], a.pk, user),
            }
            for a in application.adjustments.all()
        ],
        "scores": _scores(application),
        "offer": (
            {
                "positive_action_used": offer.positive_action_used,
                "justification": offer.justification,
                "salary": offer.salary,
                "salary_reason": offer.salary_reason,
                "decided_at": _when(offer.decided_at),
            }
            if offer
            else None
        ),
        "messages_sent": [
            {"kind": n.kind, "sent_at": _when(n.sent_at)}
            for n in application.notifications.order_by("sent_at", "id")
        ],
        "legal_hold": application.legal_hold,
        "history": _history(types["application"], application.pk, user),
    }


def personal_data(user: User) -> dict[str, Any]:
    """Everything held about ``user``: their account and, for each of their applications
    not yet erased, what they sent, what was decided and recorded about it, and their own
    equality-monitoring answers."""
    types = {
        "application": ContentType.objects.get_for_model(Application),
        "adjustment": ContentType.objects.get_for_model(AdjustmentRequest),
    }
    applications = (
        Application.objects.filter(candidate=user, erased_at=None)
        .select_related("vacancy", "guarantee_declaration", "positive_action_declaration")
        .select_related("guarantee_step")
        .prefetch_related(
            "evidence__criterion",
            Prefetch("adjustments", queryset=AdjustmentRequest.objects.order_by("requested_at")),
        )
        .order_by("submitted_at", "id")
    )
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _when(timezone.now()),
        "account": {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "role": user.role,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "applications": [_application(a, user, types) for a in applications],
        # Applications started and not sent: what the apply pages have kept so far.
        "drafts": [
            {
                "vacancy": {"reference": d.vacancy.reference, "title": d.vacancy.title},
                "updated_at": _when(d.updated_at),
                "answers": d.data,
            }
            for d in ApplicationDraft.objects.filter(candidate=user)
            .select_related("vacancy")
            .order_by("updated_at", "pk")
        ],
        "retention": (
            "Applications are kept for the retention period after the campaign ends (the "
            "vacancy is filled or cancelled), then erased; only anonymous counts remain."
        ),
    }
