"""Reporting years: a year is decided once (its release plan stored and its rows copied) and
then never recomputed, so that running a filter again gives the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from recruitment.models import (
    EQUALITY_QUESTIONS,
    DecidedYear,
    EqualityAnswers,
    PublishedEqualityAnswers,
    ReleaseDecision,
)
from recruitment.monitoring import disclosure
from recruitment.monitoring.disclosure import Period
from recruitment.monitoring.groups import PAY_STAGES, PAY_STEPS, STAGES
from vacancies.models import Vacancy

#: The plan's columns: the funnel's stages, then the starting-pay columns.
PLAN_COLUMNS = [*STAGES, *PAY_STAGES]

# --- Reporting years, units and the stored release plan ---------------------------------------

FINISHED = ("filled", "cancelled")


def _reached(stage_index: int) -> Q:
    return Q(furthest_stage__in=STAGES[stage_index:])


def _stage_counts_by_vacancy(year: DecidedYear) -> dict[int, tuple[int, ...]]:
    """vacancy → how many reached each stage, in a decided year's copy. One grouped query."""
    rows = (
        PublishedEqualityAnswers.objects.filter(year=year)
        .values("vacancy_id")
        .annotate(
            **{f"n{i}": Count("id", filter=_reached(i)) for i in range(len(STAGES))},
            # Appointees paid at most each step up their range (the starting-pay columns).
            **{
                f"p{i}": Count("id", filter=Q(furthest_stage="appointed", pay_position__lte=step))
                for i, step in enumerate(PAY_STEPS)
            },
        )
        .order_by()
    )
    counts: dict[int, tuple[int, ...]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        counts[values["vacancy_id"]] = tuple(values[f"n{i}"] for i in range(len(STAGES))) + tuple(
            values[f"p{i}"] for i in range(len(PAY_STEPS))
        )
    return counts


#: The monitoring row's columns the published copy keeps (no link to an application).
COPIED = ["vacancy_id", "furthest_stage", *EQUALITY_QUESTIONS, "pay_position", "record_key"]


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
            f"{self.year.label} waits for {len(self.unfinished)} "
            f"campaign{'' if len(self.unfinished) == 1 else 's'} to be filled or "
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
            counts = {v.pk: found.get(v.pk, (0,) * len(PLAN_COLUMNS)) for v in vacancies}
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
            # The starting-pay columns are decided as the stages are: each unit's at least the
            # minimum, and none a few known people away from another unit's.
            decisions = disclosure.decide(units, counts, len(PLAN_COLUMNS))
            position = {unit: i for i, unit in enumerate(units)}
            ReleaseDecision.objects.bulk_create(
                ReleaseDecision(
                    year=decided,
                    period=d.unit.period,
                    kind=d.unit.kind,
                    key=d.unit.key,
                    label=d.unit.label,
                    position=position[d.unit],
                    stage=PLAN_COLUMNS[d.stage],
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
