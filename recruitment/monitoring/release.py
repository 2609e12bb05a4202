"""The release path: what a request may see (a releasable unit and period, chosen by
select), the stored release plan (which stage columns of a unit are released), and the
released cells, each count perturbed by its cell key (docs/disclosure-control.md). Every
statistic reads its counts through cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from recruitment.models import (
    PREFER_NOT_TO_SAY,
    STAGE_ORDER,
    EqualityAnswers,
    PublishedEqualityAnswers,
    ReleaseDecision,
)
from recruitment.monitoring import disclosure
from recruitment.monitoring.disclosure import Period, Unit
from recruitment.monitoring.groups import (
    GROUPS,
    NOT_STATED,
    PAY_STAGES,
    PAY_STEPS,
    STAGES,
    _group_expression,
)
from recruitment.monitoring.years import (
    _vacancies_in,
    decide_year,
    default_period,
    year_status,
)
from vacancies.models import Vacancy


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
    #: The plan's decision on each starting-pay column (groups.PAY_STAGES); none before the
    #: plan held them (a year decided before pay was recorded).
    pay_released: dict[str, bool] = field(default_factory=dict)

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
        pay_released={c: decisions[c].released for c in PAY_STAGES if c in decisions},
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


# --- Released starting-pay cells ----------------------------------------------------------------

#: Cell names: ``le:<step>`` (at most that far up) and ``above_bottom``.
PAY_CELLS = (*(f"le:{step}" for step in PAY_STEPS), "above_bottom")
_APPOINTED = STAGES.index("appointed")
_NO_PAY = len(PAY_STEPS)  # the bucket of appointees with no salary recorded


def _buckets(cell: str) -> range:
    if cell == "above_bottom":
        return range(1, len(PAY_STEPS))
    return range(PAY_STEPS.index(int(cell.removeprefix("le:"))) + 1)


def _pay_columns(
    populations: dict[str, int], appointed: int, planned: dict[str, bool]
) -> dict[str, str]:
    """Which starting-pay columns of a unit are released, each with the name its cell keys
    are offset by. HR knows every appointee's salary, so each column's population (everyone
    in it, all groups together) is known to them, as a stage's is. A column is released only
    where the year's plan released it (``planned``: at least the minimum population, and no
    other unit's same column a few known people away: ``disclosure.decide``), and only if it
    is at least the minimum apart from every other column of the unit released and from the
    unit's appointments. Otherwise a column of one known person, shown as 10 in one group,
    would name that person's group. Those above the bottom are everyone less those at the
    bottom, so they are released only with that column.

    Columns holding the same people (the same population, the columns being nested) share
    one offset (the same people, the same figure); all the appointees take the funnel's
    appointed column's."""
    least = disclosure.minimum()
    total = populations["le:1000"]

    def apart(a: int, b: int) -> bool:
        return a == b or abs(a - b) >= least

    if not total or not planned.get("pay:le:1000") or not apart(total, appointed):
        return {}
    offsets = {appointed: "appointed", total: "appointed" if total == appointed else "pay:le:1000"}
    columns = {"le:1000": offsets[total]}
    for step in reversed(PAY_STEPS[:-1]):
        cell = f"le:{step}"
        population = populations[cell]
        if population == 0:
            columns[cell] = f"pay:{cell}"  # empty: every cell of it is withheld anyway
        elif population in offsets:
            columns[cell] = offsets[population]
        elif planned.get(f"pay:{cell}") and all(apart(population, p) for p in offsets):
            offsets[population] = columns[cell] = f"pay:{cell}"
    above = populations["above_bottom"]
    if above == total:
        columns["above_bottom"] = columns["le:1000"]
    elif "le:0" in columns:
        columns["above_bottom"] = "pay:above_bottom"
    return columns


@dataclass
class PayCells:
    """The true counts and record-key sums of one characteristic's appointees by where their
    salary sits in its range (one bucket per step of ``PAY_STEPS``, and one for no salary
    recorded), which of the unit's columns are released (``columns``, with the name of each
    one's offset), and the one way out: ``value``, which perturbs a cell (or a union of
    groups' cells) of a released column by its cell key and withholds the rest."""

    selection: Selection
    counts: dict[str, list[int]]
    keys: dict[str, list[int]]
    columns: dict[str, str] = field(default_factory=dict)

    def released(self, cell: str) -> bool:
        return cell in self.columns

    def value(self, groups: Sequence[str], cell: str) -> int | None:
        if not self.selection.released["appointed"] or cell not in self.columns:
            return None
        empty = [0] * (len(PAY_STEPS) + 1)
        buckets = _buckets(cell)
        count = sum(self.counts.get(g, empty)[b] for g in groups for b in buckets)
        key = sum(self.keys.get(g, empty)[b] for g in groups for b in buckets)
        return disclosure.perturb(count, key + self.selection.salt(self.columns[cell]))


def pay_cells(characteristic: str, selection: Selection) -> PayCells:
    """One grouped scan of the selection's appointees: per group and step of the range (or no
    salary recorded), the count and the sum of their record keys' appointment byte (the byte
    their appointment is counted with)."""
    if not selection.released["appointed"]:
        return PayCells(selection, {}, {})
    source = (
        EqualityAnswers.objects.filter(selection.scope())
        if selection.published_year is None
        else PublishedEqualityAnswers.objects.filter(selection.published_scope())
    )
    bucket = Case(
        When(pay_position__isnull=True, then=Value(_NO_PAY)),
        *[When(pay_position__lte=step, then=Value(index)) for index, step in enumerate(PAY_STEPS)],
        output_field=IntegerField(),
    )
    byte = F("record_key").bitrightshift(disclosure.stage_key_shift(_APPOINTED)).bitand(255)
    rows = (
        source.filter(furthest_stage="appointed")
        .annotate(group=_group_expression(characteristic), bucket=bucket)
        .values("group", "bucket")
        .annotate(n=Count("id"), k=Sum(byte))
        .order_by()
    )
    counts: dict[str, list[int]] = {}
    keys: dict[str, list[int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        group, index = values["group"], values["bucket"]
        counts.setdefault(group, [0] * (len(PAY_STEPS) + 1))[index] += values["n"]
        keys.setdefault(group, [0] * (len(PAY_STEPS) + 1))[index] += int(values["k"] or 0)
    everyone = [sum(c[i] for c in counts.values()) for i in range(len(PAY_STEPS) + 1)]
    populations = {cell: sum(everyone[b] for b in _buckets(cell)) for cell in PAY_CELLS}
    columns = _pay_columns(populations, sum(everyone), selection.pay_released)
    return PayCells(selection, counts, keys, columns)
