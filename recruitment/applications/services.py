"""Every write on an application: one function per action.

Each runs in a transaction with the application row locked (``SELECT … FOR UPDATE``), checks
who may act (403) and what the state machine and its guards allow (409 with a code), changes
the state through the django-fsm transition, and lets django-fsm-log write the history row
(who, when, from, to, reason) in the same transaction. The API and the web pages call these.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from adjustments.services import adjustments_close_for_withdrawal
from kernel import transitions
from kernel.audit import StateLog, acting_as
from kernel.errors import ActionForbidden, DomainError
from kernel.legal_hold import legal_hold_set
from kernel.text import single_line_errors
from recruitment import tasks
from recruitment.applications import workflow
from recruitment.applications.notifications import INTERVIEW_BOOKED, INTERVIEW_CANCELLED
from recruitment.interviews import booking
from recruitment.models import (
    EQUALITY_QUESTIONS,
    Application,
    ApplicationDraft,
    ApplicationState,
    EqualityAnswers,
    Evidence,
    GuaranteeDeclaration,
    InterviewFormat,
    OfferDecision,
    PositiveActionDeclaration,
    ScoreStage,
)
from recruitment.scoring import guarantee, pay
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from vacancies.models import Vacancy

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


# --- Submission -----------------------------------------------------------------------------


@dataclass
class EvidenceInput:
    criterion: int
    text: str


def application_submit(
    *,
    candidate: User,
    vacancy: Vacancy,
    statement: str,
    evidence: Sequence[EvidenceInput] = (),
    interview_guarantee: str | None = None,
    positive_action: bool = False,
    equality: dict[str, str] | None = None,
) -> Application:
    """Submit an application. The declarations and the equality answers are written to their
    own tables; nothing of them is stored on the application."""
    if not rules.has_perm("recruitment.apply", candidate):
        raise ActionForbidden("Only candidates can apply.")
    if not vacancy.accepting_applications:
        raise DomainError("vacancy_not_open", "This vacancy is not open for applications.")
    if Application.objects.filter(vacancy=vacancy, candidate=candidate).exists():
        raise DomainError("duplicate_application", "You have already applied for this vacancy.")

    errors: dict[str, list[str]] = {}
    criterion_ids = {c.pk for c in vacancy.criteria.all()}
    seen: set[int] = set()
    for item in evidence:
        if item.criterion not in criterion_ids:
            errors.setdefault("evidence", []).append(
                f"Criterion {item.criterion} is not a criterion of this vacancy."
            )
        elif item.criterion in seen:
            errors.setdefault("evidence", []).append(
                f"Criterion {item.criterion} has evidence twice."
            )
        seen.add(item.criterion)
    if interview_guarantee and not vacancy.offers_scheme(interview_guarantee):
        errors["interview_guarantee"] = [
            f"This vacancy does not offer the {interview_guarantee!r} interview guarantee; "
            f"it offers: {', '.join(vacancy.interview_guarantees) or 'none'}."
        ]
    if positive_action and not guarantee.has_positive_action_plan(vacancy):
        errors["positive_action"] = ["This vacancy has no positive-action plan."]
    answers = {key: value for key, value in (equality or {}).items() if value}
    if unknown := sorted(set(answers) - set(EQUALITY_QUESTIONS)):
        errors["equality"] = [f"Unknown questions: {unknown}."]
    elif answers.get("disability_impact", "prefer_not_to_say") != "prefer_not_to_say" and (
        answers.get("disability_condition") != "yes"
    ):
        errors["equality"] = ["disability_impact is asked only when disability_condition is 'yes'."]
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            application = Application.objects.create(
                vacancy=vacancy, candidate=candidate, statement=statement
            )
            Evidence.objects.bulk_create(
                Evidence(application=application, criterion_id=item.criterion, text=item.text)
                for item in evidence
            )
            if interview_guarantee:
                GuaranteeDeclaration.objects.create(
                    application=application, scheme=interview_guarantee
                )
            if positive_action:
                PositiveActionDeclaration.objects.create(application=application)
            # Always one row, so that "not answered" is counted too.
            EqualityAnswers.objects.create(application=application, vacancy=vacancy, **answers)
            StateLog.objects.create(
                content_object=application,
                by=candidate,
                source_state=None,
                state=ApplicationState.SUBMITTED,
                transition="submit",
            )
            # Sent: the draft of it (the apply pages') is no longer kept.
            ApplicationDraft.objects.filter(candidate=candidate, vacancy=vacancy).delete()
            # Told that it arrived, once committed.
            notify_on_commit(application.pk, "received")
    except IntegrityError as exc:
        # Two submissions raced past the check above: the unique constraint decides.
        raise DomainError(
            "duplicate_application", "You have already applied for this vacancy."
        ) from exc
    logger.info("application %s submitted to vacancy %s", application.pk, vacancy.pk)
    return application


# --- Transitions ----------------------------------------------------------------------------


def may_take(application: Application, user: User, action: str) -> bool:
    """Whether this user may ever take ``action`` on this application, whatever its state."""
    return transitions.may_take(application, user, workflow.ACTIONS[action].transitions)


def available_actions(application: Application, user: User, taken: int | None = None) -> list[str]:
    """The actions this user may take on this application now (for buttons and the API).
    A list of applications passes each vacancy's shortlisted count (``taken``), counted once."""
    actions = []
    for action in workflow.ACTIONS.values():
        name = transitions.applicable(application, action.transitions)
        if (
            name
            and may_take(application, user, action.name)
            and workflow.refusal(application, name, taken) is None
        ):
            actions.append(action.name)
    return actions


def lock_vacancy_of(application_id: Any) -> None:
    """Sift decisions on one vacancy take turns (vacancy row, then application row, always in
    that order): two shortlistings cannot both take the last place under an interview limit,
    and no decision or withdrawal slips past the completion of the sift, which locks the
    vacancy row first too."""
    vacancy_id = (
        Application.objects.filter(pk=application_id).values_list("vacancy_id", flat=True).first()
    )
    Vacancy.objects.select_for_update().filter(pk=vacancy_id).values_list("pk", flat=True).first()


def locked(application_id: Any) -> Application:
    return (
        Application.objects.with_assessment_data()
        .select_for_update(of=("self",))
        .get(pk=application_id)
    )


def notify_on_commit(application_id: int, kind: str) -> None:
    transaction.on_commit(lambda: tasks.send_notification.delay(application_id, kind))


def _transition(
    *,
    application_id: Any,
    by: User,
    action: str,
    reason: str = "",
    before: Any = None,
) -> Application:
    """Run ``action`` (workflow.ACTIONS) on the locked application."""
    step = workflow.ACTIONS[action]
    if step.reason_required:
        reason_required(reason)
    with transaction.atomic():
        if step.locks_vacancy:
            lock_vacancy_of(application_id)
        application = locked(application_id)
        reached = application.furthest_stage
        transitions.run_transition(
            application,
            by=by,
            names=step.transitions,
            label=step.label,
            reason=reason,
            refusal=lambda name: workflow.refusal(application, name),
            before=before,
        )
        if application.furthest_stage != reached:
            record_stage(application)
        if kind := workflow.MESSAGE_ON_REACHING.get(ApplicationState(application.state)):
            notify_on_commit(application.pk, kind)
    logger.info("application %s: %s by user %s", application.pk, action, by.pk)
    return application


def record_stage(application: Application) -> None:
    """The monitoring row records the furthest stage too (write only; never read here)."""
    EqualityAnswers.objects.filter(application_id=application.pk).update(
        furthest_stage=application.furthest_stage
    )


def reason_required(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": ["A reason is required."]})


def take(action: str, *, application_id: Any, by: User, **inputs: Any) -> Application:
    """Take ``action`` (a name in workflow.ACTIONS) with its inputs: what the API and the pages
    call. Each action is its own service function, ``application_<name>``."""
    service = globals()[f"application_{workflow.ACTIONS[action].name}"]
    result: Application = service(application_id=application_id, by=by, **inputs)
    return result


def application_shortlist(*, application_id: Any, by: User, reason: str = "") -> Application:
    return _transition(application_id=application_id, by=by, action="shortlist", reason=reason)


def application_reject(*, application_id: Any, by: User, reason: str) -> Application:
    """Reject at sift (on the agreed essential scores; the candidate is told when the sift is
    complete) or after interview."""
    return _transition(application_id=application_id, by=by, action="reject", reason=reason)


#: How long an interview may be set for, in minutes.
INTERVIEW_MINUTES = (10, 480)


def interview_details_errors(
    interview_format: str, interview_place: str, interview_minutes: int | None
) -> dict[str, list[str]]:
    """What is wrong with an interview's format, place and length (all optional for the API,
    as the contract's interview has only a time; the page asks for each)."""
    errors: dict[str, list[str]] = {}
    if interview_format and interview_format not in InterviewFormat.values:
        errors["interview_format"] = [f"One of {', '.join(InterviewFormat.values)}."]
    if interview_place.strip() and not interview_format:
        errors["interview_format"] = [
            "Say how the interview is held (in_person, video or phone) when you give a place."
        ]
    if interview_format in (InterviewFormat.IN_PERSON, InterviewFormat.VIDEO) and not (
        interview_place.strip()
    ):
        errors["interview_place"] = [
            "Say where it is (the address and room) or how to join (the video link)."
        ]
    errors |= single_line_errors(interview_place=interview_place)
    low, high = INTERVIEW_MINUTES
    if interview_minutes is not None and not low <= interview_minutes <= high:
        errors["interview_minutes"] = [f"Between {low} and {high} minutes."]
    return errors


def application_schedule_interview(
    *,
    application_id: Any,
    by: User,
    interview_at: datetime,
    reason: str = "",
    interview_format: str = "",
    interview_place: str = "",
    interview_minutes: int | None = None,
) -> Application:
    errors = interview_details_errors(interview_format, interview_place, interview_minutes)
    if interview_at <= timezone.now():
        errors["interview_at"] = ["The interview must be in the future."]
    if errors:
        raise ValidationError(errors)

    def set_date(application: Application) -> None:
        application.interview_at = interview_at
        application.interview_format = interview_format
        application.interview_place = interview_place.strip()
        application.interview_minutes = interview_minutes
        # Invite the candidate, prompt for adjustments and Access to Work, once committed.
        notify_on_commit(application.pk, "interview_invitation")

    return _transition(
        application_id=application_id,
        by=by,
        action="schedule_interview",
        reason=reason,
        before=set_date,
    )


def application_book_interview(
    *, application_id: Any, by: User, slot: int, reason: str = ""
) -> Application:
    """Book a published interview slot, or move to another: the candidate, once the sift is
    complete, up to ``INTERVIEW_NOTICE_HOURS`` before the interview. The slot is shaped by
    their agreed adjustments (recruitment/interviews/rules.py); they are sent the details
    with a calendar invitation."""

    def hold(application: Application) -> None:
        held = booking.book(application, slot, by)
        notify_on_commit(application.pk, f"{INTERVIEW_BOOKED}{held.pk}")

    return _transition(
        application_id=application_id, by=by, action="book_interview", reason=reason, before=hold
    )


def application_cancel_interview(*, application_id: Any, by: User, reason: str = "") -> Application:
    """Cancel the booked slot (it is free again); the candidate may book another."""

    def release(application: Application) -> None:
        if (released := booking.cancel(application)) is not None:
            notify_on_commit(application.pk, f"{INTERVIEW_CANCELLED}{released.pk}")

    return _transition(
        application_id=application_id,
        by=by,
        action="cancel_interview",
        reason=reason,
        before=release,
    )


def application_record_interview(*, application_id: Any, by: User, reason: str = "") -> Application:
    return _transition(
        application_id=application_id, by=by, action="record_interview", reason=reason
    )


def application_offer(
    *,
    application_id: Any,
    by: User,
    positive_action_justification: str | None = None,
    salary: int | None = None,
    salary_reason: str = "",
    reason: str = "",
) -> Application:
    """Offer the post at ``salary`` (within the vacancy's range; the bottom of it when not
    given; ``salary_reason`` required above the bottom: recruitment/scoring/pay.py). With
    ``positive_action_justification`` the offer records that the s.159 tie-breaker was used:
    allowed only for a candidate who is positive-action eligible in the interview ranking
    (tied on equal agreed totals, declared, plan in place)."""
    use_positive_action = positive_action_justification is not None
    if use_positive_action and not (positive_action_justification or "").strip():
        raise ValidationError(
            {"positive_action": ["A written justification is required to use the tie-breaker."]}
        )

    def record(application: Application) -> None:
        paid, paid_reason = pay.offered_salary(application.vacancy, salary, salary_reason)
        # Whom the candidate was tied with is recorded on every offer, so the audit also
        # shows the ties where the tie-breaker was not used.
        ranking = VacancyRanking(application.vacancy, ScoreStage.INTERVIEW)
        mine = ranking.standing_of(application)
        tied_with = (
            [
                r.application.reference
                for r in ranking.walk(RankingFilter(tie_group=mine.tie_group))
                if r.application.pk != application.pk
            ]
            if mine is not None and mine.tie_group is not None
            else []
        )
        evidence = ""
        if use_positive_action:
            if mine is None or not mine.positive_action_eligible:
                raise DomainError(
                    "positive_action_not_applicable",
                    "The positive-action tie-breaker applies only to an eligible candidate "
                    "in a tie on the agreed interview scores.",
                )
            evidence = application.vacancy.positive_action_plan.evidence
        with acting_as(by):
            OfferDecision.objects.create(
                application=application,
                positive_action_used=use_positive_action,
                justification=(positive_action_justification or "").strip(),
                evidence=evidence,
                tied_with=tied_with,
                salary=paid,
                salary_reason=paid_reason,
                decided_by=by,
            )
        # The starting-pay report reads where the salary sits in the range (write only).
        EqualityAnswers.objects.filter(application_id=application.pk).update(
            pay_position=pay.position_in_range(application.vacancy, paid)
        )

    return _transition(
        application_id=application_id, by=by, action="offer", reason=reason, before=record
    )


def application_accept_offer(*, application_id: Any, by: User, reason: str = "") -> Application:
    return _transition(application_id=application_id, by=by, action="accept_offer", reason=reason)


def application_decline_offer(*, application_id: Any, by: User, reason: str = "") -> Application:
    return _transition(application_id=application_id, by=by, action="decline_offer", reason=reason)


def application_withdraw(*, application_id: Any, by: User, reason: str = "") -> Application:
    """Withdraw, and close the application's adjustment requests still open or agreed: there
    is nothing left to arrange (HR's queue no longer shows them)."""

    def close_requests(application: Application) -> None:
        adjustments_close_for_withdrawal(application=application, by=by)
        # The slot is free again; the calendar event is cancelled.
        if (released := booking.cancel(application, clear_interview=False)) is not None:
            notify_on_commit(application.pk, f"{INTERVIEW_CANCELLED}{released.pk}")

    return _transition(
        application_id=application_id,
        by=by,
        action="withdraw",
        reason=reason,
        before=close_requests,
    )


# --- Legal hold ------------------------------------------------------------------------------


def application_legal_hold_set(
    *, application_id: Any, by: User, held: bool, reason: str = "", confirm: bool = False
) -> Application:
    """Place or release a legal hold on an application. While held, nothing of its whole
    campaign is erased (a claim about one decision needs the others it was made against:
    the appointee's offer and any s.159 justification, the scores, the reasons). HR only; a
    release needs a reason and ``confirm`` (kernel/legal_hold.py). The vacancy row is locked
    first, as erasure locks it, so a hold and an erasure of the campaign take turns."""
    return legal_hold_set(
        Application,
        pk=application_id,
        by=by,
        permission="recruitment.set_legal_hold",
        held=held,
        reason=reason,
        confirm=confirm,
        lock_first=Vacancy.objects.filter(applications__pk=application_id),
    )
