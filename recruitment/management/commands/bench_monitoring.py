"""`make bench`: time the monitoring API against the raw SQL floor on a large population.

The API answers for a releasable unit: by default the whole organisation over the newest
published reporting year, computed from the copy of the year's monitoring rows taken when its
release plan was decided (recruitment/monitoring/statistics.py, docs/disclosure-control.md). For each
characteristic this times the funnel through the API (HTTP handling, permission, the unit and
its stored release plan, the grouped query with a record-key sum per stage, perturbation,
JSON) against the floor: the same people's funnel as one hand-written SQL GROUP BY of the live
monitoring table that only counts each stage. That the two count the same people is checked
exactly first. API and floor runs alternate; each figure is the median of several runs after a
warm-up. The year must really be published (every stage released): anything else fails, since
a withheld answer skips the query and would time nothing.

The first request of a year decides its release plan and copies its rows. To time it, the
command forgets the stored plans and copies first, but only when every campaign in the
database is synthetic (``generate_synthetic``); otherwise it reports the plan as already
decided.
"""

from __future__ import annotations

import logging
import platform
import statistics as stats
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role, User
from recruitment.models import (
    Application,
    DecidedYear,
    EqualityAnswers,
    PublishedEqualityAnswers,
    ReleaseDecision,
)
from recruitment.monitoring import disclosure, release, statistics
from recruitment.monitoring.groups import CHARACTERISTICS, STAGES
from vacancies.models import Vacancy

REACHED = {
    "shortlisted": "('shortlisted','interviewed','offered','appointed')",
    "interviewed": "('interviewed','offered','appointed')",
    "offered": "('offered','appointed')",
    "appointed": "('appointed')",
}

GROUP_SQL = {
    "ethnicity_group": "CASE WHEN e.ethnicity = '' THEN 'not_stated' "
    "WHEN e.ethnicity = 'prefer_not_to_say' THEN 'prefer_not_to_say' "
    "ELSE split_part(e.ethnicity, '_', 1) END",
    "gender_identity": "e.gender_identity_same",
    "disability": "CASE WHEN e.disability_condition = 'yes' AND e.disability_impact IN "
    "('a_lot','a_little') THEN 'disabled' WHEN e.disability_condition = 'no' OR "
    "e.disability_impact = 'not_at_all' THEN 'not_disabled' ELSE e.disability_condition END",
}

#: Where the floor reads: the whole live table, or only the rows whose campaign closed in the
#: period (two parameters: its bounds); and, for the population check, the year's copy.
WHOLE_TABLE = "recruitment_equalityanswers e"
IN_PERIOD = (
    "recruitment_equalityanswers e WHERE e.vacancy_id IN (SELECT v.id FROM vacancies_vacancy v "
    "WHERE v.closed_at >= %s AND v.closed_at < %s)"
)
PUBLISHED_COPY = "recruitment_publishedequalityanswers e WHERE e.year_id = %s"

FUNNEL = "/api/v1/monitoring/funnel/?characteristic="
LIKELIHOOD = "/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group"
STARTING_PAY = "/api/v1/monitoring/starting-pay/?characteristic="


def floor_sql(characteristic: str, source: str = WHOLE_TABLE) -> str:
    """The funnel as one hand-written GROUP BY that counts each stage, nothing else."""
    group = GROUP_SQL.get(characteristic, f"e.{characteristic}")
    reached = ", ".join(
        f"COUNT(*) FILTER (WHERE e.furthest_stage IN {stages})" for stages in REACHED.values()
    )
    return f"SELECT {group} AS g, COUNT(*), {reached} FROM {source} GROUP BY 1"  # noqa: S608 - constants only


def alternating(
    first: Callable[[], Any], second: Callable[[], Any], runs: int
) -> tuple[float, float]:
    """Median milliseconds of each action after one warm-up of each, the two taking turns so
    that a busy moment on a shared machine falls on both alike."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for action, samples in ((first, a), (second, b)):
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
    return stats.median(a), stats.median(b)


def timed(action: Callable[[], Any], runs: int) -> float:
    """Median milliseconds of an action after one warm-up."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return stats.median(samples)


def once(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


class Command(BaseCommand):
    help = "Benchmark the monitoring statistics against the raw SQL floor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        # whitenoise warns that collectstatic has not run; static files play no part here.
        warnings.filterwarnings("ignore", message="No directory at")
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL.")
        target, runs = options["applications"], options["runs"]
        have = Application.objects.count()
        if have < target:
            self.stdout.write(f"Generating {target - have:,} synthetic applications (once)...")
            call_command("generate_synthetic", applications=target - have, seed=1000 + have)
        total = Application.objects.count()
        rows = EqualityAnswers.objects.count()
        hr, _ = User.objects.get_or_create(
            username="bench-hr",
            defaults={"email": "bench-hr@example.org", "full_name": "Bench", "role": Role.HR},
        )
        client = APIClient()
        client.force_authenticate(hr)

        def api(path: str, expect: int = 200) -> dict[str, Any]:
            response = client.get(path)
            if response.status_code != expect:
                raise CommandError(f"{path} answered {response.status_code}: {response.content!r}")
            body: dict[str, Any] = response.json()
            raw = body.get("withheld") or {}
            # Per stage (the funnel's and others'), or one reason (the starting pay's).
            withheld = (
                {stage: why for stage, why in raw.items() if why}
                if isinstance(raw, dict)
                else {"appointed": raw}
            )
            if expect == 200 and withheld:
                raise CommandError(
                    f"{path}: the unit is not published, so the API ran no query and the "
                    f"benchmark would time nothing: {withheld}"
                )
            return body

        self.stdout.write(
            f"{total:,} applications ({rows:,} monitoring rows); "
            f"PostgreSQL {connection.pg_version // 10000}; "  # type: ignore[attr-defined]
            f"{platform.python_implementation()} {platform.python_version()}; "
            f"median of {runs}, API and floor alternating"
        )

        # Once per process, before any figure: the perturbation table and DRF's own start-up
        # (a request refused by validation runs no statistics).
        ptable_ms, _ = once(disclosure.ptable)
        logging.getLogger("django.request").disabled = True  # the expected 400's warning
        api(f"{FUNNEL}none", expect=400)
        logging.getLogger("django.request").disabled = False

        synthetic_only = not Vacancy.objects.exclude(reference__startswith="syn").exists()
        if synthetic_only:  # synthetic campaigns only: forget the plans and copies, decide afresh
            tables = [m._meta.db_table for m in (PublishedEqualityAnswers, ReleaseDecision)]
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(tables)}, {DecidedYear._meta.db_table}")
        undecided = not DecidedYear.objects.exists()
        first_ms, first = once(lambda: api(f"{FUNNEL}{CHARACTERISTICS[0]}"))
        unit = first["unit"]
        if unit["kind"] != disclosure.ORGANISATION:
            raise CommandError(f"The default unit is {unit}, not the organisation.")
        selection = release.select()
        if selection.period.key != unit["period"] or selection.published_year is None:
            raise CommandError(f"The default selection is not the published {unit['period']}.")
        # The steady state: autovacuum analyses (and vacuums) a freshly written copy within
        # about a minute; do it now rather than time the planner without statistics.
        copy = PublishedEqualityAnswers._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {copy}")

        # The floor counts the same people as the API. The API reads the year's copy; the
        # floor reads the live table: the whole of it if the year holds every row, else the
        # rows whose campaign closed in the year. Checked exactly, group by group and stage by
        # stage, before anything is timed.
        population = statistics.population(selection)
        whole_table = population == rows
        source, params = (
            (WHOLE_TABLE, None)
            if whole_table
            else (IN_PERIOD, (selection.period.start, selection.period.end))
        )

        def floor(characteristic: str) -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(floor_sql(characteristic, source), params)
                return cursor.fetchall()

        def copied(characteristic: str) -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(
                    floor_sql(characteristic, PUBLISHED_COPY), [selection.published_year]
                )
                return cursor.fetchall()

        for characteristic in CHARACTERISTICS:
            if sorted(floor(characteristic)) != sorted(copied(characteristic)):
                raise CommandError(
                    f"{characteristic}: the floor and the published copy of "
                    f"{selection.period.key} count different people."
                )

        self.stdout.write(
            f"unit: {unit['label']}, {unit['period_label']}: published, every stage released; "
            f"{population:,} applications in its copy"
            + (
                ", the whole live table: the floor is the plain GROUP BY of the live table"
                if whole_table
                else f" of {rows:,}: the floor keeps those whose campaign closed in the year"
            )
        )
        self.stdout.write(f"perturbation table built: {ptable_ms:.1f} ms (once a process)")
        self.stdout.write(
            f"first request ({CHARACTERISTICS[0]}): {first_ms:,.1f} ms"
            + (
                f", deciding the {unit['period']} release plan and copying its rows"
                if undecided
                else " (plan already decided: not a first request)"
            )
        )
        self.stdout.write("")
        self.stdout.write(f"{'characteristic':<20}{'API ms':>10}{'floor ms':>10}{'ratio':>8}")
        api_total = floor_total = 0.0
        for characteristic in CHARACTERISTICS:
            # Correctness first: the published totals are the floor's within the perturbation.
            body = api(f"{FUNNEL}{characteristic}")
            exact = [sum(r[i + 1] for r in floor(characteristic)) for i in range(len(STAGES))]
            for stage, true in zip(STAGES, exact, strict=True):
                published = body["totals"][stage]
                if published is None or abs(published - true) > max(disclosure.KERNEL):
                    raise CommandError(
                        f"{characteristic} {stage}: the API published {published}, the floor "
                        f"counts {true}: not the same population."
                    )
            api_ms, floor_ms = alternating(
                partial(api, f"{FUNNEL}{characteristic}"),
                partial(floor, characteristic),
                runs,
            )
            api_total += api_ms
            floor_total += floor_ms
            self.stdout.write(
                f"{characteristic:<20}{api_ms:>10.1f}{floor_ms:>10.1f}{api_ms / floor_ms:>8.2f}"
            )
        self.stdout.write(
            f"{'all characteristics':<20}{api_total:>10.1f}{floor_total:>10.1f}"
            f"{api_total / floor_total:>8.2f}"
        )
        rl_ms = timed(lambda: api(LIKELIHOOD), runs)
        self.stdout.write(f"\nrelative likelihood (ethnicity_group) API: {rl_ms:.1f} ms")
        for characteristic in ("ethnicity_group", "sex"):
            body = api(f"{STARTING_PAY}{characteristic}")
            pay_ms = timed(partial(api, f"{STARTING_PAY}{characteristic}"), runs)
            self.stdout.write(
                f"starting pay ({characteristic}) API: {pay_ms:.1f} ms "
                f"(about {body['all']['appointed'] or 0:,} appointees with pay recorded)"
            )
