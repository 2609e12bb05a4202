"""Every write on an adjustment request: one function per action, row locked, history row
written by django-fsm-log in the same transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from adjustments.models import (
    OPEN_STATES,
    AdjustmentCategory,
    AdjustmentRequest,
    AdjustmentStage,
    AdjustmentState,
    Provider,
    Reminder,
    ReminderKind,
)
from kernel import mail, transitions
from kernel.errors import ActionForbidden, DomainError
from kernel.mail import compose, send_mail, site_link
from recruitment import tasks
from recruitment.interviews import booking
from recruitment.models import FINAL_STATES, Application

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
) -> tuple[AdjustmentRequest, bool]:
    """The candidate asks for an adjustment for a stage of their application. The same open
    request again (a double click, a retried call) is the request already made: returns it
    and ``False``. Requests on one application take turns on its row, so several at once
    make one."""
    if not rules.has_perm("adjustments.request", by, application):
        raise ActionForbidden("Only the candidate can ask for adjustments to their application.")
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("vacancy")
            .get(pk=application.pk)
        )
        # The state as the candidate is told it: a decision not to shortlist is not known
        # to them, nor given away here, until the sift is complete.
        if application.candidate_state in FINAL_STATES:
            raise DomainError(
                "invalid_transition",
                f"The application is {application.state_display_for(by).lower()}: "
                "no adjustment can be requested.",
            )
        same = (
            AdjustmentRequest.objects.open()
            .filter(application=application, stage=stage, category=category, details=details)
            .first()
        )
        if same is not None:
            return same, False
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
    return adjustment, True


def available_actions(adjustment: AdjustmentRequest, user: User) -> list[str]:
    return [
        action
        for action, names in ACTIONS.items()
        if transitions.applicable(adjustment, names)
        and transitions.may_take(adjustment, user, names)
    ]


def _transition(
    *, adjustment_id: Any, by: User, action: str, reason: str = "", before: Any = None
) -> AdjustmentRequest:
    with transaction.atomic():
        adjustment = AdjustmentRequest.objects.select_for_update().get(pk=adjustment_id)
        transitions.run_transition(
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


#: How many extra minutes agreed extra time may add to an interview.
EXTRA_MINUTES = (5, 240)


def _decided(by: User, extra_minutes: int | None = None, **fields: str) -> Any:
    """Record the decision, and tell the candidate once it is committed: what was agreed
    (the arrangement) or why not (``adjustment_decided:<id>``, templates/adjustments/email/).
    ``extra_minutes``: for agreed extra time, what it adds to the interview (optional)."""

    def record(adjustment: AdjustmentRequest) -> None:
        if extra_minutes is not None:
            low, high = EXTRA_MINUTES
            if adjustment.category != AdjustmentCategory.EXTRA_TIME:
                raise ValidationError(
                    {"extra_minutes": ["Extra minutes are given only for extra time."]}
                )
            if not low <= extra_minutes <= high:
                raise ValidationError({"extra_minutes": [f"Between {low} and {high} minutes."]})
            adjustment.extra_minutes = extra_minutes
        for name, value in fields.items():
            setattr(adjustment, name, value)
        adjustment.decided_at = timezone.now()
        adjustment.decided_by = by
        application_id, kind = adjustment.application_id, f"adjustment_decided:{adjustment.pk}"
        transaction.on_commit(lambda: tasks.send_notification.delay(application_id, kind))

    return record


def adjustment_review(*, adjustment_id: Any, by: User) -> AdjustmentRequest:
    return _transition(adjustment_id=adjustment_id, by=by, action="review")


def adjustment_agree(
    *, adjustment_id: Any, by: User, arrangement: str, extra_minutes: int | None = None
) -> AdjustmentRequest:
    arrangement = _required("arrangement", arrangement, "Say what has been arranged.")
    return _reshaped(
        _transition(
            adjustment_id=adjustment_id,
            by=by,
            action="agree",
            before=_decided(by, extra_minutes, arrangement=arrangement),
        )
    )


def adjustment_partially_agree(
    *,
    adjustment_id: Any,
    by: User,
    arrangement: str,
    reason: str = "",
    extra_minutes: int | None = None,
) -> AdjustmentRequest:
    arrangement = _required("arrangement", arrangement, "Say what has been arranged.")
    return _reshaped(
        _transition(
            adjustment_id=adjustment_id,
            by=by,
            action="partially_agree",
            reason=reason,
            before=_decided(
                by, extra_minutes, arrangement=arrangement, decline_reason=reason.strip()
            ),
        )
    )


def _reshaped(adjustment: AdjustmentRequest) -> AdjustmentRequest:
    """An interview arrangement agreed after the candidate booked a slot: the booking takes
    the agreed extra time where the panel is free for it; where the slot no longer suits, the
    booking page and this request's page say so (recruitment/interviews/booking.py)."""
    if adjustment.stage == AdjustmentStage.INTERVIEW:
        booking.reshape_for(adjustment.application_id)
    return adjustment


def adjustment_decline(*, adjustment_id: Any, by: User, reason: str) -> AdjustmentRequest:
    reason = _required("reason", reason, "Enter why this adjustment cannot be made.")
    return _transition(
        adjustment_id=adjustment_id,
        by=by,
        action="decline",
        reason=reason,
        before=_decided(by, decline_reason=reason),
    )


def adjustment_put_in_place(*, adjustment_id: Any, by: User) -> AdjustmentRequest:
    def stamp(adjustment: AdjustmentRequest) -> None:
        adjustment.in_place_at = timezone.now()

    return _transition(adjustment_id=adjustment_id, by=by, action="put_in_place", before=stamp)


def adjustment_withdraw(*, adjustment_id: Any, by: User, reason: str = "") -> AdjustmentRequest:
    return _transition(adjustment_id=adjustment_id, by=by, action="withdraw", reason=reason)


#: What withdrawing an application closes: requests still to decide, or agreed and not yet
#: in place.
CLOSED_ON_WITHDRAWAL = (*OPEN_STATES, AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED)


def adjustments_close_for_withdrawal(*, application: Application, by: User) -> list[int]:
    """Close the requests of an application being withdrawn, each through its own
    transition (history row: withdrawn, with the reason). Call inside the withdrawal's
    transaction. Returns the ids closed."""
    closed = []
    for adjustment in AdjustmentRequest.objects.select_for_update().filter(
        application=application, state__in=CLOSED_ON_WITHDRAWAL
    ):
        transitions.run_transition(
            adjustment,
            by=by,
            names=ACTIONS["withdraw"],
            label="withdraw this adjustment request",
            reason="The application was withdrawn.",
        )
        closed.append(adjustment.pk)
    if closed:
        logger.info("adjustments %s closed: application %s withdrawn", closed, application.pk)
    return closed


# --- On time: reminders to the coordinators ---------------------------------------------------


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday). Bank holidays are not known
    here, so the reminder comes a little early around them, never late."""
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment


def coordinators() -> list[str]:
    return list(
        User.objects.filter(role=Role.HR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _send_reminder(adjustment: AdjustmentRequest, kind: str, due_by: datetime) -> None:
    application = adjustment.application
    subject, body = compose(
        "adjustments/email/reminder",
        {
            "application": application,
            "adjustment": adjustment,
            "due_by": timezone.localtime(due_by),
            "overdue": kind == ReminderKind.ESCALATION,
            "link": site_link(f"/staff/adjustments/{adjustment.pk}/"),
        },
    )
    send_mail(subject, body, coordinators())


def adjustments_send_reminders(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Remind the coordinators of open requests needed within the next
    ``ADJUSTMENT_REMINDER_WORKING_DAYS`` working days, and escalate those already overdue.

    Idempotent: each request gets at most one reminder and one escalation. The ``Reminder``
    row is written in the same transaction as the e-mail is sent, so a second run sends
    nothing and a failed send is not recorded. A failed send does not stop the run: a
    transient failure leaves that request for the next run, a permanent one is logged as an
    error (and tried again next run, to be seen until mended)."""
    now = now or timezone.now()
    horizon = add_working_days(now, settings.ADJUSTMENT_REMINDER_WORKING_DAYS)
    pending = AdjustmentRequest.objects.open().with_due_by()
    batches = {
        ReminderKind.REMINDER: pending.filter(due_by__gt=now, due_by__lte=horizon),
        ReminderKind.ESCALATION: pending.filter(due_by__lte=now),
    }
    sent: dict[str, list[int]] = {ReminderKind.REMINDER: [], ReminderKind.ESCALATION: []}
    for kind, candidates in batches.items():
        for adjustment_id in candidates.exclude(reminders__kind=kind).values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    adjustment = (
                        AdjustmentRequest.objects.with_due_by()
                        .select_related("application__vacancy")
                        .select_for_update(of=("self",), skip_locked=True)
                        .filter(pk=adjustment_id, state__in=OPEN_STATES)
                        .first()
                    )
                    if adjustment is None:
                        continue  # decided meanwhile, or another worker has it
                    _, created = Reminder.objects.get_or_create(adjustment=adjustment, kind=kind)
                    if not created:
                        continue
                    _send_reminder(adjustment, kind, adjustment.due_by)
            except mail.SendFailure as failure:
                (logger.warning if failure.transient else logger.error)(
                    "adjustment %s %s not sent (%s: %s)%s",
                    adjustment_id,
                    kind,
                    "transient" if failure.transient else "permanent",
                    failure,
                    "; left for the next run" if failure.transient else "",
                )
                continue
            sent[kind].append(adjustment_id)
    if any(sent.values()):
        logger.info("adjustment reminders sent: %s", sent)
    return sent
