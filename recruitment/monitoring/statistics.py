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
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count

from recruitment.models import (
    PREFER_NOT_TO_SAY,
    EqualityAnswers,
    PublishedEqualityAnswers,
    Stage,
)
from recruitment.monitoring import disclosure, inference
from recruitment.monitoring.disclosure import Period
from recruitment.monitoring.groups import (
    CHARACTERISTIC_LABELS,
    CHARACTERISTICS,
    GROUPS,
    NOT_STATED,
    STAGE_LABELS,
    STAGES,
    _group_expression,
    group_label,
)
from recruitment.monitoring.presets import Preset
from recruitment.monitoring.release import (
    Selection,
    _all,
    cells,
)
from recruitment.monitoring.years import (
    _reached,
    decide_year,
    year_status,
)

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
    #: The released (to, from) counts behind the rates: reference, comparison, each group.
    counts: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


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
        counts={"reference": (ref_hits, ref_base), "comparison": (cmp_hits, cmp_base), **released},
    )


def _group_phrase(comparison: str) -> str:
    return comparison if comparison.startswith("all ") else f"the group “{comparison}”"


def _fisher(
    a_hits: int | None, a_base: int | None, b_hits: int | None, b_base: int | None
) -> float | None:
    """Fisher's exact test (Lancaster's mid-p with ``MONITORING_FISHER_MID_P``): the same test
    on every channel, the dashboard, the API, the CSV and the yearly report."""
    if a_hits is None or a_base is None or b_hits is None or b_base is None:
        return None
    return inference.fisher_p(
        a_hits, a_base, b_hits, b_base, mid_p=settings.MONITORING_FISHER_MID_P
    )


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
    """The funnel as CSV rows, cell for cell as in the API, withheld cells as the symbol; a
    spreadsheet for a person, so groups and measures are in words (its header row keeps the
    API's keys)."""
    rows: list[list[Any]] = [["group", *data.stages]]
    for row in data.rows:
        rows.append(
            [
                group_label(data.characteristic, row["group"]),
                *(_cell(row["counts"][s], data.symbol) for s in data.stages),
            ]
        )
    for name, counts in (
        (group_label(data.characteristic, NOT_STATED), data.not_stated),
        (group_label(data.characteristic, PREFER_NOT_TO_SAY), data.prefer_not_to_say),
        ("Total", data.totals),
    ):
        rows.append([name, *(_cell(counts[s], data.symbol) for s in data.stages)])
    rows.append(["Declaration rate", _cell(data.declaration_rate, data.symbol)])
    rows += _about(data.unit)
    rows += _withheld(data.withheld)
    return rows


def _withheld(withheld: dict[str, str | None]) -> list[list[Any]]:
    return [
        [f"Withheld: {STAGE_LABELS.get(s, s).lower()}", reason]
        for s, reason in withheld.items()
        if reason
    ]


def likelihood_csv_rows(data: Likelihood, symbol: str) -> Sequence[Sequence[Any]]:
    label = group_label
    rows: list[list[Any]] = [["measure", "value"]]
    for name, value in (
        ("Reference group", label(data.characteristic, data.reference)),
        ("Compared with", data.comparison),
        ("From stage", STAGE_LABELS.get(data.from_stage, data.from_stage)),
        ("To stage", STAGE_LABELS.get(data.to_stage, data.to_stage)),
        ("Reference group's rate", data.reference_rate),
        ("Compared group's rate", data.comparison_rate),
        ("Relative likelihood", data.relative_likelihood),
        ("Fisher's exact test (p)", data.fisher_p),
    ):
        rows.append([name, _cell(value, symbol)])
    rows.append(["Group", "Impact ratio", "Adverse impact", "Fisher's p against the highest"])
    for group, ratio in data.impact_ratios.items():
        verdict = symbol if ratio is None else ("yes" if group in data.adverse_impact else "no")
        rows.append(
            [
                label(data.characteristic, group),
                _cell(ratio, symbol),
                verdict,
                _cell(data.fisher_p_by_group[group], symbol),
            ]
        )
    rows += _about(data.unit)
    rows += _withheld(data.withheld)
    return rows


def representation_csv_rows(data: dict[str, Any], symbol: str) -> Sequence[Sequence[Any]]:
    rows: list[list[Any]] = [["group", "count", "share", "benchmark_share"]]
    for row in data["rows"]:
        rows.append(
            [
                group_label(data["characteristic"], row["group"]),
                _cell(row["count"], symbol),
                _cell(row["share"], symbol),
                "" if row["benchmark_share"] is None else row["benchmark_share"],
            ]
        )
    rows.append(["Stated", _cell(data["stated"], symbol)])
    rows += _about(data["unit"])
    if data["withheld"]:
        rows += _withheld({data["stage"]: data["withheld"]})
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
                    CHARACTERISTIC_LABELS.get(characteristic, characteristic),
                    group_label(characteristic, group),
                    *("" if counts[s] is None else counts[s] for s in data["stages"]),
                ]
            )
    rows += _withheld(data["withheld"])
    return rows


def population(selection: Selection) -> int:
    """How many applications a selection holds (to decide whether a report runs in the
    background). Never shown."""
    if selection.published_year is not None:
        return PublishedEqualityAnswers.objects.filter(selection.published_scope()).count()
    return EqualityAnswers.objects.filter(selection.scope()).count()
