"""A campaign's complete decision record, in one file, for a tribunal or a complaint: what
was decided about each application, on what scores, by whom and why, and the holds placed.

HR only (``recruitment.export_decision_record``); every download is logged with who asked.
Equality-monitoring answers are never in it (they are read only by the statistics), nor the
words of adjustment requests. The declarations are, because the decisions they bear on (the
interview guarantee, the positive-action tie-breaker) are part of what a tribunal weighs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Prefetch, Q
from django.db.models.functions import Cast
from django.utils import timezone

from kernel.audit import LogEntry, StateLog
from recruitment.applications.workflow import TRANSITION_WORDS
from recruitment.models import (
    AgreedAssessment,
    Application,
    ApplicationState,
    GuaranteeOutcome,
    Score,
    ScoreStage,
    Stage,
)
from recruitment.scoring import assessment, guarantee, selectors
from vacancies.models import GuaranteeScheme

if TYPE_CHECKING:
    from accounts.models import User
    from vacancies.models import Vacancy

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "full_name": user.full_name, "role": user.role}


#: Applications read (with their scores, agreed scores, history and score history) at a
#: time: the record of a 65,000-application campaign is written out batch by batch, never
#: held whole in memory.
BATCH = 1000


def _campaign(vacancy: Vacancy) -> Vacancy:
    """One copy of the vacancy, its criteria loaded once, shared by every application (the
    assessment rules read the criteria through ``application.vacancy``)."""
    return (
        type(vacancy)
        .objects.select_related("hiring_manager", "sift_completed_by")
        .prefetch_related("criteria", "panel")
        .get(pk=vacancy.pk)
    )


def decision_record(vacancy: Vacancy, *, by: User) -> dict[str, Any]:
    """Everything decided in ``vacancy``'s campaign, as one object (the JSON download is
    ``decision_record_json``, the same object written out a batch at a time)."""
    record = _header(_campaign(vacancy), by)
    record["applications"] = list(application_records(vacancy))
    record["holds"] = _holds(vacancy)
    return record


def decision_record_json(vacancy: Vacancy, *, by: User) -> Iterator[str]:
    """``decision_record`` as JSON text, in pieces: the header, then each batch of
    applications as it is read, then the holds."""
    header = json.dumps(_header(_campaign(vacancy), by), cls=DjangoJSONEncoder)
    yield header[:-1] + ', "applications": ['
    first = True
    for record in application_records(vacancy):
        yield ("" if first else ", ") + json.dumps(record, cls=DjangoJSONEncoder)
        first = False
    yield '], "holds": ' + json.dumps(_holds(vacancy), cls=DjangoJSONEncoder) + "}"


def _header(vacancy: Vacancy, by: User) -> dict[str, Any]:
    criteria = {c.pk: c.text for c in vacancy.criteria.all()}
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _when(timezone.now()),
        "generated_by": _person(by),
        "vacancy": _vacancy(vacancy, criteria),
    }


def application_records(vacancy: Vacancy) -> Iterator[dict[str, Any]]:
    """Each application's record, in arrival order, ``BATCH`` at a time: a fixed number of
    queries a batch whatever the campaign's size."""
    vacancy = _campaign(vacancy)
    criteria = {c.pk: c.text for c in vacancy.criteria.all()}
    ids = list(
        Application.objects.filter(vacancy=vacancy)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    for i in range(0, len(ids), BATCH):
        yield from _batch(vacancy, criteria, ids[i : i + BATCH])


#: The CSV download: one row an application, the JSON record's fields flattened (the
#: panel's individual scores and the score history are summed up, in full in the JSON):
#: column → its heading, in words.
CSV_HEADINGS = {
    "reference": "Reference",
    "candidate_name": "Candidate's name",
    "candidate_email": "Candidate's email address",
    "erased": "Personal data erased",
    "state": "State",
    "furthest_stage": "Furthest stage reached",
    "submitted_at": "Sent",
    "interview_at": "Interview",
    "shortlisting_agreed_total": "Shortlisting: agreed total",
    "shortlisting_agreed_scores": "Shortlisting: agreed scores",
    "shortlisting_agreed_by": "Shortlisting: agreed by",
    "shortlisting_agreed_at": "Shortlisting: agreed on",
    "shortlisting_agreed_out_of_date": "Shortlisting: a score changed after agreement",
    "meets_minimum_criteria": "Meets the minimum criteria",
    "interview_agreed_total": "Interview: agreed total",
    "interview_agreed_scores": "Interview: agreed scores",
    "interview_agreed_by": "Interview: agreed by",
    "interview_agreed_at": "Interview: agreed on",
    "panel_scores": "Panel members' scores",
    "score_changes_after_agreement": "Scores changed after agreement",
    "interview_guarantee_declared": "Guaranteed interview scheme declared",
    "guarantee_step": "What the guarantee did",
    "guarantee_step_reason": "Why",
    "positive_action_declared": "Positive-action declaration made",
    "decisions": "Decisions",
    "offer_positive_action_used": "Offer: positive-action tie-breaker used",
    "offer_justification": "Offer: justification",
    "offer_evidence": "Offer: evidence",
    "offer_salary": "Offer: salary (£ a year)",
    "offer_salary_reason": "Offer: why above the bottom of the range",
    "offer_decided_by": "Offer: decided by",
    "offer_decided_at": "Offer: decided on",
    "legal_hold": "Legal hold",
    "legal_hold_reason": "Legal hold: reason",
}
CSV_COLUMNS = list(CSV_HEADINGS)
#: A moment in the CSV: local time to the minute, as a spreadsheet reads it.
CSV_TIME = "%Y-%m-%d %H:%M"


def decision_record_rows(vacancy: Vacancy) -> Iterator[list[Any]]:
    """The CSV download's rows, header first, a batch of applications at a time: a
    spreadsheet for a person, so its values are words (the JSON keeps the codes)."""
    yield list(CSV_HEADINGS.values())
    for record in application_records(vacancy):
        flat = _flat(record)
        yield [flat[column] for column in CSV_COLUMNS]


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    def name(person: dict[str, Any] | None) -> str:
        return "" if person is None else person["full_name"]

    agreed = {a["stage"]: a for a in record["agreed"]}

    def words(choices: Any, code: str | None) -> str:
        return "" if not code else str(dict(choices.choices).get(code, code))

    def moment(iso: str | None) -> str | None:
        return None if iso is None else datetime.fromisoformat(iso).strftime(CSV_TIME)

    row: dict[str, Any] = {
        "reference": record["reference"],
        "candidate_name": name(record["candidate"]),
        "candidate_email": (record["candidate"] or {}).get("email", ""),
        "erased": record["erased"],
        "state": words(ApplicationState, record["state"]),
        "furthest_stage": words(Stage, record["furthest_stage"]),
        "submitted_at": moment(record["submitted_at"]),
        "interview_at": moment(record["interview_at"]),
        "meets_minimum_criteria": record["meets_minimum_criteria"],
        "panel_scores": [
            f"{words(ScoreStage, s['stage'])}, {s['criterion']}, {name(s['scorer'])}: {s['score']}"
            for s in record["scores"]
        ],
        "score_changes_after_agreement": sum(
            1 for c in record["score_history"] if c["after_agreement"]
        ),
        "interview_guarantee_declared": words(
            GuaranteeScheme, record["interview_guarantee_declared"]
        ),
        "guarantee_step": words(GuaranteeOutcome, (record["guarantee_step"] or {}).get("outcome")),
        "guarantee_step_reason": (record["guarantee_step"] or {}).get("reason"),
        "positive_action_declared": record["positive_action_declared"],
        "decisions": [
            f"{moment(h['at'])}: {TRANSITION_WORDS.get(h['transition'], h['transition'])} by "
            f"{name(h['by'])}" + (f" ({h['reason']})" if h["reason"] else "")
            for h in record["history"]
        ],
        "legal_hold": record["legal_hold"]["held"],
        "legal_hold_reason": record["legal_hold"]["reason"],
    }
    for stage in ("shortlisting", "interview"):
        done = agreed.get(stage)
        row[f"{stage}_agreed_total"] = None if done is None else done["total"]
        row[f"{stage}_agreed_scores"] = (
            [] if done is None else [f"{s['criterion']}: {s['score']}" for s in done["scores"]]
        )
        row[f"{stage}_agreed_by"] = "" if done is None else name(done["agreed_by"])
        row[f"{stage}_agreed_at"] = None if done is None else moment(done["agreed_at"])
        if stage == "shortlisting":
            row["shortlisting_agreed_out_of_date"] = None if done is None else done["out_of_date"]
    offer = record["offer"] or {}
    row["offer_positive_action_used"] = offer.get("positive_action_used")
    row["offer_justification"] = offer.get("justification")
    row["offer_evidence"] = offer.get("evidence")
    row["offer_salary"] = offer.get("salary")
    row["offer_salary_reason"] = offer.get("salary_reason")
    row["offer_decided_by"] = name(offer.get("decided_by"))
    row["offer_decided_at"] = moment(offer.get("decided_at"))
    return row


def _batch(vacancy: Vacancy, criteria: dict[int, str], ids: list[int]) -> Iterator[dict[str, Any]]:
    applications = list(
        Application.objects.filter(pk__in=ids)
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
        StateLog.objects.filter(content_type=application_type, object_id__in=ids)
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
    changes = selectors.score_histories(
        [score for a in applications for score in a.scores.all()],
        [agreed for a in applications for agreed in a.agreed_assessments.all()],
    )
    for a in applications:
        yield _application(a, criteria, history.get(a.pk, []), changes.get(a.pk, []))


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
            "salary": offer.salary,
            "salary_reason": offer.salary_reason,
            "decided_by": _person(offer.decided_by),
            "decided_at": _when(offer.decided_at),
        },
        "legal_hold": {"held": application.legal_hold, "reason": application.legal_hold_reason},
    }


def _holds(vacancy: Vacancy) -> list[dict[str, Any]]:
    """Every legal hold placed or released on the campaign or its applications, from the
    audit log: when, by whom, held or released, and why. Two queries at any size."""
    campaign = Application.objects.filter(vacancy=vacancy).annotate(
        key=Cast("pk", output_field=CharField())
    )
    entries = list(
        LogEntry.objects.filter(
            Q(
                content_type=ContentType.objects.get_for_model(type(vacancy)),
                object_pk=str(vacancy.pk),
            )
            | Q(
                content_type=ContentType.objects.get_for_model(Application),
                object_pk__in=campaign.values("key"),
            )
        )
        .filter(action=LogEntry.Action.UPDATE, changes__has_key="legal_hold")
        .select_related("actor", "content_type")
        .order_by("timestamp", "pk")
    )
    is_vacancy = {e.pk: e.content_type.model_class() is not Application for e in entries}
    references = dict(
        campaign.filter(key__in=[e.object_pk for e in entries if not is_vacancy[e.pk]]).values_list(
            "key", "reference"
        )
    )
    return [
        {
            "on": vacancy.reference if is_vacancy[entry.pk] else references[entry.object_pk],
            "at": _when(entry.timestamp),
            "by": _person(entry.actor),
            "held": entry.changes_dict["legal_hold"][1] == "True",
            "reason": entry.changes_dict.get("legal_hold_reason", ["", ""])[1],
        }
        for entry in entries
    ]
