"""The groups each characteristic is counted in, their labels, and the database expression that
puts an equality answer in its group (a blank or "prefer not to say" is "not stated")."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, F, TextChoices, Value, When

from recruitment.models import (
    PREFER_NOT_TO_SAY,
    AgeBand,
    Ethnicity,
    Religion,
    Sex,
    SexualOrientation,
    Stage,
)

STAGES: list[str] = list(Stage.values)
#: Where a salary sits in its range, in thousandths: the starting-pay columns count appointees
#: paid at most each step up the range (at the bottom, a quarter, half, three quarters of the
#: way up, anywhere), cumulative as the funnel's stages are.
PAY_STEPS = (0, 250, 500, 750, 1000)
#: The starting-pay columns as the release plan decides them, beside the stages.
PAY_STAGES = [f"pay:le:{step}" for step in PAY_STEPS]
NOT_STATED = "not_stated"


def _answers(choices: type[TextChoices]) -> list[str]:
    """The real answers of a question, without "prefer not to say"."""
    return [value for value in choices.values if value != PREFER_NOT_TO_SAY]


#: Characteristic → its real groups, in report order (from the questions' own choices).
GROUPS: dict[str, list[str]] = {
    "ethnicity": _answers(Ethnicity),
    "ethnicity_group": ["white", "mixed", "asian", "black", "other"],
    "sex": _answers(Sex),
    "gender_identity": ["same_as_sex_at_birth", "different_from_sex_at_birth"],
    "sexual_orientation": _answers(SexualOrientation),
    "religion": _answers(Religion),
    "disability": ["disabled", "not_disabled"],
    "age_band": _answers(AgeBand),
}
CHARACTERISTICS = list(GROUPS)

#: Characteristic → group → what a person reads (from the questions' own labels).
GROUP_LABELS: dict[str, dict[str, str]] = {
    "ethnicity": dict(Ethnicity.choices),
    "ethnicity_group": {
        "white": "White",
        "mixed": "Mixed or Multiple",
        "asian": "Asian or Asian British",
        "black": "Black, Black British, Caribbean or African",
        "other": "Other ethnic group",
    },
    "sex": dict(Sex.choices),
    "gender_identity": {
        "same_as_sex_at_birth": "Same as sex registered at birth",
        "different_from_sex_at_birth": "Different from sex registered at birth",
    },
    "sexual_orientation": dict(SexualOrientation.choices),
    "religion": dict(Religion.choices),
    "disability": {"disabled": "Disabled", "not_disabled": "Not disabled"},
    "age_band": {
        value: label if value == PREFER_NOT_TO_SAY else f"Aged {label}"
        for value, label in AgeBand.choices
    },
}


#: Characteristic → what a person reads.
CHARACTERISTIC_LABELS = {
    "ethnicity": "Ethnicity (19 categories)",
    "ethnicity_group": "Ethnic group (5 groups)",
    "sex": "Sex",
    "gender_identity": "Gender identity",
    "sexual_orientation": "Sexual orientation",
    "religion": "Religion or belief",
    "disability": "Disability",
    "age_band": "Age",
}
#: Stage → what a person reads.
STAGE_LABELS = dict(Stage.choices)


def group_label(characteristic: str, group: str) -> str:
    if group == NOT_STATED:
        return "Not stated"
    if group == PREFER_NOT_TO_SAY:
        return "Prefer not to say"
    return GROUP_LABELS[characteristic].get(group, group)


def _group_expression(characteristic: str) -> Any:
    """The SQL expression that puts an answer row in a group, "not_stated" or
    "prefer_not_to_say". Kept in the database so the grouping is one scan."""
    if characteristic == "ethnicity_group":
        return Case(
            When(ethnicity="", then=Value(NOT_STATED)),
            When(ethnicity=PREFER_NOT_TO_SAY, then=Value(PREFER_NOT_TO_SAY)),
            *[
                When(ethnicity__startswith=f"{group}_", then=Value(group))
                for group in GROUPS["ethnicity_group"]
            ],
            output_field=CharField(),
        )
    if characteristic == "gender_identity":
        return Case(
            When(gender_identity_same="", then=Value(NOT_STATED)),
            When(gender_identity_same="yes", then=Value("same_as_sex_at_birth")),
            When(gender_identity_same="no", then=Value("different_from_sex_at_birth")),
            default=Value(PREFER_NOT_TO_SAY),
            output_field=CharField(),
        )
    if characteristic == "disability":
        # GSS standard: disabled = a condition lasting 12 months or more AND it reduces
        # day-to-day activities a lot or a little.
        return Case(
            When(disability_condition="", then=Value(NOT_STATED)),
            When(disability_condition="no", then=Value("not_disabled")),
            When(
                disability_condition="yes",
                disability_impact__in=["a_lot", "a_little"],
                then=Value("disabled"),
            ),
            When(
                disability_condition="yes",
                disability_impact="not_at_all",
                then=Value("not_disabled"),
            ),
            When(disability_condition="yes", disability_impact="", then=Value(NOT_STATED)),
            default=Value(PREFER_NOT_TO_SAY),
            output_field=CharField(),
        )
    return Case(
        When(**{characteristic: ""}, then=Value(NOT_STATED)),
        default=F(characteristic),
        output_field=CharField(),
    )
