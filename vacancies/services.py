"""Every write on a vacancy: one function per action, each in a transaction with the row locked,
the state-log row written by django-fsm-log in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from accounts.models import STAFF_ROLES, Role
from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from kernel.legal_hold import legal_hold_set
from kernel.text import SINGLE_LINE_MESSAGE, is_single_line, single_line_errors
from vacancies.models import (
    MAX_TIE_BAND,
    POSITIVE_ACTION_GROUPS,
    Criterion,
    CriterionKind,
    GuaranteeScheme,
    MinimumCriteriaRule,
    PositiveActionPlan,
    Vacancy,
    VacancyStatus,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

REFERENCE_TAKEN = "A vacancy with this reference already exists."


@dataclass
class CriterionInput:
    kind: str
    text: str


@dataclass
class PositiveActionInput:
    characteristic: str
    groups: list[str]
    evidence: str


@dataclass
class VacancyInput:
    title: str
    reference: str
    department: str
    grade: str
    location: str
    description: str
    salary_min: int
    salary_max: int
    closing_date: datetime
    hiring_manager: User
    panel: Sequence[User]
    criteria: Sequence[CriterionInput]
    pass_mark: int = 2
    minimum_criteria_rule: str = MinimumCriteriaRule.ALL_ESSENTIAL_AT_PASS_MARK
    interview_guarantees: Sequence[str] = field(default_factory=list)
    positive_action: PositiveActionInput | None = None
    randomise_order: bool = False
    tie_band: int = 0
    tie_band_reason: str = ""
    interview_limit: int | None = None
    interview_limit_reason: str = ""
    #: Candidates see feedback from their agreed scores after a decision (HR may turn it off
    #: later too: ``vacancy_score_feedback_set``).
    score_feedback: bool = True


def _validate(data: VacancyInput, exclude_pk: int | None = None, by: User | None = None) -> None:
    """Rules that need more than one field, or the database. Raises a field-keyed
    ``ValidationError``; the API answers 400 with it and the web form shows it by the field."""
    errors: dict[str, list[str]] = single_line_errors(
        title=data.title,
        reference=data.reference,
        department=data.department,
        grade=data.grade,
        location=data.location,
    )
    if any(not is_single_line(c.text) for c in data.criteria):
        errors["criteria"] = [
            f"Each criterion: {SINGLE_LINE_MESSAGE[0].lower()}{SINGLE_LINE_MESSAGE[1:]}"
        ]
    if by is not None and by.role == Role.HIRING_MANAGER and data.hiring_manager != by:
        # They would lose sight of what they made: only HR assigns other chairs.
        errors["hiring_manager"] = [
            "A hiring manager can only create vacancies they chair: name yourself, or ask HR."
        ]
    if data.salary_min > data.salary_max:
        errors["salary_max"] = ["Must be at least the minimum salary."]
    if data.closing_date <= timezone.now():
        errors["closing_date"] = ["The closing date must be in the future."]
    if data.hiring_manager.role not in (Role.HIRING_MANAGER, Role.HR):
        errors["hiring_manager"] = ["The hiring manager must be a hiring manager or HR user."]
    not_staff = [u.pk for u in data.panel if u.role not in STAFF_ROLES]
    if not_staff:
        errors["panel"] = [f"Panel members must be staff users; these are not: {not_staff}."]
    if not any(c.kind == CriterionKind.ESSENTIAL for c in data.criteria):
        errors["criteria"] = ["At least one essential criterion is needed."]
    schemes = list(data.interview_guarantees)
    unknown = [s for s in schemes if s not in GuaranteeScheme.values]
    if unknown:
        errors["interview_guarantees"] = [f"Unknown schemes: {unknown}."]
    elif len(set(schemes)) != len(schemes):
        errors["interview_guarantees"] = ["A scheme is listed twice."]
    if not 0 <= data.pass_mark <= 4:
        errors["pass_mark"] = ["Must be a score from 0 to 4."]
    if data.minimum_criteria_rule not in MinimumCriteriaRule.values:
        errors["minimum_criteria_rule"] = ["Unknown rule."]
    if not 0 <= data.tie_band <= MAX_TIE_BAND:
        errors["tie_band"] = [f"Must be 0 (equal totals only), 1 or {MAX_TIE_BAND}."]
    elif data.tie_band and not data.tie_band_reason.strip():
        errors["tie_band_reason"] = ["Record why totals this close are treated as equal."]
    if data.interview_limit is not None:
        if data.interview_limit < 1:
            errors["interview_limit"] = ["Must be at least 1, or empty for no limit."]
        elif not data.interview_limit_reason.strip():
            errors["interview_limit_reason"] = ["Record why the number of interviews is limited."]
    plan = data.positive_action
    if plan is not None:
        allowed = POSITIVE_ACTION_GROUPS.get(plan.characteristic)
        if allowed is None:
            errors["positive_action"] = [f"Unknown characteristic {plan.characteristic!r}."]
        elif not plan.groups:
            errors["positive_action"] = ["Name at least one under-represented group."]
        elif bad := [g for g in plan.groups if g not in allowed]:
            errors["positive_action"] = [
                f"Groups {bad} are not groups of {plan.characteristic}: one of {list(allowed)}."
            ]
        elif not plan.evidence.strip():
            errors["positive_action"] = ["The evidence of under-representation is required."]
    if Vacancy.objects.filter(reference__iexact=data.reference).exclude(pk=exclude_pk).exists():
        errors["reference"] = [REFERENCE_TAKEN]
    if errors:
        raise ValidationError(errors)


def vacancy_create(*, by: User, data: VacancyInput) -> Vacancy:
    """Create a draft vacancy with its criteria, panel and positive-action plan."""
    if not rules.has_perm("vacancies.create_vacancy", by):
        raise ActionForbidden("Only HR and hiring managers can create vacancies.")
    _validate(data, by=by)
    try:
        with transaction.atomic(), acting_as(by):
            vacancy = Vacancy.objects.create(created_by=by, **_vacancy_fields(data))
            vacancy.panel.set(data.panel)
            _create_criteria(vacancy, data)
            _create_plan(vacancy, data)
    except IntegrityError:
        # Another vacancy took the reference between the check above and this insert: the
        # unique constraint decides, and the answer is the check's own.
        raise ValidationError({"reference": [REFERENCE_TAKEN]}) from None
    return vacancy


#: Inputs that are not columns of the vacancy row: related rows, set apart.
_RELATED = {"panel", "criteria", "positive_action"}


def _vacancy_fields(data: VacancyInput) -> dict[str, Any]:
    """The vacancy row's own columns from the input, for create and update alike."""
    values = {f.name: getattr(data, f.name) for f in fields(data) if f.name not in _RELATED}
    values["interview_guarantees"] = list(data.interview_guarantees)
    return values | _fairness_settings(data)


def _fairness_settings(data: VacancyInput) -> dict[str, Any]:
    """The order, tie-band and interview-limit settings; a reason is kept only with its
    setting, so an empty setting never carries a stale reason."""
    return {
        "randomise_order": data.randomise_order,
        "tie_band": data.tie_band,
        "tie_band_reason": data.tie_band_reason.strip() if data.tie_band else "",
        "interview_limit": data.interview_limit,
        "interview_limit_reason": (
            data.interview_limit_reason.strip() if data.interview_limit is not None else ""
        ),
    }


def _create_criteria(vacancy: Vacancy, data: VacancyInput) -> None:
    Criterion.objects.bulk_create(
        Criterion(vacancy=vacancy, kind=c.kind, text=c.text, position=i)
        for i, c in enumerate(data.criteria)
    )


def _create_plan(vacancy: Vacancy, data: VacancyInput) -> None:
    if data.positive_action is not None:
        PositiveActionPlan.objects.create(
            vacancy=vacancy,
            characteristic=data.positive_action.characteristic,
            groups=list(data.positive_action.groups),
            evidence=data.positive_action.evidence,
        )


_PAST = {"publish": "published", "close": "closed", "cancel": "cancelled", "fill": "filled"}
_REFUSALS = {
    "publish": "The closing date has passed: set a later closing date before publishing.",
    "fill": "No candidate has been appointed yet.",
}


def _transition(*, vacancy_id: Any, by: User | None, action: str, reason: str = "") -> Vacancy:
    with transaction.atomic():
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        if by is not None and not rules.has_perm("vacancies.manage_vacancy", by, vacancy):
            raise ActionForbidden("Only HR and the vacancy's hiring manager can do this.")
        method = getattr(vacancy, action)
        if not can_proceed(method, check_conditions=False):
            raise DomainError(
                "invalid_transition",
                f"A vacancy that is {vacancy.get_status_display().lower()} cannot be "
                f"{_PAST[action]}.",
            )
        if not can_proceed(method):
            raise DomainError("invalid_transition", _REFUSALS[action])
        method(by=by, description=reason)
        vacancy.save()
    logger.info("vacancy %s: %s by %s", vacancy.pk, action, getattr(by, "pk", "system"))
    return vacancy


def vacancy_publish(*, vacancy_id: Any, by: User, reason: str = "") -> Vacancy:
    return _transition(vacancy_id=vacancy_id, by=by, action="publish", reason=reason)


def vacancy_close(*, vacancy_id: Any, by: User | None, reason: str = "") -> Vacancy:
    return _transition(vacancy_id=vacancy_id, by=by, action="close", reason=reason)


def vacancy_cancel(*, vacancy_id: Any, by: User, reason: str = "") -> Vacancy:
    return _transition(vacancy_id=vacancy_id, by=by, action="cancel", reason=reason)


def vacancy_fill(*, vacancy_id: Any, by: User, reason: str = "") -> Vacancy:
    return _transition(vacancy_id=vacancy_id, by=by, action="fill", reason=reason)


def vacancies_close_expired() -> list[int]:
    """Close every open vacancy whose closing date has passed. Idempotent: a vacancy closed
    meanwhile (by a person, or by another run of this) is skipped. Returns the ids closed."""
    closed = []
    for vacancy_id in Vacancy.objects.due_to_close().values_list("pk", flat=True):
        with transaction.atomic():
            vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
            if vacancy.status != VacancyStatus.OPEN or vacancy.closing_date_in_future():
                continue
            vacancy.close(by=None, description="Closing date passed")
            vacancy.save()
        closed.append(vacancy_id)
    if closed:
        logger.info("closed %d vacancies past their closing date: %s", len(closed), closed)
    return closed


VACANCY_ACTIONS = ("publish", "close", "cancel", "fill")


def available_actions(vacancy: Vacancy, user: User) -> list[str]:
    """The lifecycle actions this user may take on the vacancy now (``complete_sift``: see
    recruitment/applications/services.py ``sift_complete``; it answers 409 while any application waits)."""
    if not rules.has_perm("vacancies.manage_vacancy", user, vacancy):
        return []
    actions = [a for a in VACANCY_ACTIONS if can_proceed(getattr(vacancy, a))]
    if vacancy.status == VacancyStatus.CLOSED and vacancy.sift_completed_at is None:
        actions.append("complete_sift")
    return actions


def vacancy_update(*, vacancy_id: Any, by: User, data: VacancyInput) -> Vacancy:
    """Edit a draft vacancy: every field, the panel, the criteria and the plan. Once
    published the vacancy is what candidates applied to, so it no longer changes."""
    with transaction.atomic(), acting_as(by):
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        if not rules.has_perm("vacancies.manage_vacancy", by, vacancy):
            raise ActionForbidden("Only HR and the vacancy's hiring manager can edit it.")
        if vacancy.status != VacancyStatus.DRAFT:
            raise DomainError(
                "invalid_transition",
                f"Only a draft can be edited; this vacancy is "
                f"{vacancy.get_status_display().lower()}.",
            )
        _validate(data, exclude_pk=vacancy.pk, by=by)
        for name, value in _vacancy_fields(data).items():
            setattr(vacancy, name, value)
        try:
            with transaction.atomic():
                vacancy.save()
        except IntegrityError:
            raise ValidationError({"reference": [REFERENCE_TAKEN]}) from None
        vacancy.panel.set(data.panel)
        vacancy.criteria.all().delete()
        _create_criteria(vacancy, data)
        PositiveActionPlan.objects.filter(vacancy=vacancy).delete()
        _create_plan(vacancy, data)
    return vacancy


def vacancy_legal_hold_set(
    *, vacancy_id: Any, by: User, held: bool, reason: str = "", confirm: bool = False
) -> Vacancy:
    """Place or release a legal hold on a campaign: while held none of its applications is
    erased. HR only; a release needs a reason and ``confirm`` (kernel/legal_hold.py)."""
    return legal_hold_set(
        Vacancy,
        pk=vacancy_id,
        by=by,
        permission="vacancies.set_legal_hold",
        held=held,
        reason=reason,
        confirm=confirm,
    )


def vacancy_score_feedback_set(*, vacancy_id: Any, by: User, on: bool) -> Vacancy:
    """Turn candidates' feedback from the scores on or off (HR only), at any stage: it
    changes nothing about the sift, only what a candidate is shown after a decision, and
    the reason to turn it off (legal advice about a complaint, say) often comes late. Kept
    in the audit log with who changed it."""
    with transaction.atomic(), acting_as(by):
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        if not rules.has_perm("vacancies.set_score_feedback", by, vacancy):
            raise ActionForbidden("Only HR can turn feedback from the scores on or off.")
        if vacancy.score_feedback != on:
            vacancy.score_feedback = on
            vacancy.save(update_fields=["score_feedback", "updated_at"])
    logger.info("vacancy %s: score feedback %s by %s", vacancy.pk, "on" if on else "off", by.pk)
    return vacancy
