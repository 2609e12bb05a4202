"""Build a realistic synthetic population for benchmarks: vacancies, candidates, applications
with the stage each reached, and equality answers at realistic rates. Bulk inserts only.

    python manage.py generate_synthetic --applications 1000000 --seed 1

Rates are illustrative, close to Census 2021 England and Wales for the answers, with about 7%
not answering and 3% preferring not to say, and a built-in disparity at shortlisting (white
candidates shortlisted a little more often) so that relative likelihood has something to find.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from recruitment.models import EQUALITY_QUESTIONS, Application, EqualityAnswers, Stage
from recruitment.monitoring import disclosure
from vacancies.models import Vacancy, VacancyStatus

ETHNICITY = [
    ("white_british", 74.4),
    ("white_irish", 0.9),
    ("white_gypsy_irish_traveller", 0.1),
    ("white_roma", 0.2),
    ("white_other", 6.2),
    ("mixed_white_black_caribbean", 0.9),
    ("mixed_white_black_african", 0.4),
    ("mixed_white_asian", 0.8),
    ("mixed_other", 0.8),
    ("asian_indian", 3.1),
    ("asian_pakistani", 2.7),
    ("asian_bangladeshi", 1.1),
    ("asian_chinese", 0.7),
    ("asian_other", 1.6),
    ("black_caribbean", 1.0),
    ("black_african", 2.5),
    ("black_other", 0.5),
    ("other_arab", 0.6),
    ("other_any", 1.6),
]
WEIGHTS: dict[str, list[tuple[str, float]]] = {
    "ethnicity": ETHNICITY,
    "sex": [("female", 51), ("male", 49)],
    "gender_identity_same": [("yes", 99.5), ("no", 0.5)],
    "sexual_orientation": [("straight", 89), ("gay_or_lesbian", 5), ("bisexual", 4), ("other", 2)],
    "religion": [
        ("no_religion", 37),
        ("christian", 46),
        ("buddhist", 0.5),
        ("hindu", 1.7),
        ("jewish", 0.5),
        ("muslim", 6.5),
        ("sikh", 0.9),
        ("other", 0.6),
    ],
    "disability_condition": [("yes", 24), ("no", 76)],
    "age_band": [
        ("16-24", 12),
        ("25-34", 27),
        ("35-44", 25),
        ("45-54", 20),
        ("55-64", 13),
        ("65+", 3),
    ],
}
DEPARTMENTS = [
    "Children's Services",
    "Adult Social Care",
    "Environment",
    "Finance",
    "Housing",
    "Planning",
    "Public Health",
    "Highways",
]
GRADES = ["S1", "S2", "P1", "P2", "P3", "SO1", "PO1", "M1"]
#: Each grade's advertised range (a council's pay spine, roughly).
GRADE_PAY = {
    "S1": (23_500, 25_000), "S2": (25_500, 27_300), "P1": (28_000, 30_500),
    "P2": (31_000, 33_900), "P3": (34_500, 37_900), "SO1": (38_200, 41_500),
    "PO1": (42_000, 46_100), "M1": (48_000, 54_800),
}  # fmt: skip


def _pick(rng: random.Random, options: list[tuple[str, float]]) -> str:
    roll = rng.random() * 100
    for value, weight in options:
        roll -= weight
        if roll <= 0:
            return value
    return options[-1][0]


def _answers(rng: random.Random) -> dict[str, str]:
    answers: dict[str, str] = {}
    for question in EQUALITY_QUESTIONS:
        roll = rng.random()
        if roll < 0.07:
            continue  # not answered
        if roll < 0.10:
            answers[question] = "prefer_not_to_say"
        elif question == "disability_impact":
            if answers.get("disability_condition") == "yes":
                answers[question] = _pick(
                    rng, [("a_lot", 30), ("a_little", 45), ("not_at_all", 25)]
                )
        else:
            answers[question] = _pick(rng, WEIGHTS[question])
    return answers


def _pay_position(rng: random.Random, answers: dict[str, str], stage: str) -> int | None:
    """Where an offer's salary sits in its range (thousandths), for those offered or
    appointed: most start at the bottom; men and White applicants a little more often above
    it, so that the starting-pay report has a gap to show."""
    if stage not in (Stage.OFFERED, Stage.APPOINTED):
        return None
    above = 0.3
    above += 0.1 if answers.get("sex") == "male" else 0.0
    above += 0.1 if answers.get("ethnicity", "").startswith("white_") else 0.0
    if rng.random() >= above:
        return 0
    return rng.randint(1, 1000)


def _furthest(rng: random.Random, answers: dict[str, str]) -> str:
    white = answers.get("ethnicity", "").startswith("white_")
    if rng.random() > (0.17 if white else 0.13):
        return Stage.APPLIED
    if rng.random() > 0.7:
        return Stage.SHORTLISTED
    if rng.random() > 0.3:
        return Stage.INTERVIEWED
    return Stage.OFFERED if rng.random() < 0.1 else Stage.APPOINTED


class Command(BaseCommand):
    help = "Bulk-insert a synthetic population of applications (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--per-vacancy", type=int, default=500)
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument(
            "--year",
            default="",
            help="The reporting year the campaigns closed in (e.g. 2025-26); default: the last "
            "one that has ended. The campaigns are filled, so the year can be published.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total, seed = options["applications"], options["seed"]
        per_vacancy, batch = options["per_vacancy"], options["batch"]
        if total < 1 or per_vacancy < 1 or batch < 1:
            self.stderr.write("--applications, --per-vacancy and --batch must be positive")
            return
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        # Its own generator, so that adding pay moved nothing else the seed makes.
        pay_rng = random.Random(seed * 7919 + 1)  # noqa: S311
        started = time.monotonic()
        prefix = f"syn{seed}-"
        manager, _ = User.objects.get_or_create(
            username=f"{prefix}manager",
            defaults={
                "email": f"{prefix}manager@example.org",
                "full_name": "Synthetic Manager",
                "role": Role.HIRING_MANAGER,
            },
        )
        vacancies_needed = -(-total // per_vacancy)
        now = timezone.now()
        year = (
            disclosure.parse_period(options["year"])
            if options["year"]
            else disclosure.Period(disclosure.period_of(now).year - 1)
        )
        span = int((min(year.end, now) - year.start).total_seconds()) - 1

        def closed() -> datetime:
            return year.start + timedelta(seconds=rng.randint(0, span))

        closing = [closed() for _ in range(vacancies_needed)]
        with transaction.atomic():
            vacancies = Vacancy.objects.bulk_create(
                Vacancy(
                    title=f"Synthetic post {i}",
                    reference=f"{prefix}{i:06d}",
                    department=rng.choice(DEPARTMENTS),
                    grade=(grade := rng.choice(GRADES)),
                    location="Synthetic",
                    description="Synthetic vacancy for benchmarks.",
                    salary_min=GRADE_PAY[grade][0],
                    salary_max=GRADE_PAY[grade][1],
                    closing_date=closing[i],
                    closed_at=closing[i],
                    ended_at=min(closing[i] + timedelta(days=30), now),
                    sift_completed_at=min(closing[i] + timedelta(days=7), now),
                    hiring_manager=manager,
                    created_by=manager,
                    status=VacancyStatus.FILLED,
                )
                for i in range(vacancies_needed)
            )
        # Candidates apply to several vacancies each, as people do.
        # At least one candidate per application of a vacancy: one application each.
        candidates_needed = max(min(total, per_vacancy), total // 5)
        made = 0
        candidate_ids: list[int] = []
        while made < candidates_needed:
            size = min(batch, candidates_needed - made)
            with transaction.atomic():
                users = User.objects.bulk_create(
                    User(
                        username=f"{prefix}c{made + i}",
                        email=f"{prefix}c{made + i}@example.org",
                        full_name="Synthetic Candidate",
                        role=Role.CANDIDATE,
                        password="!",  # noqa: S106 - Django's unusable-password marker
                    )
                    for i in range(size)
                )
            candidate_ids += [u.pk for u in users]
            made += size
        written = 0
        while written < total:
            size = min(batch, total - written)
            rows = []
            for k in range(written, written + size):
                answers = _answers(rng)
                vacancy = vacancies[k // per_vacancy]
                rows.append(
                    (
                        vacancy.pk,
                        candidate_ids[k % candidates_needed],
                        answers,
                        _furthest(rng, answers),
                        k,
                    )
                )
            with transaction.atomic():
                apps = Application.objects.bulk_create(
                    Application(
                        vacancy_id=v,
                        candidate_id=c,
                        statement="Synthetic.",
                        reference=f"S{seed}-{k:09d}",
                        furthest_stage=stage,
                    )
                    for v, c, _, stage, k in rows
                )
                EqualityAnswers.objects.bulk_create(
                    EqualityAnswers(
                        application=a,
                        vacancy_id=row[0],
                        furthest_stage=row[3],
                        pay_position=_pay_position(pay_rng, row[2], row[3]),
                        **row[2],
                    )
                    for a, row in zip(apps, rows, strict=True)
                )
            written += size
            self.stdout.write(f"  {written:,} / {total:,} applications", ending="\r")
            self.stdout.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"\nGenerated {total:,} applications to {vacancies_needed:,} vacancies from "
                f"{candidates_needed:,} candidates in {time.monotonic() - started:.1f}s."
            )
        )
