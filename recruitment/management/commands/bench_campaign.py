"""Fast Stream scale: time a very large campaign's pages and API against the raw SQL floor.

Builds (once, then reuses) closed campaigns of the sizes asked for, with five criteria, two
panel members' scores and the chair's agreed scores for every application, some declarations
and interviews, then times, in the same run and against the same rows:

- the floor: a hand-written SQL ranking (the sum of the agreed scores per application,
  ordered, the first 50);
- the ranking API (first page, and the contract's whole list), the ranking page, the
  vacancy's applications page, the moderation page, the scoring queue and the interview
  schedule (each the first page);
- "shortlist everyone ranked 1 to N" over the top ``--decide`` applications, on a real Celery
  worker killed midway and a second one carrying on (``_decision_bench.py``);

with the number of queries and the bytes of each answer. Run it with ``make bench-campaign``
(PostgreSQL; docs/benchmarks.md has the figures)."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Role, User
from recruitment.management.commands._decision_bench import DecisionBench
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    GuaranteeDeclaration,
    PositiveActionDeclaration,
    Score,
)
from vacancies.models import Criterion, PositiveActionPlan, Vacancy, VacancyStatus

FLOOR_SQL = """
SELECT a.id, SUM(s.score) AS total
FROM recruitment_application a
JOIN recruitment_agreedassessment x ON x.application_id = a.id AND x.stage = 'shortlisting'
JOIN recruitment_agreedscore s ON s.assessment_id = x.id
WHERE a.vacancy_id = %s
GROUP BY a.id
ORDER BY total DESC, a.id
LIMIT 50
"""


class Command(BaseCommand):
    help = "Time a very large campaign's pages and API against a raw SQL ranking (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="20000,65000", help="Campaign sizes, commas.")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--only", default="", help="Measure only the views whose names contain this."
        )
        parser.add_argument(
            "--decide",
            type=int,
            default=1000,
            help="Shortlist this many from the top on a real worker killed midway (0: skip; "
            "needs REDIS_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = [int(s) for s in options["sizes"].split(",") if s.strip()]
        # Django clears the query log as each request starts, and closes the connection
        # (with its log) as each ends: keep both, to count a request's queries.
        request_started.disconnect(reset_queries)
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        chair = self._chair()
        plain = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        self.stdout.write(
            f"{connection.vendor} {getattr(connection, 'pg_version', '')}; "
            f"repeat {options['repeat']} (median, min)"
        )
        with override_settings(STORAGES=plain, DEBUG=False):
            for n in sizes:
                vacancy = self._campaign(n, chair)
                self._measure(vacancy, chair, options["repeat"], options["only"])
                if options["decide"]:
                    DecisionBench(self.stdout, vacancy, chair).run(options["decide"])

    # --- Building ------------------------------------------------------------------------

    def _chair(self) -> User:
        chair, _ = User.objects.get_or_create(
            username="bench-campaign-chair",
            defaults={
                "email": "bench-chair@example.org",
                "full_name": "Bench Chair",
                "role": Role.HIRING_MANAGER,
            },
        )
        return chair

    def _campaign(self, n: int, chair: User) -> Vacancy:
        reference = f"BENCH-FS-{n}"
        existing = Vacancy.objects.filter(reference=reference).first()
        if existing is not None and existing.applications.count() == n:
            self.stdout.write(f"\n{n} applications: campaign {reference} reused")
            return existing
        if existing is not None:
            raise SystemExit(f"{reference} exists with another size: drop the bench database.")
        started = time.perf_counter()
        rng = random.Random(n)  # noqa: S311 - test data, not security
        with transaction.atomic():
            panel = [
                User.objects.get_or_create(
                    username=f"bench-campaign-panel-{i}",
                    defaults={
                        "email": f"bench-panel-{i}@example.org",
                        "full_name": f"Panel Member {i}",
                        "role": Role.PANEL_MEMBER,
                    },
                )[0]
                for i in range(2)
            ]
            vacancy = Vacancy.objects.create(
                title="Fast Stream Graduate",
                reference=reference,
                department="Central Recruitment",
                grade="HEO",
                location="London",
                description="Benchmark campaign.",
                salary_min=32000,
                salary_max=34000,
                closing_date=timezone.now() - timedelta(days=1),
                hiring_manager=chair,
                created_by=chair,
                status=VacancyStatus.CLOSED,
                interview_guarantees=["disability_confident"],
                interview_limit=max(n // 20, 1),
                interview_limit_reason="High-volume campaign: interviews limited for everyone.",
            )
            vacancy.panel.set(panel)
            PositiveActionPlan.objects.create(
                vacancy=vacancy,
                characteristic="ethnicity_group",
                groups=["black"],
                evidence="Benchmark.",
            )
            criteria = Criterion.objects.bulk_create(
                Criterion(
                    vacancy=vacancy,
                    kind="essential" if i < 3 else "desirable",
                    text=f"Criterion {i + 1}",
                    position=i,
                )
                for i in range(5)
            )
            unusable = make_password(None)
            candidates = User.objects.bulk_create(
                (
                    User(
                        username=f"bench-{n}-{i}",
                        email=f"bench-{n}-{i}@example.org",
                        full_name=f"Candidate {i}",
                        password=unusable,
                    )
                    for i in range(n)
                ),
                batch_size=5000,
            )
            applications = Application.objects.bulk_create(
                (
                    Application(
                        vacancy=vacancy,
                        candidate=c,
                        statement="A supporting statement of a few sentences. " * 8,
                    )
                    for c in candidates
                ),
                batch_size=5000,
            )
            Score.objects.bulk_create(
                (
                    Score(
                        application=a,
                        criterion=c,
                        stage="shortlisting",
                        scorer=member,
                        score=rng.randint(0, 4),
                    )
                    for a in applications
                    for member in panel
                    for c in criteria
                ),
                batch_size=10000,
            )
            agreed = AgreedAssessment.objects.bulk_create(
                (
                    AgreedAssessment(application=a, stage="shortlisting", agreed_by=chair)
                    for a in applications
                ),
                batch_size=5000,
            )
            AgreedScore.objects.bulk_create(
                (
                    AgreedScore(assessment=x, criterion=c, score=rng.randint(0, 4))
                    for x in agreed
                    for c in criteria
                ),
                batch_size=10000,
            )
            GuaranteeDeclaration.objects.bulk_create(
                GuaranteeDeclaration(application=a, scheme="disability_confident")
                for a in applications[::10]
            )
            PositiveActionDeclaration.objects.bulk_create(
                PositiveActionDeclaration(application=a) for a in applications[5::10]
            )
            # A day of interviews arranged for the first 200, so the schedule has rows.
            soon = timezone.now() + timedelta(days=7)
            for i, a in enumerate(applications[:200]):
                a.interview_at = soon + timedelta(minutes=30 * i)
            Application.objects.bulk_update(applications[:200], ["interview_at"])
            Application.objects.filter(pk__in=[a.pk for a in applications[:200]]).update(
                state="interview_scheduled", furthest_stage="shortlisted"
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"\n{n} applications: campaign {reference} made in {time.perf_counter() - started:.0f} s"
        )
        return vacancy

    # --- Measuring -----------------------------------------------------------------------

    def _measure(self, vacancy: Vacancy, chair: User, repeat: int, only: str) -> None:
        floor = self._time(repeat, lambda: self._floor(vacancy))
        self.stdout.write(
            f"{'view':<34} {'median ms':>10} {'min ms':>8} {'x floor':>8} {'queries':>8} {'KB':>8}"
        )
        self._row("raw SQL ranking, first 50", floor, floor[0], 1, 0)
        client = Client()
        client.force_login(chair)
        pk = vacancy.pk
        views = {
            "ranking API, first page": f"/api/v1/vacancies/{pk}/ranked-applications/",
            "ranking API, whole list": f"/api/v1/vacancies/{pk}/ranking/",
            "ranking page": f"/staff/vacancies/{pk}/ranking/shortlisting/",
            "applications page": f"/staff/vacancies/{pk}/applications/",
            "moderation page": f"/staff/vacancies/{pk}/moderation/shortlisting/",
            "scoring queue": f"/staff/vacancies/{pk}/scoring/shortlisting/",
            "interview schedule": f"/staff/vacancies/{pk}/interviews/",
        }
        for name, url in views.items():
            if only and only not in name:
                continue
            response = client.get(url)  # warm: the session, the first compile of templates
            if response.status_code != 200:
                self.stdout.write(f"{name}: status {response.status_code}")
                continue
            size = len(response.content)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            # Counted now: the captured list is a slice of the connection's log, read lazily.
            queries = len(captured)
            timing = self._time(repeat, lambda url=url: client.get(url))
            self._row(name, timing, floor[0], queries, size)

    def _row(
        self, name: str, timing: tuple[float, float], floor: float, queries: int, size: int
    ) -> None:
        median, least = timing
        self.stdout.write(
            f"{name:<34} {median * 1000:>10.0f} {least * 1000:>8.0f} {median / floor:>8.1f} "
            f"{queries:>8} {size / 1000:>8.0f}"
        )

    @staticmethod
    def _floor(vacancy: Vacancy) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [vacancy.pk])
            return cursor.fetchall()

    @staticmethod
    def _time(repeat: int, run: Any) -> tuple[float, float]:
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            timings.append(time.perf_counter() - started)
        return statistics.median(timings), min(timings)
