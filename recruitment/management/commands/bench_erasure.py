"""Erasure at scale: synthetic campaigns past their retention period, erased by the same code
the nightly task runs, with the statistics compared before and after (make bench-erasure).

Every synthetic application gets evidence and every twentieth an adjustment request, so the
erasure has real rows to remove. Exits non-zero if any statistic changed."""

import random
import time
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from adjustments.models import AdjustmentRequest
from recruitment.models import Application, Evidence
from recruitment.monitoring import groups, release, statistics, years
from recruitment.monitoring.presets import PRESETS
from recruitment.privacy import retention
from vacancies.models import Criterion, Vacancy, VacancyStatus


def _statistics() -> dict[str, Any]:
    """Every published funnel of every reporting year, organisation-wide."""
    preset = PRESETS["nhs"]
    return {
        f"{status.year.key} {c}": asdict(
            statistics.funnel(c, preset, release.select(period=status.year.key))
        )
        for status in years.reporting_years()
        for c in groups.CHARACTERISTICS
    }


class Command(BaseCommand):
    help = "Generate ended synthetic campaigns and time their erasure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        n, seed = options["applications"], options["seed"]
        prefix = f"syn{seed}-"
        if Vacancy.objects.filter(reference__startswith=prefix).exists():
            raise CommandError(f"synthetic data with seed {seed} exists: use an empty database")
        call_command("generate_synthetic", applications=n, seed=seed, stdout=self.stdout)
        started = time.perf_counter()
        self._personal_data(prefix)
        self.stdout.write(f"Added evidence and adjustments in {time.perf_counter() - started:.1f}s")

        before = _statistics()
        erased_at = time.perf_counter()
        applications = {
            pk: retention.erase_vacancy_applications(pk)
            for pk in retention.vacancies_due().values_list("pk", flat=True)
        }
        applications_s = time.perf_counter() - erased_at
        accounts_at = time.perf_counter()
        accounts = sum(
            len(retention.erase_candidate_accounts(chunk))
            for chunk in retention.chunked(
                list(retention.candidates_due().values_list("pk", flat=True))
            )
        )
        accounts_s = time.perf_counter() - accounts_at
        again_at = time.perf_counter()
        second = retention.erase_due()
        again_s = time.perf_counter() - again_at
        same = _statistics() == before

        erased = sum(applications.values())
        left = Application.objects.filter(vacancy__reference__startswith=prefix, erased_at=None)
        rows = [
            ("database", connection.vendor),
            ("retention period", f"{settings.RETENTION_MONTHS} months"),
            ("campaigns erased", f"{len(applications):,}"),
            ("applications erased", f"{erased:,} in {applications_s:.1f}s"),
            ("rate", f"{erased / applications_s:,.0f} applications/s" if applications_s else "-"),
            ("candidate accounts deleted", f"{accounts:,} in {accounts_s:.1f}s"),
            ("second run", f"{second} in {again_s:.2f}s"),
            ("applications left with personal data", f"{left.count():,}"),
            ("statistics identical before and after", "yes" if same else "NO"),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:>40}: {value}")
        if not same or left.exists() or second != {"applications": {}, "accounts": []}:
            raise CommandError("erasure changed the statistics or left personal data behind")

    def _personal_data(self, prefix: str) -> None:
        """Evidence for every application, an adjustment request for one in twenty, and the
        campaigns filled longer ago than the retention period (with their candidates'
        accounts unused since)."""
        rng = random.Random(prefix)  # noqa: S311 - test data, not security
        ended = timezone.now() - relativedelta(months=settings.RETENTION_MONTHS) - timedelta(days=1)
        vacancies = Vacancy.objects.filter(reference__startswith=prefix)
        with transaction.atomic():
            criteria = Criterion.objects.bulk_create(
                Criterion(vacancy=v, kind="essential", text="Synthetic criterion")
                for v in vacancies
            )
            by_vacancy = {c.vacancy_id: c.pk for c in criteria}
            vacancies.update(status=VacancyStatus.FILLED, ended_at=ended)
            User.objects.filter(username__startswith=prefix).update(
                last_login=ended, date_joined=ended
            )
        ids = Application.objects.filter(vacancy__in=vacancies).values_list("pk", "vacancy_id")
        batch: list[tuple[int, int]] = []
        for row in ids.iterator(chunk_size=20_000):
            batch.append(row)
            if len(batch) == 20_000:
                self._write(batch, by_vacancy, rng)
                batch = []
        if batch:
            self._write(batch, by_vacancy, rng)

    def _write(
        self, rows: list[tuple[int, int]], by_vacancy: dict[int, int], rng: random.Random
    ) -> None:
        with transaction.atomic():
            Evidence.objects.bulk_create(
                Evidence(application_id=a, criterion_id=by_vacancy[v], text="Synthetic evidence.")
                for a, v in rows
            )
            AdjustmentRequest.objects.bulk_create(
                AdjustmentRequest(
                    application_id=a,
                    stage="interview",
                    category="extra_time",
                    details="Synthetic request.",
                    state=rng.choice(["agreed", "declined", "in_place"]),
                )
                for a, _ in rows
                if a % 20 == 0
            )
