"""Web forms for applications. They collect input; the rules are in recruitment/services.py."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from django import forms

from config.forms import GovForm
from recruitment.models import EQUALITY_QUESTIONS
from vacancies.models import GuaranteeScheme, Vacancy

LONDON = ZoneInfo("Europe/London")

SCHEME_HINTS = {
    "disability_confident": "For disabled people. If you meet the minimum criteria for the "
    "job, we will offer you an interview.",
    "care_leaver": "For people who have been in local authority care. If you meet the minimum "
    "criteria for the job, we will offer you an interview.",
    "armed_forces": "For veterans of the UK armed forces. If you meet the minimum criteria for "
    "the job, we will offer you an interview.",
}


class StatementForm(GovForm):
    statement = forms.CharField(
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Your supporting statement",
        help_text="Tell us why you want this job and what you would bring to it.",
    )

    def __init__(self, *args: Any, vacancy: Vacancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in vacancy.criteria.all():
            self.fields[f"evidence_{criterion.pk}"] = forms.CharField(
                max_length=10000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                label=criterion.text,
                help_text=f"{criterion.get_kind_display()} criterion. Give an example of when "
                "you have shown this.",
            )


class GuaranteeForm(GovForm):
    scheme = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Do you want to apply under a guaranteed interview scheme?",
        error_messages={"required": "Select a scheme, or select 'No'"},
    )

    def __init__(self, *args: Any, vacancy: Vacancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(GuaranteeScheme.choices)
        schemes = list(vacancy.interview_guarantees)
        self.fields["scheme"].choices = [  # type: ignore[attr-defined]
            Choice(s, f"Yes, the {labels[s]} scheme", hint=SCHEME_HINTS[s])
            if s != schemes[-1]
            else Choice(s, f"Yes, the {labels[s]} scheme", hint=SCHEME_HINTS[s], divider="or")
            for s in schemes
        ] + [Choice("none", "No")]
        self.fields["scheme"].help_text = (
            "You do not need to give evidence. Only the recruitment team sees your answer; "
            "the people who assess your application are told only that an interview is "
            "guaranteed, never why."
        )


class PositiveActionForm(GovForm):
    declared = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No")],
        label="Do you want to be considered under our positive-action plan?",
        error_messages={"required": "Select yes or no"},
    )


QUESTION_LABELS = {
    "ethnicity": "What is your ethnic group?",
    "sex": "What is your sex?",
    "gender_identity_same": "Is the gender you identify with the same as your sex registered "
    "at birth?",
    "sexual_orientation": "Which of the following best describes your sexual orientation?",
    "religion": "What is your religion?",
    "disability_condition": "Do you have any physical or mental health conditions or illnesses "
    "lasting or expected to last 12 months or more?",
    "disability_impact": "Do any of your conditions or illnesses reduce your ability to carry "
    "out day-to-day activities?",
    "age_band": "What is your age?",
}


class EqualityForm(GovForm):
    """Every question is optional and offers "Prefer not to say"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in EQUALITY_QUESTIONS.items():
            self.fields[name] = forms.ChoiceField(
                choices=choices.choices,
                widget=forms.RadioSelect,
                required=False,
                label=QUESTION_LABELS[name],
                help_text="Optional."
                + (
                    " Answer only if you answered yes to the previous question."
                    if name == "disability_impact"
                    else ""
                ),
            )

    def answers(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ReasonForm(GovForm):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text="Recorded in the application's history.",
        error_messages={"required": "Enter a reason"},
    )


class InterviewForm(GovForm):
    interview_date = DateInputField(
        label="Interview date", help_text="For example, 12 1 2027", require_all_fields=False
    )
    interview_time = forms.TimeField(
        label="Interview time",
        help_text="24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"invalid": "Enter a time like 14:30", "required": "Enter a time"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )

    def interview_at(self) -> datetime.datetime:
        return datetime.datetime.combine(
            self.cleaned_data["interview_date"], self.cleaned_data["interview_time"], LONDON
        )
