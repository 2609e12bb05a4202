"""Factories for every model. Build through the services where behaviour matters; these make
the starting rows quickly."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Role, User
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    EqualityAnswers,
    Evidence,
    GuaranteeDeclaration,
    PositiveActionDeclaration,
    Score,
)
from vacancies.models import Criterion, PositiveActionPlan, Vacancy, VacancyStatus

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.CANDIDATE
    password = factory.django.Password(PASSWORD)
    #: Confirmed, as most accounts are: the messages go to it (``email_confirmed_at=None``
    #: for one that is not).
    email_confirmed_at = factory.LazyFunction(timezone.now)


class VacancyFactory(factory.django.DjangoModelFactory):
    """An open vacancy with two essential criteria and one desirable."""

    class Meta:
        model = Vacancy
        skip_postgeneration_save = True

    title = "Senior Social Worker"
    reference = factory.Sequence(lambda n: f"SW-2026-{n:03d}")
    department = "Children's Services"
    grade = "P3"
    location = "Cambridge"
    description = "Child protection casework."
    salary_min = 41000
    salary_max = 45000
    closing_date = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    hiring_manager = factory.SubFactory(UserFactory, role=Role.HIRING_MANAGER)
    created_by = factory.SelfAttribute("hiring_manager")
    status = VacancyStatus.OPEN
    interview_guarantees = factory.LazyFunction(
        lambda: ["disability_confident", "care_leaver", "armed_forces"]
    )

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        for i, (kind, text) in enumerate(
            extracted
            or [
                ("essential", "Social Work England registration"),
                ("essential", "Child protection casework"),
                ("desirable", "Court work"),
            ]
        ):
            Criterion.objects.create(vacancy=self, kind=kind, text=text, position=i)

    @factory.post_generation
    def panel(self, create, extracted, **kwargs):
        if create and extracted:
            self.panel.set(extracted)


class PositiveActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositiveActionPlan

    vacancy = factory.SubFactory(VacancyFactory)
    characteristic = "ethnicity_group"
    groups = factory.LazyFunction(lambda: ["asian", "black", "mixed", "other"])
    evidence = "22% of officers at this grade vs 38% of the local working-age population"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    vacancy = factory.SubFactory(VacancyFactory)
    candidate = factory.SubFactory(UserFactory, role=Role.CANDIDATE)
    statement = "I have eight years of experience."
    equality = factory.RelatedFactory(
        "tests.support.factories.EqualityAnswersFactory", factory_related_name="application"
    )


class EqualityAnswersFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EqualityAnswers

    application = factory.SubFactory(ApplicationFactory, equality=None)
    vacancy = factory.SelfAttribute("application.vacancy")
    furthest_stage = factory.SelfAttribute("application.furthest_stage")


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    application = factory.SubFactory(ApplicationFactory)
    criterion = factory.LazyAttribute(lambda e: e.application.vacancy.criteria.first())
    text = "Evidence."


class GuaranteeDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuaranteeDeclaration

    application = factory.SubFactory(ApplicationFactory)
    scheme = "disability_confident"


class PositiveActionDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositiveActionDeclaration

    application = factory.SubFactory(ApplicationFactory)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    application = factory.SubFactory(ApplicationFactory)
    criterion = factory.LazyAttribute(lambda s: s.application.vacancy.criteria.first())
    stage = "shortlisting"
    scorer = factory.SubFactory(UserFactory, role=Role.PANEL_MEMBER)
    score = 2


def agree(application, scores, stage="shortlisting", by=None):
    """Record agreed scores for an application: ``scores`` in criterion order."""
    agreed, _ = AgreedAssessment.objects.update_or_create(
        application=application,
        stage=stage,
        defaults={"agreed_by": by or application.vacancy.hiring_manager},
    )
    for criterion, score in zip(application.vacancy.criteria.all(), scores, strict=False):
        AgreedScore.objects.update_or_create(
            assessment=agreed, criterion=criterion, defaults={"score": score}
        )
    return agreed


#: States an application reaches only after its vacancy's sift is complete in a real campaign
#: (an offer waits for it): ``set_state`` completes the sift too, so the world stays whole.
AFTER_THE_SIFT = {"interviewed", "offered", "appointed", "not_appointed", "offer_declined"}


def complete_sift(vacancy):
    """Mark a vacancy's sift complete directly: test set-up only (the service is
    ``recruitment.scoring.decisions.sift_complete``)."""
    Vacancy.objects.filter(pk=vacancy.pk, sift_completed_at=None).update(
        sift_completed_at=timezone.now()
    )
    return Vacancy.objects.get(pk=vacancy.pk)


def set_state(application, state, furthest_stage=None):
    """Put an application in a state directly (the FSM field is protected): test set-up only."""
    if state in AFTER_THE_SIFT:
        complete_sift(application.vacancy)
    Application.objects.filter(pk=application.pk).update(
        state=state, **({"furthest_stage": furthest_stage} if furthest_stage else {})
    )
    if furthest_stage:  # as the transition service does
        EqualityAnswers.objects.filter(application_id=application.pk).update(
            furthest_stage=furthest_stage
        )
    return Application.objects.get(pk=application.pk)


def set_vacancy_status(vacancy, status):
    Vacancy.objects.filter(pk=vacancy.pk).update(status=status)
    return Vacancy.objects.get(pk=vacancy.pk)


def interview_time_passes(application):
    """Move an arranged interview into the past (an interview is recorded as held only once
    its time has come): test set-up only."""
    Application.objects.filter(pk=application.pk).update(
        interview_at=timezone.now() - timedelta(minutes=5)
    )
