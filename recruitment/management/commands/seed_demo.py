"""A realistic demo: staff, candidates, an open vacancy and a closed one mid-sift, and last
reporting year's finished campaigns so that the equality monitoring has published figures.

Idempotent: users and vacancies are looked up by username and reference, and anything that
already exists is left as it is. Every change to the live campaigns goes through the
services; last year's history is bulk-made by ``generate_synthetic`` (no one signs in as
those candidates)."""

import io
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import ReviewerGrant, Role, User
from accounts.services import reviewer_grant, user_create
from recruitment.applications import services as recruitment
from recruitment.interviews import services as interviews
from recruitment.models import Application
from recruitment.scoring import decisions, services
from vacancies import services as vacancies
from vacancies.forms import LONDON
from vacancies.models import Vacancy

HISTORY_SEED = 2026
PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo on purpose

USERS = [
    ("hr", Role.HR, "Priya Shah"),
    ("manager", Role.HIRING_MANAGER, "Sam Okafor"),
    ("panel1", Role.PANEL_MEMBER, "Alex Morgan"),
    ("panel2", Role.PANEL_MEMBER, "Jo Chen"),
    ("amara", Role.CANDIDATE, "Amara Mensah"),
    ("ben", Role.CANDIDATE, "Ben Hughes"),
    ("chloe", Role.CANDIDATE, "Chloe Davies"),
    ("dev", Role.CANDIDATE, "Dev Patel"),
    ("reviewer", Role.NETWORK_REVIEWER, "Robin Ali"),
]


class Command(BaseCommand):
    help = "Load demo users, vacancies and applications (idempotent) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        users = {username: self._user(username, role, name) for username, role, name in USERS}
        with transaction.atomic():
            self._open_vacancy(users)
            self._closed_vacancy(users)
            self._ready_to_offer(users)
        self._history()
        if not ReviewerGrant.objects.live().filter(user=users["reviewer"]).exists():
            # A staff network reviewer with live access (HR's grant, the default 90 days).
            reviewer_grant(
                by=users["hr"],
                full_name="Robin Ali",
                email=users["reviewer"].email,
                network="Disabled staff network",
            )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {PASSWORD}):")
        )
        for username, role, name in USERS:
            self.stdout.write(f"  {username:<10} {role:<16} {name}")

    def _history(self) -> None:
        """Last reporting year: 5,000 applications to 50 filled campaigns of 100 across the
        departments, enough for the organisation's figures, many departments' and grade
        bands', and the campaigns' own to be published, rates included."""
        if Vacancy.objects.filter(reference__startswith=f"syn{HISTORY_SEED}-").exists():
            return
        call_command(
            "generate_synthetic",
            applications=5000,
            per_vacancy=100,
            seed=HISTORY_SEED,
            stdout=io.StringIO(),
        )
        self.stdout.write("Last reporting year: 5,000 applications to 50 finished campaigns.")

    def _user(self, username: str, role: str, name: str) -> User:
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing
        return user_create(
            username=username,
            email=f"{username}@example.gov.uk",
            password=PASSWORD,
            full_name=name,
            role=role,
            email_confirmed=True,  # the demo's people receive their messages
        )

    def _vacancy(self, users: dict[str, User], **fields: Any) -> tuple[Vacancy, bool]:
        existing = Vacancy.objects.filter(reference=fields["reference"]).first()
        if existing:
            return existing, False
        data = vacancies.VacancyInput(
            hiring_manager=users["manager"],
            panel=[users["panel1"], users["panel2"]],
            # At 11:59pm London time, as every closing date set on the vacancy form.
            closing_date=datetime.combine(
                timezone.localdate() + timedelta(days=30), time(23, 59), tzinfo=LONDON
            ),
            **fields,
        )
        vacancy = vacancies.vacancy_create(by=users["hr"], data=data)
        return vacancies.vacancy_publish(vacancy_id=vacancy.pk, by=users["hr"]), True

    def _open_vacancy(self, users: dict[str, User]) -> None:
        vacancy, created = self._vacancy(
            users,
            title="Senior Social Worker",
            reference="SW-2026-014",
            department="Children's Services",
            grade="P3",
            location="Cambridge",
            description="Lead complex child-protection casework in a supportive team.",
            salary_min=41000,
            salary_max=45000,
            criteria=[
                vacancies.CriterionInput("essential", "Social Work England registration"),
                vacancies.CriterionInput("essential", "Experience of child-protection casework"),
                vacancies.CriterionInput("desirable", "Experience of court work"),
            ],
            interview_guarantees=["disability_confident", "care_leaver", "armed_forces"],
            positive_action=vacancies.PositiveActionInput(
                characteristic="ethnicity_group",
                groups=["asian", "black", "mixed", "other"],
                evidence="22% of officers at this grade vs 38% of the local working-age "
                "population (2025 workforce report)",
            ),
        )
        if created:
            criteria = list(vacancy.criteria.all())
            recruitment.application_submit(
                candidate=users["amara"],
                vacancy=vacancy,
                statement="Eight years in child protection, the last three as a senior.",
                evidence=[recruitment.EvidenceInput(c.pk, "See statement.") for c in criteria],
                interview_guarantee="disability_confident",
                equality={"ethnicity": "black_african", "sex": "female", "age_band": "35-44"},
            )

    def _closed_vacancy(self, users: dict[str, User]) -> None:
        vacancy, created = self._vacancy(
            users,
            title="Environmental Health Officer",
            reference="EH-2026-003",
            department="Environment",
            grade="P2",
            location="Ely",
            description="Food safety inspections and public-health investigations.",
            salary_min=35000,
            salary_max=39000,
            criteria=[
                vacancies.CriterionInput("essential", "EHRB registration or eligibility"),
                vacancies.CriterionInput("essential", "Food hygiene inspection experience"),
                vacancies.CriterionInput("desirable", "Full driving licence"),
            ],
            interview_guarantees=["disability_confident", "armed_forces"],
        )
        if not created:
            return
        criteria = list(vacancy.criteria.all())
        submitted: list[Application] = []
        for name, scheme, statement in [
            ("ben", None, "Five years inspecting food premises for a district council."),
            ("chloe", "disability_confident", "Recently qualified, placement in food safety."),
            ("dev", "armed_forces", "Former Army environmental health technician."),
        ]:
            submitted.append(
                recruitment.application_submit(
                    candidate=users[name],
                    vacancy=vacancy,
                    statement=statement,
                    evidence=[recruitment.EvidenceInput(c.pk, "See statement.") for c in criteria],
                    interview_guarantee=scheme,
                    equality={"sex": "male" if name != "chloe" else "female"},
                )
            )
        vacancies.vacancy_close(vacancy_id=vacancy.pk, by=users["hr"], reason="Demo: closed early")
        # Ben and Chloe are scored and agreed, Ben shortlisted and Chloe not (on merit). She
        # declared a scheme and meets the minimum criteria, so completing the sift invites
        # her. Dev is still waiting for his sift.
        for application, agreed in [(submitted[0], [3, 3, 2]), (submitted[1], [2, 2, 1])]:
            self._scored(users, application, criteria, "shortlisting", agreed)
        recruitment.application_shortlist(application_id=submitted[0].pk, by=users["manager"])
        # Chloe is not shortlisted on merit (fewer marks than Ben): completing the sift
        # invites her under the guarantee she declared, as she meets the minimum criteria.
        recruitment.application_reject(
            application_id=submitted[1].pk,
            by=users["manager"],
            reason="Fewer marks on the essential criteria than the candidates shortlisted.",
        )
        recruitment.application_schedule_interview(
            application_id=submitted[0].pk,
            by=users["manager"],
            interview_at=(timezone.now() + timedelta(days=2)).replace(
                hour=10, minute=0, second=0, microsecond=0
            ),
        )
        self._adjustments(users, submitted)
        self._interview_slots(users, vacancy)

    def _ready_to_offer(self, users: dict[str, User]) -> None:
        """A campaign run through to the offer: Ben and Dev applied, Ben was shortlisted on
        merit and interviewed (the interview's time moved into the past, demo data only),
        the interview scores agreed; the chair can offer him the job, with the salary."""
        vacancy, created = self._vacancy(
            users,
            title="Planning Officer",
            reference="PL-2026-004",
            department="Planning",
            grade="P1",
            location="Ely",
            description="Householder and minor planning applications, from validation to decision.",
            salary_min=31000,
            salary_max=34500,
            criteria=[
                vacancies.CriterionInput("essential", "A degree in planning or a related subject"),
                vacancies.CriterionInput("essential", "Writing clear reports for committee"),
            ],
            interview_guarantees=[],
        )
        if not created:
            return
        criteria = list(vacancy.criteria.all())
        ben, dev = (
            recruitment.application_submit(
                candidate=users[name],
                vacancy=vacancy,
                statement=statement,
                evidence=[recruitment.EvidenceInput(c.pk, "See statement.") for c in criteria],
                interview_guarantee=None,
                equality={"sex": "male"},
            )
            for name, statement in [
                ("ben", "Two years as a planning assistant at a district council."),
                ("dev", "Town planning graduate."),
            ]
        )
        vacancies.vacancy_close(vacancy_id=vacancy.pk, by=users["hr"], reason="Demo: closed early")
        manager = users["manager"]

        self._scored(users, ben, criteria, "shortlisting", [3, 3])
        self._scored(users, dev, criteria, "shortlisting", [2, 1])
        recruitment.application_shortlist(application_id=ben.pk, by=manager)
        recruitment.application_reject(
            application_id=dev.pk, by=manager, reason="Fewer marks on the essential criteria."
        )
        decisions.sift_complete(vacancy_id=vacancy.pk, by=manager, confirm=True)
        recruitment.application_schedule_interview(
            application_id=ben.pk, by=manager, interview_at=timezone.now() + timedelta(hours=1)
        )
        # Demo data only: the interview took place yesterday.
        Application.objects.filter(pk=ben.pk).update(
            interview_at=timezone.now() - timedelta(days=1)
        )
        recruitment.application_record_interview(application_id=ben.pk, by=manager)
        self._scored(users, ben, criteria, "interview", [3, 2])

    def _scored(
        self,
        users: dict[str, User],
        application: Application,
        criteria: list[Any],
        stage: str,
        marks: list[int],
    ) -> None:
        """Both panel members score ``marks``, and the chair agrees them."""
        chosen = [services.ScoreInput(c.pk, m) for c, m in zip(criteria, marks, strict=True)]
        for member in ("panel1", "panel2"):
            services.scores_submit(
                application_id=application.pk, by=users[member], stage=stage, scores=chosen
            )
        services.agreed_scores_set(
            application_id=application.pk, by=users["manager"], stage=stage, scores=chosen,
            note="Agreed at moderation.",
        )  # fmt: skip

    def _interview_slots(self, users: dict[str, User], vacancy: Vacancy) -> None:
        """Slots the invited candidates book once the sift is complete: a morning of
        in-person slots at an accessible venue three days ahead, and an afternoon of video
        slots after communication support's lead time (so Ben's BSL interpreter can be
        arranged)."""
        panel = [users["manager"].pk, users["panel1"].pk, users["panel2"].pk]
        days = (3, settings.INTERVIEW_SUPPORT_LEAD_DAYS + 2)
        for days_ahead, start, fmt, place, accessible in [
            (days[0], time(9, 30), "in_person", "Committee Room 1, Civic Centre, Ely", True),
            (days[1], time(13, 30), "video", "https://meet.example.org/ehp-interviews", False),
        ]:
            day = timezone.localdate() + timedelta(days=days_ahead)
            interviews.slots_publish(
                vacancy_id=vacancy.pk,
                by=users["manager"],
                run=interviews.SlotRun(
                    starts_at=datetime.combine(day, start, LONDON),
                    minutes=45,
                    format=fmt,
                    place=place,
                    accessible=accessible,
                    panel=panel,
                    count=4,
                    gap=15,
                ),
            )

    def _adjustments(self, users: dict[str, User], submitted: list[Application]) -> None:
        """Ben asks for extra time and a BSL interpreter at interview (one agreed and in
        place, one partly agreed); Chloe asks for the questions in advance (still open)."""
        from adjustments import services as adjustments

        hr = users["hr"]
        extra, _ = adjustments.adjustment_request(
            application=submitted[0],
            by=users["ben"],
            stage="interview",
            category="extra_time",
            details="I need more time to read and answer written questions.",
        )
        adjustments.adjustment_agree(
            adjustment_id=extra.pk, by=hr, arrangement="25% extra time for the written exercise."
        )
        adjustments.adjustment_put_in_place(adjustment_id=extra.pk, by=hr)
        bsl, _ = adjustments.adjustment_request(
            application=submitted[0],
            by=users["ben"],
            stage="interview",
            category="communication_support",
            details="I am Deaf and use British Sign Language.",
        )
        adjustments.adjustment_partially_agree(
            adjustment_id=bsl.pk,
            by=hr,
            arrangement="BSL interpreter booked for the interview.",
            reason="A lipspeaker as well is not available on the day.",
        )
        adjustments.adjustment_request(
            application=submitted[1],
            by=users["chloe"],
            stage="interview",
            category="questions_in_advance",
            details="Seeing the questions in advance helps me prepare my answers.",
        )
