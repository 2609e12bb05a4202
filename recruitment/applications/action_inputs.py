"""What an application's actions read in the API (``POST /applications/{id}/actions/{name}/``):
one input serializer for each kind of input an action takes (``workflow.Action.takes``),
validated here and handed to the action's service as keyword arguments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kernel.api import JSONInput
from recruitment.applications.services import INTERVIEW_MINUTES
from recruitment.models import InterviewFormat


class ActionInput(JSONInput):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ScheduleInterviewInput(ActionInput):
    interview_at = serializers.DateTimeField()
    interview_format = serializers.ChoiceField(
        choices=InterviewFormat.choices, required=False, default=""
    )
    interview_place = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="The address and room, the video link, or how the call is made.",
    )
    interview_minutes = serializers.IntegerField(
        min_value=INTERVIEW_MINUTES[0], max_value=INTERVIEW_MINUTES[1], required=False,
        allow_null=True, default=None, help_text="How long the interview is, in minutes.",
    )  # fmt: skip


class BookInterviewInput(ActionInput):
    slot = serializers.IntegerField(
        min_value=1,
        help_text="An interview slot offered to this application "
        "(GET /applications/{id}/interview-slots/).",
    )


class PositiveActionUseInput(JSONInput):
    justification = serializers.CharField(max_length=5000)


class OfferInput(ActionInput):
    positive_action = PositiveActionUseInput(required=False, allow_null=True, default=None)
    salary = serializers.IntegerField(
        min_value=0,
        max_value=10_000_000,
        required=False,
        allow_null=True,
        default=None,
        help_text="The yearly salary offered, in whole pounds, within the vacancy's range "
        "(default: the bottom of the range).",
    )
    salary_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the salary is above the bottom of the range (required then).",
    )


#: What each kind of action reads (workflow.Action.takes), as the service's keyword arguments.
ACTION_INPUTS: dict[str, type[ActionInput]] = {
    "reason": ActionInput,
    "interview": ScheduleInterviewInput,
    "slot": BookInterviewInput,
    "offer": OfferInput,
}


def service_inputs(data: dict[str, Any]) -> dict[str, Any]:
    """An action's validated input as its service's keyword arguments."""
    inputs = dict(data)
    if "positive_action" in inputs:
        used = inputs.pop("positive_action")
        inputs["positive_action_justification"] = used["justification"] if used else None
    return inputs


# --- Output ---------------------------------------------------------------------------------
