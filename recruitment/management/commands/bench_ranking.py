"""Time the ranking of a large campaign: ``selectors.vacancy_ranking`` and the ranking page.

Everything is made inside a transaction that is rolled back, so the database is left as it
was: run it against the database you want to measure (SQLite by default, or DATABASE_URL)."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Role, User
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    GuaranteeDeclaration,
    PositiveActionDeclaration,
)
from recruitment.scoring import selectors
from vacancies.models import Criterion, PositiveActionPlan, Vacancy, VacancyStatus


class Command(BaseCommand):
    help = (
        "Time the ranking of N applications with agreed scores (selector and page), in a "
        "transaction that is rolled back: nothing is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=5000)
        parser.add_argument("--criteria", type=int, default=5)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--interview-limit", type=int, default=None, help="Also apply an interview limit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            vacancy, chair = self._campaign(
                options["applications"], options["criteria"], options["interview_limit"]
            )
            self._measure(vacancy, chair, options["repeat"])
            transaction.set_rollback(True)

    def _campaign(self, n: int, criteria: int, limit: int | None) -> tuple[Vacancy, User]:
        rng = random.Random(2026)  # noqa: S311 - test data, not security
        started = time.perf_counter()
        chair = User.objects.create(
            username="bench-chair", email="bench-chair@example.org", role=Role.HIRING_MANAGER
        )
        vacancy = Vacancy.objects.create(
            title="Seasonal Care Assistant",
            reference="BENCH-RANKING",
            department="Adult Services",
            grade="S2",
            location="Ely",
            description="Benchmark.",
            salary_min=22000,
            salary_max=24000,
            closing_date=timezone.now() - timedelta(days=1),
            hiring_manager=chair,
            created_by=chair,
            status=VacancyStatus.CLOSED,
            interview_guarantees=["disability_confident"],
            interview_limit=limit,
            interview_limit_reason="Benchmark." if limit else "",
        )
        PositiveActionPlan.objects.create(
            vacancy=vacancy, characteristic="ethnicity_group", groups=["black"], evidence="Bench."
        )
        items = Criterion.objects.bulk_create(
            Criterion(vacancy=vacancy, kind="essential" if i < 3 else "desirable", text=f"C{i}")
            for i in range(criteria)
        )
        unusable = make_password(None)
        candidates = User.objects.bulk_create(
            User(username=f"bench-{i}", email=f"bench-{i}@example.org", password=unusable)
            for i in range(n)
        )
        applications = Application.objects.bulk_create(
            Application(vacancy=vacancy, candidate=c, statement="Bench.") for c in candidates
        )
        agreed = AgreedAssessment.objects.bulk_create(
            AgreedAssessment(application=a, stage="shortlisting", agreed_by=chair)
            for a in applications
        )
        AgreedScore.objects.bulk_create(
            AgreedScore(assessment=x, criterion=c, score=rng.randint(0, 4))
            for x in agreed
            for c in items
        )
        GuaranteeDeclaration.objects.bulk_create(
            GuaranteeDeclaration(application=a, scheme="disability_confident")
            for a in applications[::10]
        )
        PositiveActionDeclaration.objects.bulk_create(
            PositiveActionDeclaration(application=a) for a in applications[5::10]
        )
        self.stdout.write(
            f"{connection.vendor}: {n} applications, {criteria} criteria, "
            f"interview limit {limit}: made in {time.perf_counter() - started:.1f}s"
        )
        return vacancy, chair

    def _measure(self, vacancy: Vacancy, chair: User, repeat: int) -> None:
        timings, queries, groups = [], 0, 0
        for _ in range(repeat):
            fresh = Vacancy.objects.get(pk=vacancy.pk)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                ranked = selectors.vacancy_ranking(fresh, "shortlisting")
                timings.append(time.perf_counter() - started)
            queries = len(captured)
            groups = len({r.tie_group for r in ranked if r.tie_group})
        self.stdout.write(
            f"selectors.vacancy_ranking: median {statistics.median(timings) * 1000:.0f} ms, "
            f"min {min(timings) * 1000:.0f} ms over {repeat} runs; {queries} queries; "
            f"{len(ranked)} ranked, {groups} tie groups"
        )
        client = Client()
        client.force_login(chair)
        url = f"/staff/vacancies/{vacancy.pk}/ranking/shortlisting/"
        # Plain static storage: the page needs no collectstatic manifest to be measured.
        plain = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=plain):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
        self.stdout.write(
            f"ranking page: {elapsed * 1000:.0f} ms, {len(captured)} queries, "
            f"{len(response.content) // 1024} KiB, status {response.status_code}"
        )
