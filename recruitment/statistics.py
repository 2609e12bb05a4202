"""Anonymised monitoring statistics: the only code that reads equality answers, and only to
aggregate them (DPA 2018 Sch.1 Part 2 para 8). Every figure leaves through
recruitment/suppression.py; there is no unsuppressed output.

Counts come from one grouped aggregate query per characteristic over the monitoring table
alone, computed in the database: each stage counts everyone who *reached* it (the furthest
stage recorded on the row as the application moves), including those later rejected or
withdrawn.
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
from django.db.models import Case, CharField, Count, F, Q, QuerySet, TextChoices, Value, When
from scipy.stats import fisher_exact

from recruitment.models import (
    PREFER_NOT_TO_SAY,
    STAGE_ORDER,
    AgeBand,
    EqualityAnswers,
    Ethnicity,
    Religion,
    Sex,
    SexualOrientation,
    Stage,
)
from recruitment.suppression import Preset, rate, suppress_count, suppress_table

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


@dataclass(frozen=True)
class Filters:
    vacancy: int | None = None
    department: str | None = None
    grade: str | None = None
    closed_from: datetime | None = None
    closed_to: datetime | None = None

    def apply(self, answers: QuerySet[EqualityAnswers]) -> QuerySet[EqualityAnswers]:
        lookups: dict[str, Any] = {}
        if self.vacancy is not None:
            lookups["vacancy_id"] = self.vacancy
        if self.department:
            lookups["vacancy__department__iexact"] = self.department
        if self.grade:
            lookups["vacancy__grade__iexact"] = self.grade
        if self.closed_from:
            lookups["vacancy__closed_at__gte"] = self.closed_from
        if self.closed_to:
            lookups["vacancy__closed_at__lte"] = self.closed_to
        return answers.filter(**lookups)


def _stage_counts(characteristic: str, filters: Filters) -> dict[str, dict[str, int]]:
    """group → stage → count of everyone who reached the stage. One grouped query."""
    reached = {
        stage: Count(
            "id",
            filter=Q(
                furthest_stage__in=[s for s in STAGES if STAGE_ORDER[s] >= STAGE_ORDER[stage]]
            ),
        )
        for stage in STAGES[1:]
    }
    rows = (
        filters.apply(EqualityAnswers.objects.all())
        .annotate(group=_group_expression(characteristic))
        .values("group")
        .annotate(applied=Count("id"), **reached)
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        counts[values["group"]] = {stage: values[stage] for stage in STAGES}
    return counts


def population(filters: Filters) -> int:
    """How many applications the filters select (to decide whether a report runs async)."""
    return filters.apply(EqualityAnswers.objects.all()).count()


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


def funnel(characteristic: str, preset: Preset, filters: Filters | None = None) -> Funnel:
    """Counts at each stage by group, with "not stated" and "prefer not to say" apart, the
    stage totals, the declaration rate and stage-to-stage conversion rates. Suppressed."""
    counts = _stage_counts(characteristic, filters or Filters())
    labels = [*GROUPS[characteristic], NOT_STATED, PREFER_NOT_TO_SAY]
    zero = dict.fromkeys(STAGES, 0)
    raw = [[counts.get(label, zero)[stage] for stage in STAGES] for label in labels]
    table = suppress_table(raw, preset, row_totals=False)
    published = {
        label: dict(zip(STAGES, table.cells[i], strict=True)) for i, label in enumerate(labels)
    }

    applied = sum(row[0] for row in raw)
    declared = sum(row[0] for row in raw[: len(GROUPS[characteristic])])
    conversion = {
        label: {
            stage: (
                None
                if published[label][stage] is None or published[label][previous] is None
                else rate(raw[i][s], raw[i][s - 1], preset)
            )
            for s, (previous, stage) in enumerate(pairwise(STAGES), start=1)
        }
        for i, label in enumerate(labels[: len(GROUPS[characteristic])])
    }
    return Funnel(
        characteristic=characteristic,
        preset=preset.name,
        stages=STAGES,
        rows=[{"group": g, "counts": published[g]} for g in GROUPS[characteristic]],
        not_stated=published[NOT_STATED],
        prefer_not_to_say=published[PREFER_NOT_TO_SAY],
        totals=dict(zip(STAGES, table.column_totals, strict=True)),
        declaration_rate=None
        if rate(declared, applied, preset) is None
        else round(declared / applied, 4),
        symbol=preset.symbol,
        conversion=conversion,
    )


# --- Relative likelihood and adverse impact ------------------------------------------------------


def reference_group(characteristic: str) -> str:
    return settings.MONITORING_REFERENCE_GROUPS.get(characteristic, GROUPS[characteristic][0])


def comparison_label(characteristic: str, reference: str) -> str:
    label = settings.MONITORING_COMPARISON_LABELS.get(characteristic)
    if label and reference == reference_group(characteristic):
        return str(label)
    return f"all other stated groups than {reference}"


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


def relative_likelihood(
    characteristic: str,
    preset: Preset,
    *,
    reference: str | None = None,
    from_stage: str = Stage.SHORTLISTED,
    to_stage: str = Stage.APPOINTED,
    filters: Filters | None = None,
) -> Likelihood:
    """WRES indicator 2 / WDES metric 2 style: RL = (ref to / ref from) / (cmp to / cmp from),
    applicants who did not state the characteristic left out of both. Impact ratios are each
    group's rate over the highest group's (four-fifths rule), each with a Fisher exact test
    against that group so that one decision in a small group does not swing the verdict."""
    reference = reference or reference_group(characteristic)
    counts = _stage_counts(characteristic, filters or Filters())
    groups = GROUPS[characteristic]
    base = {g: counts.get(g, {}).get(from_stage, 0) for g in groups}
    hits = {g: counts.get(g, {}).get(to_stage, 0) for g in groups}
    others = [g for g in groups if g != reference]
    cmp_base = sum(base[g] for g in others)
    cmp_hits = sum(hits[g] for g in others)

    def figure(numerator: int, denominator: int) -> float | None:
        return rate(numerator, denominator, preset)

    ref_rate = figure(hits[reference], base[reference])
    cmp_rate = figure(cmp_hits, cmp_base)
    rl = None if ref_rate is None or not cmp_rate else round(ref_rate / cmp_rate, 4)
    fisher = None
    if ref_rate is not None and cmp_rate is not None:
        fisher = _fisher(hits[reference], base[reference], cmp_hits, cmp_base)

    rates = {g: figure(hits[g], base[g]) for g in groups}
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
        fisher_by_group[g] = (
            None if g == best else _fisher(hits[g], base[g], hits[best], base[best])
        )
    threshold = settings.MONITORING_ADVERSE_IMPACT_THRESHOLD
    return Likelihood(
        characteristic=characteristic,
        preset=preset.name,
        from_stage=from_stage,
        to_stage=to_stage,
        reference=reference,
        comparison=comparison_label(characteristic, reference),
        direction=(
            f"A relative likelihood above 1 means {reference} candidates are more likely to "
            f"go from {from_stage} to {to_stage} than {comparison_label(characteristic, reference)} "
            "candidates; below 1, less likely."
        ),
        reference_rate=None if ref_rate is None else round(ref_rate, 4),
        comparison_rate=None if cmp_rate is None else round(cmp_rate, 4),
        relative_likelihood=rl,
        fisher_p=fisher,
        impact_ratios=impact,
        adverse_impact=[
            g for g, ratio in impact.items() if ratio is not None and ratio < threshold
        ],
        fisher_p_by_group=fisher_by_group,
        highest_rate_group=best,
    )


def _fisher(a_hits: int, a_base: int, b_hits: int, b_base: int) -> float:
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
    characteristic: str,
    preset: Preset,
    *,
    stage: str = Stage.APPOINTED,
    filters: Filters | None = None,
) -> dict[str, Any]:
    """Each group's share of those who reached ``stage`` (among those who stated the
    characteristic) against its share of the local population."""
    counts = _stage_counts(characteristic, filters or Filters())
    groups = GROUPS[characteristic]
    reached = {g: counts.get(g, {}).get(stage, 0) for g in groups}
    stated = sum(reached.values())
    local = benchmark().get(characteristic, {})
    return {
        "characteristic": characteristic,
        "preset": preset.name,
        "stage": stage,
        "benchmark": settings.MONITORING_BENCHMARK_NAME,
        "stated": suppress_count(stated, preset),
        "rows": [
            {
                "group": g,
                "count": suppress_count(reached[g], preset),
                "share": None if (r := rate(reached[g], stated, preset)) is None else round(r, 4),
                "benchmark_share": local.get(g),
            }
            for g in groups
        ],
    }


def funnel_csv_rows(data: Funnel) -> Sequence[Sequence[Any]]:
    """The funnel as CSV rows, cell for cell as in the API, suppressed cells as the symbol."""

    def cell(value: int | None) -> Any:
        return data.symbol if value is None else value

    rows: list[list[Any]] = [["group", *data.stages]]
    for row in data.rows:
        rows.append([row["group"], *(cell(row["counts"][s]) for s in data.stages)])
    rows.append([NOT_STATED, *(cell(data.not_stated[s]) for s in data.stages)])
    rows.append([PREFER_NOT_TO_SAY, *(cell(data.prefer_not_to_say[s]) for s in data.stages)])
    rows.append(["total", *(cell(data.totals[s]) for s in data.stages)])
    return rows
