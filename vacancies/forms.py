"""Web forms for vacancies. They collect input; the rules are in vacancies/services.py."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms_gds.fields import DateInputField
from django import forms

from accounts.models import STAFF_ROLES, Role, User
from config.forms import GovForm
from vacancies import services
from vacancies.models import (
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

GROUP_LABELS = {
    "white": "White",
    "mixed": "Mixed or Multiple",
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "other": "Other ethnic group",
    "disabled": "Disabled people",
    "female": "Women",
    "male": "Men",
    "trans": "Trans people",
    "gay_or_lesbian": "Gay or lesbian",
    "bisexual": "Bisexual",
}


def _group_choices() -> list[tuple[str, str]]:
    labels = dict(PositiveActionCharacteristic.choices)
    return [
        (f"{characteristic}:{group}", f"{labels[characteristic]}: {GROUP_LABELS.get(group, group)}")
        for characteristic, groups in POSITIVE_ACTION_GROUPS.items()
        for group in groups
    ]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
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
        }


class VacancySearchForm(forms.Form):
    department = forms.CharField(required=False, max_length=200)
    grade = forms.CharField(required=False, max_length=50)
