"""Every write on an adjustment request: one function per action, row locked, history row
written by django-fsm-log in the same transaction."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from adjustments.models import AdjustmentCategory, AdjustmentRequest, Provider
from config import fsm
from config.errors import ActionForbidden, DomainError
from recruitment.models import FINAL_STATES, Application

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

ACTIONS: dict[str, tuple[str, ...]] = {
    "review": ("review",),
    "agree": ("agree",),
    "partially_agree": ("partially_agree",),
    "decline": ("decline",),
    "put_in_place": ("put_in_place",),
    "withdraw": ("withdraw",),
}


def adjustment_request(
    *, application: Application, by: User, stage: str, category: str, details: str
) -> AdjustmentRequest:
    """The candidate asks for an adjustment for a stage of their application."""
    if not rules.has_perm("adjustments.request", by, application):
        raise ActionForbidden("Only the candidate can ask for adjustments to their application.")
    if application.state in FINAL_STATES:
        raise DomainError(
            "invalid_transition",
            f"The application is {application.get_state_display().lower()}: "
            "no adjustment can be requested.",
        )
    with transaction.atomic():
        adjustment = AdjustmentRequest.objects.create(
            application=application,
            stage=stage,
            category=category,
            details=details,
            # Access to Work pays for communication support at interview; the candidate
            # applies to it, so the coordinator tracks it as that provider by default.
            provider=(
                Provider.ACCESS_TO_WORK
                if category == AdjustmentCategory.COMMUNICATION_SUPPORT
                else Provider.EMPLOYER
            ),
        )
    logger.info("adjustment %s requested on application %s", adjustment.pk, application.pk)
    return adjustment


def available_actions(adjustment: AdjustmentRequest, user: User) -> list[str]:
    return [
        action
        for action, names in ACTIONS.items()
        if fsm.applicable(adjustment, names) and fsm.may_take(adjustment, user, names)
    ]


def _transition(
    *, adjustment_id: Any, by: User, action: str, reason: str = "", before: Any = None
) -> AdjustmentRequest:
    with transaction.atomic():
        adjustment = AdjustmentRequest.objects.select_for_update().get(pk=adjustment_id)
        fsm.run_transition(
            adjustment,
            by=by,
            names=ACTIONS[action],
            label=f"{action.replace('_', ' ')} this adjustment request",
            reason=reason,
            before=before,
        )
    logger.info("adjustment %s: %s by user %s", adjustment.pk, action, by.pk)
    return adjustment


def _required(field: str, value: str, message: str) -> str:
    if not value.strip():
        raise ValidationError({field: [message]})
    return value.strip()


def _decided(by: User, **fields: str) -> Any:
    def record(adjustment: AdjustmentRequest) -> None:
        for name, value in fields.items():
            setattr(adjustment, name, value)
        adjustment.decided_at = timezone.now()
        adjustment.decided_by = by

    return record


def adjustment_review(*, adjustment_id: Any, by: User) -> AdjustmentRequest:
    return _transition(adjustment_id=adjustment_id, by=by, action="review")


def adjustment_agree(*, adjustment_id: Any, by: User, arrangement: str) -> AdjustmentRequest:
    arrangement = _required("arrangement", arrangement, "Say what has been arranged.")
    return _transition(
        adjustment_id=adjustment_id,
        by=by,
        action="agree",
        before=_decided(by, arrangement=arrangement),
    )


def adjustment_partially_agree(
    *, adjustment_id: Any, by: User, arrangement: str, reason: str = ""
) -> AdjustmentRequest:
    arrangement = _required("arrangement", arrangement, "Say what has been arranged.")
    return _transition(
        adjustment_id=adjustment_id,
        by=by,
        action="partially_agree",
        reason=reason,
        before=_decided(by, arrangement=arrangement, decline_reason=reason.strip()),
    )


def adjustment_decline(*, adjustment_id: Any, by: User, reason: str) -> AdjustmentRequest:
    reason = _required("reason", reason, "A reason is required to decline an adjustment.")
    return _transition(
        adjustment_id=adjustment_id,
        by=by,
        action="decline",
        reason=reason,
        before=_decided(by, decline_reason=reason),
    )


def adjustment_put_in_place(*, adjustment_id: Any, by: User) -> AdjustmentRequest:
    return _transition(adjustment_id=adjustment_id, by=by, action="put_in_place")


def adjustment_withdraw(*, adjustment_id: Any, by: User, reason: str = "") -> AdjustmentRequest:
    return _transition(adjustment_id=adjustment_id, by=by, action="withdraw", reason=reason)
