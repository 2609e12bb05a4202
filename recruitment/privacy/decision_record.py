"""A campaign's complete decision record, in one file, for a tribunal or a complaint: what
was decided about each application, on what scores, by whom and why, and the holds placed.

HR only (``recruitment.export_decision_record``); every download is logged with who asked.
Equality-monitoring answers are never in it (they are read only by the statistics), nor the
words of adjustment requests. The declarations are, because the decisions they bear on (the
interview guarantee, the positive-action tie-breaker) are part of what a tribunal weighs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils import timezone

from kernel.audit import LogEntry, StateLog
from recruitment.models import AgreedAssessment, Application, Score
from recruitment.scoring import assessment, guarantee, selectors

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User
    from vacancies.models import Vacancy

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "full_name": user.full_name, "role": user.role}


def decision_record(vacancy: Vacancy, *, by: User) -> dict[str, Any]:
    """Everything decided in ``vacancy``'s campaign. A fixed number of queries whatever the
    number of applications (the audit log is read in batches of ``LOG_BATCH`` objects)."""
    # One copy of the vacancy, its criteria loaded once, shared by every application (the
    # assessment rules read the criteria through ``application.vacancy``).
    vacancy = (
        type(vacancy)
        .objects.select_related("hiring_manager", "sift_completed_by")
        .prefetch_related("criteria", "panel")
        .get(pk=vacancy.pk)
    )
    applications = list(
        Application.objects.filter(vacancy=vacancy)
        .select_related("candidate", "guarantee_declaration", "positive_action_declaration")
        .select_related("guarantee_step")
        .select_related("offer_decision__decided_by")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=Score.objects.select_related("criterion", "scorer").order_by(
                    "stage", "criterion__position", "scorer_id"
                ),
            ),
            Prefetch(
                "agreed_assessments",
                queryset=AgreedAssessment.objects.select_related("agreed_by").prefetch_related(
                    "scores"
                ),
            ),
        )
        .order_by("submitted_at", "pk")
    )
    for application in applications:
        application.vacancy = vacancy
    application_type = ContentType.objects.get_for_model(Application)
    history: dict[int, list[dict[str, Any]]] = {}
    for entry in (
        StateLog.objects.filter(
            content_type=application_type, object_id__in=[a.pk for a in applications]
        )
        .select_related("by")
        .order_by("timestamp", "pk")
    ):
        history.setdefault(entry.object_id, []).append(
            {
                "transition": entry.transition,
                "from": entry.source_state,
                "to": entry.state,
                "at": _when(entry.timestamp),
                "by": _person(entry.by),
                "reason": entry.description,
            }
        )
    criteria = {c.pk: c.text for c in vacancy.criteria.all()}
    changes = selectors.score_histories(
        [score for a in applications for score in a.scores.all()],
        [agreed for a in applications for agreed in a.agreed_assessments.all()],
    )
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _when(timezone.now()),
        "generated_by": _person(by),
        "vacancy": _vacancy(vacancy, criteria),
        "applications": [
            _application(a, criteria, history.get(a.pk, []), changes.get(a.pk, []))
            for a in applications
        ],
        "holds": _holds(vacancy, applications),
    }


def _vacancy(vacancy: Vacancy, criteria: dict[int, str]) -> dict[str, Any]:
    plan = getattr(vacancy, "positive_action_plan", None)  # None: no plan
    return {
        "reference": vacancy.reference,
        "title": vacancy.title,
        "department": vacancy.department,
        "grade": vacancy.grade,
        "status": vacancy.status,
        "closing_date": _when(vacancy.closing_date),
        "closed_at": _when(vacancy.closed_at),
        "sift_completed_at": _when(vacancy.sift_completed_at),
        "sift_completed_by": _person(vacancy.sift_completed_by),
        "ended_at": _when(vacancy.ended_at),
        "chair": _person(vacancy.hiring_manager),
        "panel": [_person(member) for member in sorted(vacancy.panel.all(), key=lambda u: u.pk)],
        "criteria": [{"id": c.pk, "text": c.text, "kind": c.kind} for c in vacancy.criteria.all()],
        "minimum_criteria_rule": vacancy.minimum_criteria_rule,
        "pass_mark": vacancy.pass_mark,
        "interview_guarantees": list(vacancy.interview_guarantees),
        "interview_limit": vacancy.interview_limit,
        "interview_limit_reason": vacancy.interview_limit_reason,
        "tie_band": vacancy.tie_band,
        "tie_band_reason": vacancy.tie_band_reason,
        "positive_action_plan": None if plan is None else {"evidence": plan.evidence},
        "legal_hold": {"held": vacancy.legal_hold, "reason": vacancy.legal_hold_reason},
    }


def _application(
    application: Application,
    criteria: dict[int, str],
    history: list[dict[str, Any]],
    score_changes: list[selectors.ScoreChange],
) -> dict[str, Any]:
    candidate = application.candidate
    offer = getattr(application, "offer_decision", None)  # None: no offer made
    step = getattr(application, "guarantee_step", None)  # None: no scheme, or sift open
    return {
        "reference": application.reference,
        "candidate": None
        if candidate is None
        else {"full_name": candidate.full_name, "email": candidate.email},
        "erased": application.erased_at is not None,
        "state": application.state,
        "furthest_stage": application.furthest_stage,
        "submitted_at": _when(application.submitted_at),
        "interview_at": _when(application.interview_at),
        "interview_guarantee_declared": guarantee.declared_scheme(application),
        # What the interview guarantee did when the sift was completed.
        "guarantee_step": None
        if step is None
        else {
            "outcome": step.outcome,
            "essential_total": step.essential_total,
            "reason": step.reason,
            "decided_at": _when(step.decided_at),
        },
        "positive_action_declared": guarantee.positive_action_declared(application),
        "meets_minimum_criteria": assessment.meets_minimum_criteria(application),
        "scores": [
            {
                "stage": s.stage,
                "criterion": criteria.get(s.criterion_id, s.criterion_id),
                "scorer": _person(s.scorer),
                "score": s.score,
                "note": s.note,
                "updated_at": _when(s.updated_at),
            }
            for s in application.scores.all()
        ],
        "agreed": [
            {
                "stage": agreed.stage,
                "scores": [
                    {"criterion": criteria.get(s.criterion_id, s.criterion_id), "score": s.score}
                    for s in agreed.scores.all()
                ],
                "total": assessment.agreed_total(application, agreed.stage),
                "note": agreed.note,
                "agreed_by": _person(agreed.agreed_by),
                "agreed_at": _when(agreed.agreed_at),
                "out_of_date": agreed.out_of_date,
            }
            for agreed in application.agreed_assessments.all()
        ],
        "score_history": [
            {
                "at": _when(change.at),
                "stage": change.stage,
                "criterion": change.criterion,
                "scorer": change.scorer,
                "before": change.before,
                "after": change.after,
                "note_changed": change.note_changed,
                "after_agreement": change.after_agreement,
            }
            for change in score_changes
        ],
        "history": history,
        "offer": None
        if offer is None
        else {
            "positive_action_used": offer.positive_action_used,
            "justification": offer.justification,
            "evidence": offer.evidence,
            "tied_with": offer.tied_with,
            "decided_by": _person(offer.decided_by),
            "decided_at": _when(offer.decided_at),
        },
        "legal_hold": {"held": application.legal_hold, "reason": application.legal_hold_reason},
    }


def _holds(vacancy: Vacancy, applications: list[Application]) -> list[dict[str, Any]]:
    """Every legal hold placed or released on the campaign or its applications, from the
    audit log: when, by whom, held or released, and why."""
    references = {str(a.pk): a.reference for a in applications}
    entries = (
        LogEntry.objects.filter(
            Q(
                content_type=ContentType.objects.get_for_model(type(vacancy)),
                object_pk=str(vacancy.pk),
            )
            | Q(
                content_type=ContentType.objects.get_for_model(Application),
                object_pk__in=list(references),
            )
        )
        .filter(action=LogEntry.Action.UPDATE)  # not the rows' creation
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    holds = []
    for entry in entries:
        changes = entry.changes_dict
        if "legal_hold" not in changes:
            continue
        is_vacancy = entry.content_type.model_class() is not Application
        holds.append(
            {
                "on": vacancy.reference if is_vacancy else references[entry.object_pk],
                "at": _when(entry.timestamp),
                "by": _person(entry.actor),
                "held": changes["legal_hold"][1] == "True",
                "reason": changes.get("legal_hold_reason", ["", ""])[1],
            }
        )
    return holds
