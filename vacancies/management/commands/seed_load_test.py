"""Open vacancies for the API load test (``make bench-load``, bench/locustfile.py).

Makes an HR user and a hiring manager (no usable password: nobody logs in as them) and
``--vacancies`` open vacancies, each with two essential criteria and one desirable, through
the services. Idempotent by reference: run it again and only missing vacancies are added."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from vacancies import services
from vacancies.models import Vacancy


def _staff(username: str, role: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "full_name": full_name, "email": f"{username}@example.gov.uk"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Add open vacancies for the API load test (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vacancies", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        hr = _staff("load-hr", Role.HR, "Load Test HR")
        manager = _staff("load-manager", Role.HIRING_MANAGER, "Load Test Manager")
        existing = set(
            Vacancy.objects.filter(reference__startswith="LOAD-").values_list(
                "reference", flat=True
            )
        )
        added = 0
        for n in range(1, options["vacancies"] + 1):
            reference = f"LOAD-{n:05d}"
            if reference in existing:
                continue
            data = services.VacancyInput(
                title=f"Caseworker {n}",
                reference=reference,
                department=("Housing", "Children's Services", "Environment", "Finance")[n % 4],
                grade=("P1", "P2", "P3")[n % 3],
                location=("Cambridge", "Ely", "Huntingdon")[n % 3],
                description="Casework with residents, partners and other teams.",
                salary_min=30000,
                salary_max=36000,
                closing_date=timezone.now() + timedelta(days=365),
                hiring_manager=manager,
                panel=[],
                criteria=[
                    services.CriterionInput("essential", "Experience of casework"),
                    services.CriterionInput("essential", "Clear written communication"),
                    services.CriterionInput("desirable", "Knowledge of housing law"),
                ],
                interview_guarantees=["disability_confident", "care_leaver"],
            )
            with transaction.atomic():
                vacancy = services.vacancy_create(by=hr, data=data)
                services.vacancy_publish(vacancy_id=vacancy.pk, by=hr)
            added += 1
        total = Vacancy.objects.filter(reference__startswith="LOAD-", status="open").count()
        self.stdout.write(f"Load-test vacancies: {added} added, {total} open.")
