"""What a candidate's agreed adjustments do to the interview slots they are offered: pure
rules over the arrangements and a slot, read by the booking service, the booking page and
the API alike.

- Agreed **extra time** lengthens the booked slot: by the minutes the decision gave, or by
  ``INTERVIEW_EXTRA_TIME_PERCENT`` of the slot's length, rounded up to 5 minutes.
- An agreed **accessible venue** leaves out in-person slots at venues not marked
  accessible (video and phone slots stay: they need no venue).
- An agreed **remote interview** offers video slots only.
- Agreed **communication support** (a BSL interpreter, a lipspeaker, speech-to-text) needs
  ``INTERVIEW_SUPPORT_LEAD_DAYS`` to arrange and for Access to Work to approve: sooner slots
  are not offered, and the candidate is prompted to apply to Access to Work.

Only agreed arrangements for the interview stage count; what the candidate asked for and
was declined changes nothing."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from adjustments.models import AGREED_STATES, AdjustmentCategory, AdjustmentStage
from kernel.template_filters import govuk_time
from recruitment.applications.states import InterviewFormat

if TYPE_CHECKING:
    from adjustments.models import AdjustmentRequest
    from recruitment.interviews.models import InterviewSlot


@dataclass(frozen=True)
class Needs:
    """What the agreed interview arrangements ask of a slot."""

    extra_time: bool = False
    #: Minutes the decision gave (None: the configured share of the slot applies).
    extra_minutes: int | None = None
    accessible_venue: bool = False
    remote: bool = False
    communication_support: bool = False


def needs_of(adjustments: Iterable[AdjustmentRequest]) -> Needs:
    """The needs from an application's adjustment requests (agreed, interview stage)."""
    agreed = [
        a for a in adjustments if a.state in AGREED_STATES and a.stage == AdjustmentStage.INTERVIEW
    ]
    categories = {a.category for a in agreed}
    minutes = [
        a.extra_minutes
        for a in agreed
        if a.category == AdjustmentCategory.EXTRA_TIME and a.extra_minutes
    ]
    return Needs(
        extra_time=AdjustmentCategory.EXTRA_TIME in categories,
        extra_minutes=max(minutes) if minutes else None,
        accessible_venue=AdjustmentCategory.ACCESSIBLE_VENUE in categories,
        remote=AdjustmentCategory.REMOTE_INTERVIEW in categories,
        communication_support=AdjustmentCategory.COMMUNICATION_SUPPORT in categories,
    )


def extra_minutes(slot_minutes: int, needs: Needs) -> int:
    """How many minutes agreed extra time adds to a slot of this length."""
    if not needs.extra_time:
        return 0
    if needs.extra_minutes:
        return needs.extra_minutes
    share = slot_minutes * settings.INTERVIEW_EXTRA_TIME_PERCENT / 100
    return 5 * math.ceil(share / 5)


def earliest_bookable(now: datetime, needs: Needs) -> datetime:
    """The earliest a slot may start to be offered: the booking notice, or communication
    support's lead time when that is agreed."""
    notice = timedelta(hours=settings.INTERVIEW_NOTICE_HOURS)
    if needs.communication_support:
        notice = max(notice, timedelta(days=settings.INTERVIEW_SUPPORT_LEAD_DAYS))
    return now + notice


def unsuited(slot: InterviewSlot, needs: Needs) -> str | None:
    """Why this slot does not suit these needs whenever it is (None: it does)."""
    if needs.remote and slot.format != InterviewFormat.VIDEO:
        return "Your agreed remote interview is by video: choose a video slot."
    if needs.accessible_venue and slot.format == InterviewFormat.IN_PERSON and not slot.accessible:
        return "That venue is not marked accessible: choose an accessible venue or a video slot."
    return None


def slot_refusal(slot: InterviewSlot, needs: Needs, now: datetime) -> str | None:
    """Why this slot is not offered to a candidate with these needs (None: it is), in words
    the candidate can read (it is about their own arrangements)."""
    if refused := unsuited(slot, needs):
        return refused
    if slot.starts_at < earliest_bookable(now, needs):
        if needs.communication_support:
            return (
                "That slot is too soon to arrange your communication support: choose one "
                f"at least {settings.INTERVIEW_SUPPORT_LEAD_DAYS} days ahead."
            )
        return (
            f"Slots can be booked up to {settings.INTERVIEW_NOTICE_HOURS} hours before they "
            "start: choose a later one."
        )
    return None


def what_shapes_the_choice(needs: Needs, now: datetime) -> list[str]:
    """Sentences for the booking page: how the candidate's arrangements shaped the slots."""
    said = []
    if needs.remote:
        said.append("Only video slots are shown, for your agreed remote interview.")
    if needs.accessible_venue:
        said.append("In-person slots are shown only at venues marked accessible.")
    if needs.communication_support:
        since = timezone.localtime(earliest_bookable(now, needs))
        said.append(
            f"Slots are shown from {since:%-d %B %Y} at {govuk_time(since)}, so there is "
            "time to arrange your communication support."
        )
    if needs.extra_time:
        said.append(
            f"Each slot is shown with your extra time added ({needs.extra_minutes} minutes)."
            if needs.extra_minutes
            else "Each slot is shown with your extra time added."
        )
    return said
