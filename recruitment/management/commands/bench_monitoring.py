"""`make bench`: time the monitoring API against the raw SQL floor on a large population.

For each characteristic: the funnel through the API (HTTP handling, permission, the grouped
query, suppression, JSON), the same funnel as one hand-written SQL GROUP BY (the floor), and
the relative-likelihood endpoint. Each is the median of several runs after a warm-up.
"""

from __future__ import annotations

import platform
import statistics as stats
import time
import warnings
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role, User
from recruitment.models import Application
from recruitment.statistics import CHARACTERISTICS

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


def floor_sql(characteristic: str) -> str:
    group = GROUP_SQL.get(characteristic, f"e.{characteristic}")
    reached = ", ".join(
        f"COUNT(*) FILTER (WHERE e.furthest_stage IN {stages})" for stages in REACHED.values()
    )
    return (
        f"SELECT {group} AS g, COUNT(*), {reached} "  # noqa: S608 - constants only
        "FROM recruitment_equalityanswers e GROUP BY 1"
    )


def timed(action: Any, runs: int) -> float:
    action()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return stats.median(samples)


class Command(BaseCommand):
    help = "Benchmark the monitoring statistics against the raw SQL floor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        # whitenoise warns that collectstatic has not run; static files play no part here.
        warnings.filterwarnings("ignore", message="No directory at")
        if connection.vendor != "postgresql":
            self.stderr.write("The benchmark runs on PostgreSQL: set DATABASE_URL.")
            return
        target, runs = options["applications"], options["runs"]
        have = Application.objects.count()
        if have < target:
            self.stdout.write(f"Generating {target - have:,} synthetic applications (once)...")
            call_command("generate_synthetic", applications=target - have, seed=1000 + have)
        total = Application.objects.count()
        hr, _ = User.objects.get_or_create(
            username="bench-hr",
            defaults={"email": "bench-hr@example.org", "full_name": "Bench", "role": Role.HR},
        )
        client = APIClient()
        client.force_authenticate(hr)

        def api(path: str) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}: {response.content!r}")

        def floor(sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()

        self.stdout.write(
            f"{total:,} applications; PostgreSQL {connection.pg_version // 10000}; "  # type: ignore[attr-defined]
            f"{platform.python_implementation()} {platform.python_version()}; median of {runs}"
        )
        self.stdout.write(f"{'characteristic':<20}{'API ms':>10}{'floor ms':>10}{'ratio':>8}")
        api_total = floor_total = 0.0
        for characteristic in CHARACTERISTICS:
            api_ms = timed(
                lambda c=characteristic: api(f"/api/v1/monitoring/funnel/?characteristic={c}"), runs
            )
            floor_ms = timed(lambda c=characteristic: floor(floor_sql(c)), runs)
            api_total += api_ms
            floor_total += floor_ms
            self.stdout.write(
                f"{characteristic:<20}{api_ms:>10.1f}{floor_ms:>10.1f}{api_ms / floor_ms:>8.2f}"
            )
        self.stdout.write(
            f"{'all characteristics':<20}{api_total:>10.1f}{floor_total:>10.1f}"
            f"{api_total / floor_total:>8.2f}"
        )
        rl_ms = timed(
            lambda: api("/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group"),
            runs,
        )
        self.stdout.write(f"relative likelihood (ethnicity_group) API: {rl_ms:.1f} ms")
