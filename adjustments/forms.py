"""Web forms for adjustments. They collect input; the rules are in adjustments/services.py."""

from typing import Any

from crispy_forms_gds.choices import Choice
from django import forms

from adjustments.models import AdjustmentCategory, AdjustmentStage, AdjustmentState
from kernel.api import MAX_ID
from kernel.forms import GovForm, email_field

CATEGORY_HINTS = {
    "extra_time": "For example, 25% more time for a written test.",
    "rest_breaks": "Breaks during a long assessment or interview.",
    "questions_in_advance": "The interview questions given to you in advance, or in writing on the day.",
    "accessible_venue": "For example step-free access, a hearing loop or a quiet room.",
    "communication_support": "A British Sign Language interpreter, lipspeaker or speech-to-text "
    "reporter. Access to Work can pay for this.",
    "alternative_format": "Documents in large print, Braille, easy read or another format.",
    "remote_interview": "Being interviewed by video call.",
    "assistive_technology": "For example screen-reading software or a specialist keyboard.",
    "reader_or_scribe": "Someone to read to you or write for you.",
    "other": "Anything else that would help.",
}

STAGE_HINTS = {
    "application": "Filling in your application.",
    "assessment": "A test or exercise before or at interview.",
    "interview": "The interview itself.",
    "start": "Your first days in the job, if you are appointed.",
}


def category_field(label: str, required: str) -> forms.ChoiceField:
    """The kinds of adjustment, each with its hint, as GOV.UK radios."""
    return forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[Choice(v, text, hint=CATEGORY_HINTS[v]) for v, text in AdjustmentCategory.choices],
        label=label,
        error_messages={"required": required},
    )


def details_field(help_text: str) -> forms.CharField:
    """The person's own words: the barrier and what would help (never a diagnosis)."""
    return forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Tell us what you need",
        help_text=help_text,
        error_messages={"required": "Tell us what you need"},
    )


class AdjustmentRequestForm(GovForm):
    stage = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[Choice(v, label, hint=STAGE_HINTS[v]) for v, label in AdjustmentStage.choices],
        label="Which stage do you need the adjustment for?",
        error_messages={"required": "Select the stage"},
    )
    category = category_field(
        "What kind of adjustment do you need?", "Select the kind of adjustment"
    )
    details = details_field(
        "Describe what would make it hard for you and what would help. You do not need to "
        "tell us about a medical condition or diagnosis."
    )


class DecisionForm(GovForm):
    arrangement = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What has been arranged",
        help_text="The panel sees this, and nothing else of the request.",
    )
    reason = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text="Required to decline; for a partial agreement, what could not be arranged.",
    )
    extra_minutes = forms.IntegerField(
        required=False,
        min_value=5,
        max_value=240,
        label="Extra minutes at interview",
        help_text="Added to the interview slot the candidate books. Leave empty for a quarter "
        "of the slot's length.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )

    def __init__(self, *args: Any, extra_time: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not extra_time:
            del self.fields["extra_minutes"]


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            ("", "Waiting for a decision"),
            ("to_put_in_place", "Agreed, to put in place"),
            ("all", "All"),
            *AdjustmentState.choices,
        ],
        required=False,
    )
    vacancy = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    due = forms.ChoiceField(
        choices=[("", "Any time"), ("overdue", "Overdue"), ("week", "Needed within 7 days")],
        required=False,
    )


class PreApplicationForm(GovForm):
    """Asking for an adjustment to be able to apply, from the job's page."""

    full_name = forms.CharField(
        max_length=200, label="Your name", error_messages={"required": "Enter your name"}
    )
    email = email_field(help_text="We will contact you here, or by phone if you give a number.")
    phone = forms.CharField(
        max_length=30,
        required=False,
        label="Phone number (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    category = category_field("What would help you apply?", "Select what would help you apply")
    details = details_field(
        "What gets in the way of applying, and what would help. You do not need to tell us "
        "about a medical condition."
    )


class AnswerForm(GovForm):
    answer = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What did you arrange or tell them?",
        error_messages={"required": "Say what you arranged or told them"},
    )
