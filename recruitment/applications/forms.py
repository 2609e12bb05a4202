"""Web forms for applications. They collect input; the rules are in recruitment/applications/services.py."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils.html import conditional_escape

from kernel.forms import GovForm
from recruitment.models import EQUALITY_QUESTIONS, InterviewFormat
from recruitment.scoring.services import ScoreInput
from vacancies.forms import MONEY
from vacancies.models import Criterion, GuaranteeScheme, Vacancy

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
                # crispy-forms-gds renders labels unescaped: escape the staff-written text.
                label=conditional_escape(criterion.text),
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

    interview_minutes = forms.IntegerField(
        label="How long it is, in minutes",
        min_value=10,
        max_value=480,
        error_messages={
            "required": "Enter how long the interview is, in minutes",
            "invalid": "Enter the length in minutes as a number, like 45",
            "min_value": "An interview is at least 10 minutes",
            "max_value": "An interview is at most 480 minutes (8 hours)",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    interview_format = forms.ChoiceField(
        choices=InterviewFormat.choices,
        widget=forms.RadioSelect,
        label="How is it held?",
        error_messages={"required": "Select how the interview is held"},
    )
    interview_place = forms.CharField(
        max_length=500,
        required=False,
        label="Where, or how to join",
        help_text="The address and room, the video link, or how you will call them.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field("interview_date"),
            Field.text("interview_time", field_width=5),
            Field.text("interview_minutes", field_width=3),
            Field.radios("interview_format", legend_size=Size.SMALL),
            Field.text("interview_place"),
        )

    def interview_at(self) -> datetime.datetime:
        return datetime.datetime.combine(
            self.cleaned_data["interview_date"], self.cleaned_data["interview_time"], LONDON
        )

    def details(self) -> dict[str, Any]:
        """What the service takes besides the time."""
        return {
            "interview_at": self.interview_at(),
            "interview_format": self.cleaned_data["interview_format"],
            "interview_place": self.cleaned_data["interview_place"],
            "interview_minutes": self.cleaned_data["interview_minutes"],
        }


# --- Scoring, moderation and decisions ------------------------------------------------------------


def sift_decision_field(label: str) -> forms.ChoiceField:
    """Shortlist or not: the sift's two decisions as GOV.UK radios."""
    return forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            ("shortlist", "Shortlist: invite to interview"),
            ("reject", "Do not shortlist"),
        ],
        label=label,
        error_messages={"required": "Select shortlist or do not shortlist"},
    )


#: What each score means (docs/api.md, "Scores").
SCORE_MEANINGS = {
    0: "No evidence",
    1: "Limited evidence",
    2: "Meets the criterion",
    3: "Good evidence",
    4: "Excellent evidence",
}


class ScoresForm(GovForm):
    """A score from 0 to 4 for every criterion, with a note on each (a panel member's own
    scores) or one note for all (the agreed scores). Rendered by
    templates/recruitment/_score_fields.html, which shows the evidence beside each."""

    def __init__(
        self, *args: Any, criteria: list[Criterion], notes: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.per_criterion_notes = notes
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                choices=[(str(v), f"{v}: {label}") for v, label in SCORE_MEANINGS.items()],
                coerce=int,
                widget=forms.RadioSelect,
                label=criterion.text,
                error_messages={"required": f"Select a score for ‘{criterion.text}’"},
            )
            if notes:
                self.fields[f"note_{criterion.pk}"] = forms.CharField(
                    max_length=5000,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    label=f"Your note on ‘{criterion.text}’ (optional)",
                )
        if not notes:
            self.fields["note"] = forms.CharField(
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                label="Moderation note (optional)",
                help_text="For example, how differences between the panel's scores were "
                "resolved. Kept with the agreed scores.",
            )

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        """(criterion, its score field, its note field or None), for the template."""
        return [
            (
                c,
                self[f"score_{c.pk}"],
                self[f"note_{c.pk}"] if self.per_criterion_notes else None,
            )
            for c in self.criteria
        ]

    def scores(self) -> list[ScoreInput]:
        data = self.cleaned_data
        return [
            ScoreInput(
                criterion=c.pk,
                score=data[f"score_{c.pk}"],
                note=data.get(f"note_{c.pk}", "") if self.per_criterion_notes else "",
            )
            for c in self.criteria
        ]


class BulkDecisionForm(GovForm):
    """Shortlist or reject the applications ticked in the ranking."""

    applications = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Applications",
        error_messages={"required": "Select at least one application"},
    )
    decision = sift_decision_field("What do you want to do with the selected applications?")
    reason = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Needed to not shortlist. Recorded in each application's history.",
    )

    def __init__(self, *args: Any, choices: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(str(pk), str(pk)) for pk in choices]  # type: ignore[attr-defined]
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.SMALL), Field.textarea("reason", rows=2)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter a reason for not shortlisting")
        return cleaned


class PoundsField(forms.IntegerField):
    """Whole pounds as people write them: "£32,500" and "32 500" are 32500."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").replace(" ", "")
        return super().to_python(value)


class OfferDecisionForm(GovForm):
    """Offer the job, and say whether the positive-action tie-breaker was used (only offered
    when the candidate is eligible for it)."""

    use_tie_breaker = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            Choice(
                "yes",
                "Yes, use the positive-action tie-breaker",
                hint="Only if the candidates are as qualified as each other and using it is "
                "a proportionate way to address the under-representation in the evidence.",
            ),
            Choice(
                "no",
                "No, offer the job on other grounds",
                hint="Record the reason for choosing this candidate below.",
            ),
        ],
        label="Are you using the positive-action tie-breaker for this offer?",
        error_messages={"required": "Select whether you are using the tie-breaker"},
    )
    justification = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why is the tie-breaker justified in this case?",
        help_text="Required to use it. Say why the candidates are as qualified as each other, "
        "why this decision is made on its own facts (not because of a general policy), and why "
        "it is proportionate. Kept with the offer for audit.",
    )
    reason = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the decision (optional)",
        help_text="Recorded in the application's history.",
    )
    salary = PoundsField(
        min_value=0,
        max_value=10_000_000,
        label="Salary offered (£ a year)",
        widget=MONEY,
        error_messages={
            "required": "Enter the salary offered",
            "invalid": "Enter the salary as a whole number of pounds, like 32,000",
        },
    )
    salary_reason = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is the salary above the bottom of the range?",
    )

    def __init__(self, *args: Any, eligible: bool, vacancy: Vacancy, **kwargs: Any) -> None:
        super().__init__(*args, initial={"salary": vacancy.salary_min}, **kwargs)
        self.eligible = eligible
        low, high = vacancy.salary_min, vacancy.salary_max
        self.fields["salary"].help_text = (
            f"The range is £{low:,} to £{high:,}. New starters usually start at the bottom "
            "of the range."
        )
        self.fields["salary_reason"].help_text = (
            f"Required if the salary is more than £{low:,}: for example, the candidate's "
            "current salary or experience. Kept with the offer."
        )
        pay = [Field.text("salary", field_width=10), Field.textarea("salary_reason", rows=3)]
        if eligible:
            self.helper.layout = Layout(
                *pay,
                Field.radios("use_tie_breaker", legend_size=Size.MEDIUM),
                Field.textarea("justification", rows=4),
                Field.textarea("reason", rows=2),
            )
        else:
            # Not offered on the page; a request that asks for it anyway goes to the service,
            # which refuses it (409 positive_action_not_applicable) like the API does.
            self.fields["use_tie_breaker"].required = False
            self.helper.layout = Layout(*pay, Field.textarea("reason", rows=2))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("use_tie_breaker") == "yes"
            and not (cleaned.get("justification") or "").strip()
        ):
            self.add_error("justification", "Enter why the tie-breaker is justified")
        return cleaned

    def tie_breaker_justification(self) -> str | None:
        """The justification when the tie-breaker is used, else None."""
        if self.cleaned_data.get("use_tie_breaker") != "yes":
            return None
        return str(self.cleaned_data["justification"])


class PeriodForm(GovForm):
    """A period of decisions, both ends optional and inclusive."""

    date_from = DateInputField(label="From", required=False, require_all_fields=False)
    date_to = DateInputField(label="To", required=False, require_all_fields=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the period must be on or after its start")
        return cleaned


class RankedDecisionForm(GovForm):
    """Decide everyone ranked 1 to N at once (``decision_runs``): this asks what, then a
    page shows how many it covers and asks to confirm. On the ranking page beside the other
    decision forms: its names and ids are prefixed."""

    prefix = "by-rank"

    decision = sift_decision_field("What do you want to do with them?")
    up_to_rank = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        label="Every undecided application ranked 1 to",
        help_text="For example, 1000. A tie at that rank is taken whole. You will see how many "
        "applications this covers before anything is decided.",
        error_messages={
            "required": "Enter the last rank to decide",
            "invalid": "Enter the last rank as a whole number, like 1000",
            "min_value": "Enter a rank of 1 or more",
            "max_value": "Enter a rank of 2147483647 or less",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for not shortlisting them",
        help_text="Needed to not shortlist. Recorded in each application's history.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.SMALL),
            Field.text("up_to_rank", field_width=5),
            Field.textarea("reason", rows=2),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter a reason for not shortlisting")
        return cleaned
