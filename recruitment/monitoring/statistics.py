"""Anonymised monitoring statistics: the only code that reads equality answers, and only to
aggregate them (DPA 2018 Sch.1 Part 2 para 8). Every figure leaves through the release path
(recruitment/monitoring/disclosure.py, docs/disclosure-control.md): a releasable unit and period, its
stage columns as the stored release plan allows, each count perturbed by its cell key, every
rate and test computed from released counts. The one exact output is the statutory return
(``statutory_return``): whole organisation, whole reporting year, recorded.

Counts and key sums come from one grouped aggregate query per characteristic over the
monitoring table, computed in the database: each stage counts everyone who *reached* it (the
furthest stage recorded on the row as the application moves), including those later rejected
or withdrawn.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, TextChoices, Value, When
from django.utils import timezone
from scipy.stats import fisher_exact

from recruitment.models import (
    EQUALITY_QUESTIONS,
    PREFER_NOT_TO_SAY,
    STAGE_ORDER,
    AgeBand,
    DecidedYear,
    EqualityAnswers,
    Ethnicity,
    PublishedEqualityAnswers,
    ReleaseDecision,
    Religion,
    Sex,
    SexualOrientation,
    Stage,
)
from recruitment.monitoring import disclosure
from recruitment.monitoring.disclosure import Period, Unit
from recruitment.monitoring.presets import Preset

STAGES: list[str] = list(Stage.values)
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
    "age_band": {value: f"Aged {label}" for value, label in AgeBand.choices},
}


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


# --- Reporting years, units and the stored release plan ---------------------------------------

FINISHED = ("filled", "cancelled")


def _reached(stage_index: int) -> Q:
    return Q(furthest_stage__in=STAGES[stage_index:])


def _stage_counts_by_vacancy(year: DecidedYear) -> dict[int, tuple[int, ...]]:
    """vacancy → how many reached each stage, in a decided year's copy. One grouped query."""
    rows = (
        PublishedEqualityAnswers.objects.filter(year=year)
        .values("vacancy_id")
        .annotate(**{f"n{i}": Count("id", filter=_reached(i)) for i in range(len(STAGES))})
        .order_by()
    )
    counts: dict[int, tuple[int, ...]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        counts[values["vacancy_id"]] = tuple(values[f"n{i}"] for i in range(len(STAGES)))
    return counts


#: The monitoring row's columns the published copy keeps (no link to an application).
COPIED = ["vacancy_id", "furthest_stage", *EQUALITY_QUESTIONS, "record_key"]


def _copy_rows(year: DecidedYear, quarters: dict[str, list[int]]) -> None:
    """Copy the year's monitoring rows into the published copy, in the database (one
    ``INSERT ... SELECT`` per batch of campaigns, so a million rows never pass through Python)."""
    source = EqualityAnswers._meta.db_table
    target = PublishedEqualityAnswers._meta.db_table
    columns = ", ".join(COPIED)
    with connection.cursor() as cursor:
        for quarter, ids in quarters.items():
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {target} (year_id, quarter, {columns}) "  # noqa: S608 - names from the models
                    f"SELECT %s, %s, {columns} FROM {source} WHERE vacancy_id IN ({marks})",
                    [year.pk, quarter, *batch],
                )
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner, or a million-row copy is sorted, not hashed,
            # until autovacuum gets to it.
            cursor.execute(f"ANALYZE {target}")


def _vacancies_in(year: Period) -> list[Any]:
    from vacancies.models import Vacancy

    return list(
        Vacancy.objects.filter(closed_at__gte=year.start, closed_at__lt=year.end)
        .order_by("id")
        .only("id", "department", "grade", "closed_at", "status", "reference")
    )


@dataclass(frozen=True)
class YearStatus:
    year: Period
    ended: bool
    unfinished: list[str]  # references of campaigns closed in the year and not yet ended
    decided: bool
    campaigns: int = 0  # campaigns that closed in the year (counted only while undecided)

    @property
    def decidable(self) -> bool:
        return not self.decided and self.ended and not self.unfinished and self.campaigns > 0

    @property
    def reason(self) -> str:
        if self.decided:
            return ""
        if self.ended and not self.campaigns:
            return f"No campaign closed in {self.year.label}: there is nothing to publish."
        if not self.ended:
            return (
                f"{self.year.label} has not ended yet: its figures are published once it has "
                "ended and every campaign that closed in it has been filled or cancelled."
            )
        shown = ", ".join(self.unfinished[:10]) + (
            " and others" if len(self.unfinished) > 10 else ""
        )
        return (
            f"{self.year.label} waits for {len(self.unfinished)} campaign(s) to be filled or "
            f"cancelled ({shown}): figures are published once they no longer change."
        )


def year_status(year: Period) -> YearStatus:
    decided = DecidedYear.objects.filter(year=year.key).exists()
    vacancies = [] if decided else _vacancies_in(year)
    return YearStatus(
        year=year,
        ended=year.has_ended(),
        unfinished=[v.reference for v in vacancies if v.status not in FINISHED],
        decided=decided,
        campaigns=len(vacancies),
    )


def decide_year(year: Period) -> bool:
    """Decide and store the release plan of a finished reporting year, once, with a copy of
    its monitoring rows that every figure of the year is then computed from. Returns whether
    the year is decided. Concurrent callers: the unique year row lets one decide; the others
    find its decisions."""
    status = year_status(year)
    if status.decided:
        return True
    if not status.decidable:
        return False  # not ended, campaigns still running, or none at all: nothing stored
    vacancies = _vacancies_in(year)
    quarter_of = {v.pk: disclosure.period_of(v.closed_at) for v in vacancies}
    quarters: dict[str, list[int]] = {}
    for v in vacancies:
        quarters.setdefault(quarter_of[v.pk].key, []).append(v.pk)
    try:
        with transaction.atomic():
            decided = DecidedYear.objects.create(
                year=year.key, plan_version=f"{disclosure.PTABLE_VERSION}/min{disclosure.minimum()}"
            )
            _copy_rows(decided, quarters)
            found = _stage_counts_by_vacancy(decided)
            counts = {v.pk: found.get(v.pk, (0,) * len(STAGES)) for v in vacancies}
            facts = [
                disclosure.VacancyFact(
                    id=v.pk,
                    department=" ".join(v.department.split()),
                    grade_band=disclosure.grade_band(v.grade),
                    period=quarter_of[v.pk],
                    finished=True,
                    reference=v.reference,
                    counts=counts[v.pk],
                )
                for v in vacancies
            ]
            units = disclosure.units_of(year, facts)
            decisions = disclosure.decide(units, counts, len(STAGES))
            position = {unit: i for i, unit in enumerate(units)}
            ReleaseDecision.objects.bulk_create(
                ReleaseDecision(
                    year=decided,
                    period=d.unit.period,
                    kind=d.unit.kind,
                    key=d.unit.key,
                    label=d.unit.label,
                    position=position[d.unit],
                    stage=STAGES[d.stage],
                    released=d.released,
                    reason=d.reason,
                    vacancies=(
                        [] if d.unit.kind == disclosure.ORGANISATION else sorted(units[d.unit])
                    ),
                )
                for d in decisions
            )
    except IntegrityError:
        pass  # decided meanwhile by another request: its decisions stand
    return True


def reporting_years() -> list[YearStatus]:
    """Every reporting year in which a campaign closed, newest first, finished ones decided."""
    from vacancies.models import Vacancy

    years: set[Period] = set()
    for moment in Vacancy.objects.exclude(closed_at=None).dates("closed_at", "month"):
        local = datetime(moment.year, moment.month, 15, tzinfo=disclosure.LONDON)
        years.add(disclosure.period_of(local).year_period)
    years |= {
        disclosure.parse_period(y) for y in DecidedYear.objects.values_list("year", flat=True)
    }
    for year in years:
        decide_year(year)
    return [year_status(year) for year in sorted(years, reverse=True)]


def default_period() -> Period:
    """The newest decided reporting year; else the newest that has closed campaigns; else the
    current one."""
    statuses = reporting_years()
    for status in statuses:
        if status.decided:
            return status.year
    if statuses:
        return statuses[0].year
    return disclosure.period_of(timezone.now()).year_period


@dataclass
class Selection:
    """A releasable unit and period chosen by a caller, what of it is released, and why not."""

    unit: Unit
    period: Period
    vacancy_ids: list[int]
    released: dict[str, bool]
    reasons: dict[str, str]
    #: The organisation's rows are found by their vacancy's closing time; other units by id.
    closed_between: tuple[datetime, datetime] | None = None
    #: The decided year whose published copy holds the rows (None: not decided), and its
    #: secret seed for the unit's cell-key offsets.
    published_year: int | None = None
    seed: str = field(default="", repr=False)

    def published_scope(self) -> Q:
        """The selection's rows in its year's published copy."""
        if self.unit.kind == disclosure.ORGANISATION:
            if self.period.quarter is None:
                return Q(year_id=self.published_year)
            return Q(year_id=self.published_year, quarter=self.period.key)
        return Q(year_id=self.published_year, vacancy_id__in=self.vacancy_ids)

    def salt(self, name: str) -> int:
        """The secret offset of this unit's cell keys for a column (a stage, or a report)."""
        return disclosure.unit_salt(self.seed, self.unit, name)

    def scope(self, prefix: str = "") -> Q:
        """The rows of this selection, for a model whose vacancy is at ``prefix``."""
        if self.closed_between is not None:
            start, end = self.closed_between
            return Q(
                **{
                    f"{prefix}vacancy__closed_at__gte": start,
                    f"{prefix}vacancy__closed_at__lt": end,
                }
            )
        return Q(**{f"{prefix}vacancy_id__in": self.vacancy_ids})

    @property
    def label(self) -> str:
        return f"{self.unit.label}, {self.period.label}"

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.unit.kind,
            "key": self.unit.key,
            "label": self.unit.label,
            "period": self.period.key,
            "period_label": self.period.label,
        }


class SelectionError(ValueError):
    """A selection that names no unit: field → messages, for a 400."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def select(
    *,
    period: str | None = None,
    vacancy: int | None = None,
    department: str | None = None,
    grade: str | None = None,
) -> Selection:
    """The unit a caller asks for: the organisation (no filter), a department, a grade band or
    a campaign (``vacancy``), over a reporting year or quarter (``period``; default the newest
    published year). Anything else is refused with the field named."""
    from vacancies.models import Vacancy

    named = [
        name
        for name, v in (("vacancy", vacancy), ("department", department), ("grade", grade))
        if v
    ]
    if len(named) > 1:
        raise SelectionError(
            {
                name: [
                    "Figures are released for one unit at a time: choose one of vacancy, "
                    "department or grade."
                ]
                for name in named
            }
        )
    chosen: Period | None = None
    if period:
        try:
            chosen = disclosure.parse_period(period)
        except ValueError as exc:
            raise SelectionError({"period": [str(exc)]}) from None
    if vacancy is not None:
        found = Vacancy.objects.filter(pk=vacancy).only("id", "reference", "closed_at").first()
        if found is None:
            raise SelectionError({"vacancy": ["No vacancy has this id."]})
        unit = Unit(disclosure.CAMPAIGN, str(found.pk), "", f"Campaign: {found.reference}")
        if found.closed_at is None:
            return _withheld(unit, chosen or default_period(), "This campaign has not closed.")
        quarter = disclosure.period_of(found.closed_at)
        unit = Unit(unit.kind, unit.key, quarter.key, unit.label)
        return _from_plan(
            unit,
            quarter,
            [found.pk],
            no_unit=(
                f"A campaign is published on its own only with at least "
                f"{settings.MONITORING_CAMPAIGN_MIN_APPLICATIONS} applications; this one is counted "
                "in its department, grade band and the organisation."
            ),
        )
    chosen = chosen or default_period()
    if department:
        key = disclosure.normalise(department)
        unit = Unit(disclosure.DEPARTMENT, key, chosen.key, f"Department: {department.strip()}")
        ids = [
            v.pk
            for v in _vacancies_in(chosen.year_period)
            if disclosure.normalise(v.department) == key and _within(v, chosen)
        ]
        return _from_plan(
            unit, chosen, ids, no_unit="No campaign of this department closed in this period."
        )
    if grade:
        key = disclosure.normalise(disclosure.grade_band(grade))
        unit = Unit(
            disclosure.GRADE, key, chosen.key, f"Grade band: {disclosure.grade_band(grade)}"
        )
        ids = [
            v.pk
            for v in _vacancies_in(chosen.year_period)
            if disclosure.normalise(disclosure.grade_band(v.grade)) == key and _within(v, chosen)
        ]
        return _from_plan(
            unit, chosen, ids, no_unit="No campaign of this grade band closed in this period."
        )
    unit = Unit(disclosure.ORGANISATION, "", chosen.key, disclosure.KIND_LABELS["organisation"])
    return _from_plan(
        unit,
        chosen,
        None,
        no_unit="No campaign closed in this period.",
        closed_between=(chosen.start, chosen.end),
    )


def _within(vacancy: Any, period: Period) -> bool:
    return bool(period.start <= vacancy.closed_at < period.end)


def _withheld(
    unit: Unit,
    period: Period,
    reason: str,
    ids: list[int] | None = None,
    closed_between: tuple[datetime, datetime] | None = None,
) -> Selection:
    return Selection(
        unit,
        period,
        ids or [],
        dict.fromkeys(STAGES, False),
        dict.fromkeys(STAGES, reason),
        closed_between,
    )


def _from_plan(
    unit: Unit,
    period: Period,
    ids: list[int] | None,
    *,
    no_unit: str,
    closed_between: tuple[datetime, datetime] | None = None,
) -> Selection:
    year = period.year_period
    status = year_status(year)
    if not status.decided and not decide_year(year):
        return _withheld(unit, period, year_status(year).reason, ids, closed_between)
    rows = ReleaseDecision.objects.filter(
        year__year=year.key, period=unit.period, kind=unit.kind, key=unit.key
    ).select_related("year")
    decisions = {r.stage: r for r in rows}
    if not decisions:
        return _withheld(unit, period, no_unit, ids, closed_between)
    first = next(iter(decisions.values()))
    unit = Unit(unit.kind, unit.key, unit.period, first.label)
    return Selection(
        unit=unit,
        period=period,
        # What the unit held when decided, whatever the settings say now.
        vacancy_ids=list(first.vacancies),
        released={s: decisions[s].released for s in STAGES},
        reasons={s: decisions[s].reason for s in STAGES},
        closed_between=closed_between,
        published_year=first.year_id,
        seed=first.year.seed,
    )


def plan(period: Period) -> list[dict[str, Any]]:
    """Every unit of a decided year that falls in ``period``, with each stage's decision."""
    year = period.year_period
    units: dict[tuple[str, str, str], dict[str, Any]] = {}
    rows = ReleaseDecision.objects.filter(year__year=year.key).order_by("position", "stage")
    for row in rows:
        if period.quarter is not None and row.period != period.key:
            continue
        if period.quarter is None and row.period != period.key and row.kind != disclosure.CAMPAIGN:
            continue
        unit = units.setdefault(
            (row.period, row.kind, row.key),
            {
                "kind": row.kind,
                "key": row.key,
                "label": row.label,
                "period": row.period,
                "stages": {},
            },
        )
        unit["stages"][row.stage] = {"released": row.released, "reason": row.reason or None}
    for unit in units.values():
        unit["stages"] = {s: unit["stages"][s] for s in STAGES}
    return list(units.values())


# --- Released cells -----------------------------------------------------------------------------


@dataclass
class Cells:
    """The true counts and record-key sums of one characteristic's groups in a selection,
    straight from the database, and the one way out: ``value``, which perturbs a cell (or a
    union of cells) of a released stage and withholds the rest. Nothing else leaves."""

    selection: Selection
    counts: dict[str, list[int]]
    keys: dict[str, list[int]]

    def value(self, groups: Sequence[str], stage: str) -> int | None:
        if not self.selection.released[stage]:
            return None
        i = STAGES.index(stage)
        count = sum(self.counts.get(g, [0] * len(STAGES))[i] for g in groups)
        key = sum(self.keys.get(g, [0] * len(STAGES))[i] for g in groups)
        return disclosure.perturb(count, key + self.selection.salt(stage))


def cells(characteristic: str, selection: Selection) -> Cells:
    """One grouped scan of the selection's rows (its year's published copy once decided): per
    group, the count of those who reached each stage and the sum of that stage's byte of
    their record keys.

    Grouped by (group, furthest stage) with plain aggregates, then added up here: those who
    reached a stage are those whose furthest stage is it or later, so each (group, stage) row
    adds its count to every stage up to its own and its byte sums to the same stages. At most
    21 groups x 5 stages come back; the scan has no per-stage filters (measured at 1.05x the
    raw GROUP BY floor, against 1.7x with them: docs/benchmarks.md)."""
    if not any(selection.released.values()):
        return Cells(selection, {}, {})
    bytes_ = {
        f"k{i}": Sum(F("record_key").bitrightshift(disclosure.stage_key_shift(i)).bitand(255))
        for i in range(len(STAGES))
    }
    source = (
        EqualityAnswers.objects.filter(selection.scope())
        if selection.published_year is None
        else PublishedEqualityAnswers.objects.filter(selection.published_scope())
    )
    rows = (
        source.annotate(group=_group_expression(characteristic))
        .values("group", "furthest_stage")
        .annotate(n=Count("id"), **bytes_)
        .order_by()
    )
    counts: dict[str, list[int]] = {}
    keys: dict[str, list[int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        group = values["group"]
        counts.setdefault(group, [0] * len(STAGES))
        keys.setdefault(group, [0] * len(STAGES))
        for i in range(STAGE_ORDER[values["furthest_stage"]] + 1):
            counts[group][i] += values["n"]
            keys[group][i] += int(values[f"k{i}"] or 0)
    return Cells(selection, counts, keys)


def _all(characteristic: str) -> list[str]:
    return [*GROUPS[characteristic], NOT_STATED, PREFER_NOT_TO_SAY]


# --- The funnel -------------------------------------------------------------------------------


@dataclass
class Funnel:
    characteristic: str
    preset: str
    stages: list[str]
    rows: list[dict[str, Any]]
    not_stated: dict[str, int | None]
    prefer_not_to_say: dict[str, int | None]
    totals: dict[str, int | None]
    declaration_rate: float | None
    symbol: str = "*"
    conversion: dict[str, dict[str, float | None]] = field(default_factory=dict)
    unit: dict[str, Any] = field(default_factory=dict)
    withheld: dict[str, str | None] = field(default_factory=dict)
    stated: dict[str, int | None] = field(default_factory=dict)


def funnel(characteristic: str, preset: Preset, selection: Selection) -> Funnel:
    """Counts at each stage by group, with "not stated" and "prefer not to say" apart, the
    stage totals, and the declaration and conversion rates, all from released cells."""
    data = cells(characteristic, selection)
    groups = GROUPS[characteristic]

    def column(members: Sequence[str]) -> dict[str, int | None]:
        return {stage: data.value(members, stage) for stage in STAGES}

    published = {g: column([g]) for g in groups}
    totals = column(_all(characteristic))
    stated = column(groups)
    return Funnel(
        characteristic=characteristic,
        preset=preset.name,
        stages=STAGES,
        rows=[
            {"group": g, "label": group_label(characteristic, g), "counts": published[g]}
            for g in groups
        ],
        not_stated=column([NOT_STATED]),
        prefer_not_to_say=column([PREFER_NOT_TO_SAY]),
        totals=totals,
        declaration_rate=disclosure.ratio(stated["applied"], totals["applied"]),
        symbol=preset.symbol,
        conversion={
            g: {
                stage: disclosure.ratio(published[g][stage], published[g][previous])
                for previous, stage in pairwise(STAGES)
            }
            for g in groups
        },
        unit=selection.describe(),
        withheld={s: None if selection.released[s] else selection.reasons[s] for s in STAGES},
        stated=stated,
    )


# --- Relative likelihood and adverse impact ------------------------------------------------------


def reference_group(characteristic: str) -> str:
    return settings.MONITORING_REFERENCE_GROUPS.get(characteristic, GROUPS[characteristic][0])


def comparison_label(characteristic: str, reference: str) -> str:
    label = settings.MONITORING_COMPARISON_LABELS.get(characteristic)
    if label and reference == reference_group(characteristic):
        return str(label)
    return "all other groups (of those who answered)"


@dataclass
class Likelihood:
    characteristic: str
    preset: str
    from_stage: str
    to_stage: str
    reference: str
    comparison: str
    direction: str
    reference_rate: float | None
    comparison_rate: float | None
    relative_likelihood: float | None
    fisher_p: float | None
    impact_ratios: dict[str, float | None]
    adverse_impact: list[str]
    fisher_p_by_group: dict[str, float | None]
    highest_rate_group: str | None
    unit: dict[str, Any] = field(default_factory=dict)
    withheld: dict[str, str | None] = field(default_factory=dict)


def relative_likelihood(
    characteristic: str,
    preset: Preset,
    selection: Selection,
    *,
    reference: str | None = None,
    from_stage: str = Stage.SHORTLISTED,
    to_stage: str = Stage.APPOINTED,
) -> Likelihood:
    """WRES indicator 2 / WDES metric 2 style: RL = (ref to / ref from) / (cmp to / cmp from),
    applicants who did not state the characteristic left out of both. Impact ratios are each
    group's rate over the highest group's (four-fifths rule), each with a Fisher exact test
    against that group so that one decision in a small group does not swing the verdict.
    Every figure is computed from released (perturbed) counts; the comparison group is a cell
    of its own (all stated groups but the reference), released like any other."""
    reference = reference or reference_group(characteristic)
    data = cells(characteristic, selection)
    groups = GROUPS[characteristic]
    others = [g for g in groups if g != reference]

    def pair(members: Sequence[str]) -> tuple[int | None, int | None]:
        base = data.value(members, from_stage)
        hits = data.value(members, to_stage)
        if base is not None and hits is not None:
            hits = min(hits, base)  # perturbed counts: never more reached than started
        return hits, base

    ref_hits, ref_base = pair([reference])
    cmp_hits, cmp_base = pair(others)
    ref_rate = disclosure.ratio(ref_hits, ref_base)
    cmp_rate = disclosure.ratio(cmp_hits, cmp_base)
    rl = None if ref_rate is None or not cmp_rate else round(ref_rate / cmp_rate, 4)
    # A test only where both rates are published (from counts large enough to be reliable).
    fisher = (
        None
        if ref_rate is None or cmp_rate is None
        else _fisher(ref_hits, ref_base, cmp_hits, cmp_base)
    )

    released = {g: pair([g]) for g in groups}
    rates = {g: disclosure.ratio(*released[g]) for g in groups}
    publishable = {g: r for g, r in rates.items() if r is not None}
    best = max(publishable, key=lambda g: publishable[g]) if publishable else None
    impact: dict[str, float | None] = {}
    fisher_by_group: dict[str, float | None] = {}
    for g in groups:
        r = rates[g]
        if best is None or r is None or not publishable[best]:
            impact[g] = None
            fisher_by_group[g] = None
            continue
        impact[g] = round(r / publishable[best], 4)
        fisher_by_group[g] = None if g == best else _fisher(*released[g], *released[best])
    threshold = settings.MONITORING_ADVERSE_IMPACT_THRESHOLD
    comparison = comparison_label(characteristic, reference)
    return Likelihood(
        characteristic=characteristic,
        preset=preset.name,
        from_stage=from_stage,
        to_stage=to_stage,
        reference=reference,
        comparison=comparison,
        direction=(
            f"A relative likelihood above 1 means candidates in the group "
            f"“{group_label(characteristic, reference)}” are more likely to go from "
            f"{from_stage} to {to_stage} than candidates in {_group_phrase(comparison)}; "
            "below 1, less likely."
        ),
        reference_rate=ref_rate,
        comparison_rate=cmp_rate,
        relative_likelihood=rl,
        fisher_p=fisher,
        impact_ratios=impact,
        adverse_impact=[
            g for g, ratio in impact.items() if ratio is not None and ratio < threshold
        ],
        fisher_p_by_group=fisher_by_group,
        highest_rate_group=best,
        unit=selection.describe(),
        withheld={
            s: None if selection.released[s] else selection.reasons[s]
            for s in (from_stage, to_stage)
        },
    )


def _group_phrase(comparison: str) -> str:
    return comparison if comparison.startswith("all ") else f"the group “{comparison}”"


def _fisher(
    a_hits: int | None, a_base: int | None, b_hits: int | None, b_base: int | None
) -> float | None:
    if a_hits is None or a_base is None or b_hits is None or b_base is None:
        return None
    _, p = fisher_exact([[a_hits, a_base - a_hits], [b_hits, b_base - b_hits]])
    return round(float(p), 4)


# --- Representation against a benchmark ----------------------------------------------------------


@cache
def benchmark(path: str | None = None) -> dict[str, dict[str, float]]:
    """characteristic → group → population share, from a CSV (characteristic,group,share)."""
    source = Path(path or settings.MONITORING_BENCHMARK_CSV)
    shares: dict[str, dict[str, float]] = {}
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            shares.setdefault(row["characteristic"], {})[row["group"]] = float(row["share"])
    return shares


def representation(
    characteristic: str, preset: Preset, selection: Selection, *, stage: str = Stage.APPLIED
) -> dict[str, Any]:
    """Each group's share of those who reached ``stage`` (among those who stated the
    characteristic) against its share of the local population, from released counts."""
    data = cells(characteristic, selection)
    groups = GROUPS[characteristic]
    stated = data.value(groups, stage)
    local = benchmark().get(characteristic, {})
    rows = []
    for g in groups:
        count = data.value([g], stage)
        rows.append(
            {
                "group": g,
                "count": count,
                "share": disclosure.ratio(count, stated),
                "benchmark_share": local.get(g),
            }
        )
    return {
        "characteristic": characteristic,
        "preset": preset.name,
        "stage": stage,
        "benchmark": settings.MONITORING_BENCHMARK_NAME,
        "stated": stated,
        "rows": rows,
        "unit": selection.describe(),
        "withheld": None if selection.released[stage] else selection.reasons[stage],
    }


# --- CSV ------------------------------------------------------------------------------------------


def _cell(value: Any, symbol: str) -> Any:
    return symbol if value is None else value


def _about(unit: dict[str, Any]) -> list[list[Any]]:
    return [
        [],
        ["unit", unit.get("label", "")],
        ["period", unit.get("period_label", "")],
        [
            "note",
            "Counts are slightly adjusted to protect people and counts below 10 are not "
            "shown; rates are computed from the published counts.",
        ],
    ]


def funnel_csv_rows(data: Funnel) -> Sequence[Sequence[Any]]:
    """The funnel as CSV rows, cell for cell as in the API, withheld cells as the symbol."""
    rows: list[list[Any]] = [["group", *data.stages]]
    for row in data.rows:
        rows.append([row["group"], *(_cell(row["counts"][s], data.symbol) for s in data.stages)])
    for name, counts in (
        (NOT_STATED, data.not_stated),
        (PREFER_NOT_TO_SAY, data.prefer_not_to_say),
        ("total", data.totals),
    ):
        rows.append([name, *(_cell(counts[s], data.symbol) for s in data.stages)])
    rows.append(["declaration_rate", _cell(data.declaration_rate, data.symbol)])
    rows += _about(data.unit)
    rows += [[f"withheld: {s}", reason] for s, reason in data.withheld.items() if reason]
    return rows


def likelihood_csv_rows(data: Likelihood, symbol: str) -> Sequence[Sequence[Any]]:
    rows: list[list[Any]] = [["measure", "value"]]
    for key in (
        "reference",
        "comparison",
        "from_stage",
        "to_stage",
        "reference_rate",
        "comparison_rate",
        "relative_likelihood",
        "fisher_p",
    ):
        rows.append([key, _cell(getattr(data, key), symbol)])
    rows.append(["group", "impact_ratio", "adverse_impact", "fisher_p_vs_highest"])
    for group, ratio in data.impact_ratios.items():
        verdict = symbol if ratio is None else ("yes" if group in data.adverse_impact else "no")
        rows.append(
            [group, _cell(ratio, symbol), verdict, _cell(data.fisher_p_by_group[group], symbol)]
        )
    rows += _about(data.unit)
    rows += [[f"withheld: {s}", reason] for s, reason in data.withheld.items() if reason]
    return rows


def representation_csv_rows(data: dict[str, Any], symbol: str) -> Sequence[Sequence[Any]]:
    rows: list[list[Any]] = [["group", "count", "share", "benchmark_share"]]
    for row in data["rows"]:
        rows.append(
            [
                row["group"],
                _cell(row["count"], symbol),
                _cell(row["share"], symbol),
                "" if row["benchmark_share"] is None else row["benchmark_share"],
            ]
        )
    rows.append(["stated", _cell(data["stated"], symbol)])
    rows += _about(data["unit"])
    if data["withheld"]:
        rows.append([f"withheld: {data['stage']}", data["withheld"]])
    return rows


# --- The statutory return: the one exact output ---------------------------------------------------


class NotReleasable(Exception):
    """The statutory return cannot be given for this year; the message says why."""


def statutory_return(year: Period) -> dict[str, Any]:
    """Exact counts for the whole organisation over one whole, finished reporting year, as the
    WRES/WDES data collections and the Public Sector Equality Duty publication need them, from
    the year's published copy. No other filter exists. Refused for a year that has not
    finished or is below the statutory minimum; a stage that fewer than
    ``MONITORING_MIN_POPULATION`` people reached is withheld (an exact column of one
    appointee would be that person's answers), and so is a stage 1 to 19 people away from
    the stage shown before it. The caller records the download."""
    if year.quarter is not None:
        raise NotReleasable("The statutory return covers a whole reporting year, not a quarter.")
    status = year_status(year)
    if not status.decided and not decide_year(year):
        raise NotReleasable(year_status(year).reason)
    rows = PublishedEqualityAnswers.objects.filter(year__year=year.key)
    reached = rows.aggregate(**{s: Count("id", filter=_reached(i)) for i, s in enumerate(STAGES)})
    applications = reached["applied"]
    if applications < settings.MONITORING_STATUTORY_MINIMUM:
        raise NotReleasable(
            f"{year.label} had fewer than {settings.MONITORING_STATUTORY_MINIMUM} applications: "
            "exact figures for so few people would identify them."
        )
    need = disclosure.minimum()
    # A stage is shown when at least ``need`` people reached it and it differs from the last
    # stage shown by none or by at least ``need`` people: the stages nest, so two exact
    # columns 1 to 19 apart would give those few people's answers by subtraction (the one
    # candidate offered the job who declined it: offered minus appointed).
    shown: list[str] = []
    withheld: dict[str, str | None] = {}
    for stage in STAGES:
        gap = reached[shown[-1]] - reached[stage] if shown else 0
        if reached[stage] < need:
            withheld[stage] = f"Fewer than {need} people reached this stage."
        elif 0 < gap < need:
            withheld[stage] = (
                f"Fewer than {need} people separate this stage from the "
                f"{shown[-1]} stage: exact figures for both would identify them."
            )
        else:
            shown.append(stage)
            withheld[stage] = None
    tables: dict[str, Any] = {}
    for characteristic in CHARACTERISTICS:
        grouped = (
            rows.annotate(group=_group_expression(characteristic))
            .values("group")
            .annotate(**{s: Count("id", filter=_reached(i)) for i, s in enumerate(STAGES)})
            .order_by()
        )
        found = {dict(row)["group"]: dict(row) for row in grouped}
        tables[characteristic] = {
            g: {s: (found[g][s] if g in found else 0) if s in shown else None for s in STAGES}
            for g in _all(characteristic)
        }
    return {
        "year": year.key,
        "year_label": year.label,
        "applications": applications,
        "stages": STAGES,
        "counts": tables,
        "withheld": withheld,
    }


def statutory_csv_rows(data: dict[str, Any]) -> Sequence[Sequence[Any]]:
    rows: list[list[Any]] = [["characteristic", "group", *data["stages"]]]
    for characteristic, groups in data["counts"].items():
        for group, counts in groups.items():
            rows.append(
                [
                    characteristic,
                    group,
                    *("" if counts[s] is None else counts[s] for s in data["stages"]),
                ]
            )
    rows += [[f"withheld: {s}", reason] for s, reason in data["withheld"].items() if reason]
    return rows


def population(selection: Selection) -> int:
    """How many applications a selection holds (to decide whether a report runs in the
    background). Never shown."""
    if selection.published_year is not None:
        return PublishedEqualityAnswers.objects.filter(selection.published_scope()).count()
    return EqualityAnswers.objects.filter(selection.scope()).count()
