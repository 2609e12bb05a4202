"""Web forms for vacancies. They collect input; the rules are in vacancies/services.py."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms_gds.fields import DateInputField
from django import forms

from accounts.models import STAFF_ROLES, Role, User
from kernel.api import MAX_ID
from kernel.forms import GovForm
from vacancies import services
from vacancies.models import (
    POSITIVE_ACTION_GROUP_LABELS,
    POSITIVE_ACTION_GROUPS,
    GuaranteeScheme,
    MinimumCriteriaRule,
    PositiveActionCharacteristic,
    Vacancy,
)

LONDON = ZoneInfo("Europe/London")
# GOV.UK asks for numbers in text inputs with a numeric keypad, not type=number.
MONEY = forms.TextInput(
    attrs={
        "inputmode": "numeric",
        "class": "govuk-input govuk-input--width-10",
        "spellcheck": "false",
    }
)


def _group_choices() -> list[tuple[str, str]]:
    labels = dict(PositiveActionCharacteristic.choices)
    return [
        (
            f"{characteristic}:{group}",
            f"{labels[characteristic]}: {POSITIVE_ACTION_GROUP_LABELS[characteristic][group]}",
        )
        for characteristic, groups in POSITIVE_ACTION_GROUPS.items()
        for group in groups
    ]


class StaffLabels:
    """Staff are offered by name and role, not username; a value that cannot be an id (a
    number past the largest the database holds) is an invalid choice, not a crash."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"

    def clean(self, value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            text = str(item or "")
            if text.isascii() and text.isdigit() and int(text) > MAX_ID:
                raise forms.ValidationError(
                    "Select a valid choice. That choice is not one of the available choices.",
                    code="invalid_choice",
                )
        return super().clean(value)  # type: ignore[misc]


class StaffChoiceField(StaffLabels, forms.ModelChoiceField):
    pass


class StaffMultipleChoiceField(StaffLabels, forms.ModelMultipleChoiceField):
    pass


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class VacancyForm(GovForm):
    title = forms.CharField(max_length=200, label="Job title")
    reference = forms.CharField(
        max_length=50, label="Vacancy reference", help_text="For example, SW-2026-014"
    )
    department = forms.CharField(max_length=200)
    grade = forms.CharField(max_length=50)
    location = forms.CharField(max_length=200)
    description = forms.CharField(max_length=20000, widget=forms.Textarea, label="Job description")
    salary_min = forms.IntegerField(
        min_value=0, max_value=10_000_000, label="Minimum salary (£ a year)", widget=MONEY
    )
    salary_max = forms.IntegerField(
        min_value=0, max_value=10_000_000, label="Maximum salary (£ a year)", widget=MONEY
    )
    closing_date = DateInputField(
        label="Closing date",
        help_text="Applications close at 11:59pm on this day. For example, 15 12 2026",
        require_all_fields=False,
    )
    hiring_manager = StaffChoiceField(
        queryset=User.objects.filter(role__in=[Role.HIRING_MANAGER, Role.HR], is_active=True),
        label="Hiring manager (chairs the panel)",
    )
    panel = StaffMultipleChoiceField(
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Panel members",
    )
    essential_criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One criterion a line. At least one is needed.",
    )
    desirable_criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One criterion a line."
    )
    pass_mark = forms.TypedChoiceField(
        choices=[(str(i), f"{i}") for i in range(5)],
        coerce=int,
        initial="2",
        help_text="Scores run from 0 (no evidence) to 4 (excellent); 2 means 'meets'.",
    )
    minimum_criteria_rule = forms.ChoiceField(
        choices=MinimumCriteriaRule.choices,
        widget=forms.RadioSelect,
        initial=MinimumCriteriaRule.ALL_ESSENTIAL_AT_PASS_MARK,
        label="How do candidates meet the minimum criteria for a guaranteed interview?",
    )
    interview_guarantees = forms.MultipleChoiceField(
        choices=GuaranteeScheme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Guaranteed interview schemes offered",
    )
    positive_action_groups = forms.MultipleChoiceField(
        choices=_group_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Positive action: under-represented groups (optional)",
        help_text="Only where you have evidence of under-representation. All the groups you "
        "choose must be of one characteristic.",
    )
    positive_action_evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Evidence of under-representation",
        help_text="For example, 22% of officers at this grade against 38% of the local "
        "working-age population (2025 workforce report).",
    )

    randomise_order = forms.BooleanField(
        required=False,
        label="Show each panel member the applications in a different random order",
        help_text="Each member gets their own order, the same every time they look. This "
        "reduces the effect of the order on the scores.",
    )
    tie_band = forms.TypedChoiceField(
        choices=[
            ("0", "Equal agreed totals only (recommended)"),
            ("1", "Totals within 1 mark of each other"),
            ("2", "Totals within 2 marks of each other"),
        ],
        coerce=int,
        initial="0",
        widget=forms.RadioSelect,
        label="Which candidates count as tied?",
        help_text="The positive-action tie-breaker may only be used between candidates who are "
        "as qualified as each other. A band wider than equal totals must be narrow and "
        "justified.",
    )
    tie_band_reason = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why are totals this close treated as equal?",
        help_text="Required if you choose a band.",
    )
    interview_limit = forms.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        label="Most interviews to offer (optional)",
        help_text="Only for high-volume, seasonal or peak campaigns. Then only the candidates "
        "with a guaranteed interview who best meet the minimum criteria are guaranteed one.",
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "class": "govuk-input govuk-input--width-5",
                "spellcheck": "false",
            }
        ),
    )
    interview_limit_reason = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why is the number of interviews limited?",
        help_text="Required if you set a limit. It is kept on the vacancy's record.",
    )
    score_feedback = forms.BooleanField(
        required=False,
        initial=True,
        label="Give candidates feedback from their scores after a decision",
        help_text="Each candidate sees what their agreed score for each criterion means, "
        "beside roughly how many other candidates got each score. Those figures are shown "
        "only when enough candidates were scored, and adjusted so that no one can be singled "
        "out. HR can turn this off at any time.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("tie_band") and not (cleaned.get("tie_band_reason") or "").strip():
            self.add_error("tie_band_reason", "Enter why totals this close are treated as equal")
        if (
            cleaned.get("interview_limit") is not None
            and not (cleaned.get("interview_limit_reason") or "").strip()
        ):
            self.add_error(
                "interview_limit_reason", "Enter why the number of interviews is limited"
            )
        groups = cleaned.get("positive_action_groups") or []
        if len({g.split(":")[0] for g in groups}) > 1:
            self.add_error("positive_action_groups", "Choose groups of one characteristic only.")
        if groups and not (cleaned.get("positive_action_evidence") or "").strip():
            self.add_error(
                "positive_action_evidence", "Enter the evidence of under-representation."
            )
        if cleaned.get("positive_action_evidence", "").strip() and not groups:
            self.add_error("positive_action_groups", "Choose the under-represented groups.")
        return cleaned

    def clean_closing_date(self) -> datetime.datetime:
        day: datetime.date = self.cleaned_data["closing_date"]
        return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=LONDON)

    def to_input(self) -> services.VacancyInput:
        data = self.cleaned_data
        criteria = [
            services.CriterionInput("essential", t) for t in _lines(data["essential_criteria"])
        ]
        criteria += [
            services.CriterionInput("desirable", t) for t in _lines(data["desirable_criteria"])
        ]
        plan = None
        if data["positive_action_groups"]:
            characteristic = data["positive_action_groups"][0].split(":")[0]
            plan = services.PositiveActionInput(
                characteristic=characteristic,
                groups=[g.split(":", 1)[1] for g in data["positive_action_groups"]],
                evidence=data["positive_action_evidence"].strip(),
            )
        return services.VacancyInput(
            title=data["title"],
            reference=data["reference"],
            department=data["department"],
            grade=data["grade"],
            location=data["location"],
            description=data["description"],
            salary_min=data["salary_min"],
            salary_max=data["salary_max"],
            closing_date=data["closing_date"],
            hiring_manager=data["hiring_manager"],
            panel=list(data["panel"]),
            criteria=criteria,
            pass_mark=data["pass_mark"],
            minimum_criteria_rule=data["minimum_criteria_rule"],
            interview_guarantees=data["interview_guarantees"],
            positive_action=plan,
            randomise_order=data["randomise_order"],
            tie_band=data["tie_band"],
            tie_band_reason=data["tie_band_reason"],
            interview_limit=data["interview_limit"],
            interview_limit_reason=data["interview_limit_reason"],
            score_feedback=data["score_feedback"],
        )

    @staticmethod
    def initial_from(vacancy: Vacancy) -> dict[str, Any]:
        criteria = list(vacancy.criteria.all())
        try:
            plan = vacancy.positive_action_plan
            groups = [f"{plan.characteristic}:{g}" for g in plan.groups]
            evidence = plan.evidence
        except Vacancy.positive_action_plan.RelatedObjectDoesNotExist:
            groups, evidence = [], ""
        return {
            "title": vacancy.title,
            "reference": vacancy.reference,
            "department": vacancy.department,
            "grade": vacancy.grade,
            "location": vacancy.location,
            "description": vacancy.description,
            "salary_min": vacancy.salary_min,
            "salary_max": vacancy.salary_max,
            "closing_date": vacancy.closing_date.astimezone(LONDON).date(),
            "hiring_manager": vacancy.hiring_manager_id,
            "panel": [u.pk for u in vacancy.panel.all()],
            "essential_criteria": "\n".join(c.text for c in criteria if c.is_essential),
            "desirable_criteria": "\n".join(c.text for c in criteria if not c.is_essential),
            "pass_mark": str(vacancy.pass_mark),
            "minimum_criteria_rule": vacancy.minimum_criteria_rule,
            "interview_guarantees": vacancy.interview_guarantees,
            "positive_action_groups": groups,
            "positive_action_evidence": evidence,
            "randomise_order": vacancy.randomise_order,
            "tie_band": str(vacancy.tie_band),
            "tie_band_reason": vacancy.tie_band_reason,
            "interview_limit": "" if vacancy.interview_limit is None else vacancy.interview_limit,
            "interview_limit_reason": vacancy.interview_limit_reason,
            "score_feedback": vacancy.score_feedback,
        }


class VacancySearchForm(forms.Form):
    department = forms.CharField(required=False, max_length=200)
    grade = forms.CharField(required=False, max_length=50)
