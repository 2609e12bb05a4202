"""Vacancies: the job, its criteria, its panel, and the fairness settings that govern its sift.

State changes happen only in vacancies/services.py; the FSM field is protected.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from kernel.audit import logged
from kernel.transitions import condition

if TYPE_CHECKING:
    from accounts.models import User

MAX_SCORE = 4
SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(MAX_SCORE)]
#: The widest equivalence band a vacancy may set: ties are equal totals unless a vacancy
#: records an explicit, narrow band (Furlong v Chief Constable of Cheshire Police, 2019).
MAX_TIE_BAND = 2


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    CLOSED = "closed", "Closed to applications"
    FILLED = "filled", "Filled"
    CANCELLED = "cancelled", "Cancelled"


class MinimumCriteriaRule(models.TextChoices):
    """How "meets the minimum criteria" is decided for the interview guarantee."""

    ALL_ESSENTIAL_AT_PASS_MARK = (
        "all_essential_at_pass_mark",
        "Every essential criterion scored at or above the pass mark",
    )
    AGGREGATE_60_NO_ZERO = (
        "aggregate_60_no_zero",
        "At least 60% of the essential marks, and no essential criterion scored 0",
    )


class GuaranteeScheme(models.TextChoices):
    DISABILITY_CONFIDENT = "disability_confident", "Disability Confident"
    CARE_LEAVER = "care_leaver", "Care leaver (care-experienced)"
    ARMED_FORCES = "armed_forces", "Armed forces veteran"


class CriterionKind(models.TextChoices):
    ESSENTIAL = "essential", "Essential"
    DESIRABLE = "desirable", "Desirable"


class PositiveActionCharacteristic(models.TextChoices):
    ETHNICITY_GROUP = "ethnicity_group", "Ethnic group"
    DISABILITY = "disability", "Disability"
    SEX = "sex", "Sex"
    GENDER_IDENTITY = "gender_identity", "Gender identity"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    AGE_BAND = "age_band", "Age"
    RELIGION = "religion", "Religion or belief"


#: The groups a positive-action plan may name, per characteristic.
POSITIVE_ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "ethnicity_group": ("white", "mixed", "asian", "black", "other"),
    "disability": ("disabled",),
    "sex": ("female", "male"),
    "gender_identity": ("trans",),
    "sexual_orientation": ("gay_or_lesbian", "bisexual", "other"),
    "age_band": ("16-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "religion": (
        "no_religion",
        "christian",
        "buddhist",
        "hindu",
        "jewish",
        "muslim",
        "sikh",
        "other",
    ),
}


#: What each group of a positive-action plan is called, per characteristic: the words of the
#: equality-monitoring statistics (tests/vacancies/test_labels.py holds the two together;
#: this app imports no other, so it keeps its own copy).
POSITIVE_ACTION_GROUP_LABELS: dict[str, dict[str, str]] = {
    "ethnicity_group": {
        "white": "White",
        "mixed": "Mixed or Multiple",
        "asian": "Asian or Asian British",
        "black": "Black, Black British, Caribbean or African",
        "other": "Other ethnic group",
    },
    "disability": {"disabled": "Disabled"},
    "sex": {"female": "Female", "male": "Male"},
    "gender_identity": {"trans": "Trans"},
    "sexual_orientation": {
        "gay_or_lesbian": "Gay or lesbian",
        "bisexual": "Bisexual",
        "other": "Other sexual orientation",
    },
    "age_band": {
        "16-24": "Aged 16 to 24",
        "25-34": "Aged 25 to 34",
        "35-44": "Aged 35 to 44",
        "45-54": "Aged 45 to 54",
        "55-64": "Aged 55 to 64",
        "65+": "Aged 65 or over",
    },
    "religion": {
        "no_religion": "No religion",
        "christian": "Christian",
        "buddhist": "Buddhist",
        "hindu": "Hindu",
        "jewish": "Jewish",
        "muslim": "Muslim",
        "sikh": "Sikh",
        "other": "Any other religion",
    },
}


#: "Closing soon": within this long.
CLOSING_SOON = timedelta(days=7)


class VacancyQuerySet(models.QuerySet["Vacancy"]):
    def visible_to(self, user: User | object) -> VacancyQuerySet:
        """Open vacancies for everyone; staff also see those they work on; HR sees all;
        a candidate also sees the vacancies they applied to."""
        visible = models.Q(status=VacancyStatus.OPEN)
        if not getattr(user, "is_authenticated", False):
            return self.filter(visible)
        role = getattr(user, "role", None)
        if role == "hr":
            return self.all()
        if role == "candidate":
            return self.filter(visible | models.Q(applications__candidate=user)).distinct()
        return self.filter(
            visible | models.Q(hiring_manager=user) | models.Q(panel=user)
        ).distinct()

    def worked_on_by(self, user: User) -> VacancyQuerySet:
        """The vacancies a member of staff chairs or sits on the panel of; HR: all."""
        if user.role == "hr":
            return self.all()
        return self.filter(models.Q(hiring_manager=user) | models.Q(panel=user)).distinct()

    # --- The work waiting on vacancies (HR's home page counts them; the list shows them) ---

    def closing_soon(self) -> VacancyQuerySet:
        """Open, and closing between now and ``CLOSING_SOON`` from now."""
        now = timezone.now()
        return self.filter(
            status=VacancyStatus.OPEN, closing_date__gte=now, closing_date__lte=now + CLOSING_SOON
        )

    def sift_open(self) -> VacancyQuerySet:
        """Closed, and the sift not complete yet."""
        return self.filter(status=VacancyStatus.CLOSED, sift_completed_at=None)

    def held(self) -> VacancyQuerySet:
        """Under a legal hold, on the vacancy or on any of its applications."""
        application = apps.get_model("recruitment", "Application")
        return self.filter(
            models.Q(legal_hold=True)
            | models.Exists(
                application.objects.filter(vacancy=models.OuterRef("pk"), legal_hold=True)
            )
        )

    def with_appointment_flag(self) -> VacancyQuerySet:
        """Annotate ``has_appointed`` so listing vacancies with their actions costs no extra
        query per row."""
        application = apps.get_model("recruitment", "Application")
        return self.annotate(
            has_appointed=models.Exists(
                application.objects.filter(vacancy=models.OuterRef("pk"), state="appointed")
            )
        )

    def advertised(self) -> VacancyQuerySet:
        """Open and before the closing date: the jobs anyone can apply for now, which the job
        feed and the structured data for search engines advertise. (An open vacancy past its
        closing date waits a minute at most for the closing task; it is not advertised.)"""
        return self.filter(status=VacancyStatus.OPEN, closing_date__gt=timezone.now())

    def due_to_close(self) -> VacancyQuerySet:
        """Open vacancies whose closing date has passed."""
        return self.filter(status=VacancyStatus.OPEN, closing_date__lte=timezone.now())


class Vacancy(ConcurrentTransitionMixin, models.Model):
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=50, unique=True)
    department = models.CharField(max_length=200)
    grade = models.CharField(max_length=50)
    location = models.CharField(max_length=200)
    description = models.TextField(max_length=20000)
    salary_min = models.PositiveIntegerField()
    salary_max = models.PositiveIntegerField()
    closing_date = models.DateTimeField()

    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_vacancies"
    )
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="panel_vacancies", blank=True
    )

    pass_mark = models.PositiveSmallIntegerField(default=2, validators=SCORE_VALIDATORS)
    minimum_criteria_rule = models.CharField(
        max_length=40,
        choices=MinimumCriteriaRule.choices,
        default=MinimumCriteriaRule.ALL_ESSENTIAL_AT_PASS_MARK,
    )
    #: Guarantee schemes offered, a list of GuaranteeScheme values.
    interview_guarantees = models.JSONField(default=list, blank=True)

    #: Show each panel member the applications in their own random (but stable) order, to
    #: reduce order effects in scoring.
    randomise_order = models.BooleanField(default=False)
    #: Ties are equal agreed totals (0). A band of 1 or 2 makes totals within that many
    #: marks of each other a tie: an explicit, narrow, recorded setting, never a default.
    tie_band = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(MAX_TIE_BAND)]
    )
    tie_band_reason = models.TextField(max_length=2000, blank=True)
    #: High-volume campaigns: the most interviews anyone is offered. Then only the guaranteed
    #: candidates who best meet the minimum criteria are guaranteed an interview
    #: (docs/domain.md §2, recruitment/scoring/assessment.py). Null: no limit.
    interview_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    interview_limit_reason = models.TextField(max_length=2000, blank=True)
    #: After a decision, a candidate sees the band of each of their agreed scores beside the
    #: (protected) spread of the cohort's (recruitment/scoring/feedback.py). HR may turn it
    #: off, for example on legal advice about a complaint; on by default.
    score_feedback = models.BooleanField(default=True)

    status = FSMField(
        default=VacancyStatus.DRAFT, choices=VacancyStatus.choices, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: When it was published (draft → open): the date a job search engine shows as posted
    #: (vacancies/structured_data.py) and the job feed's order. Null for a draft, and for one
    #: cancelled before it was ever published.
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: When the campaign ended (filled or cancelled): the retention period runs from here.
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    #: A complaint or tribunal claim about the campaign: while held, none of its applications
    #: is erased.
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(max_length=2000, blank=True)
    #: When the chair or HR completed the sift (every application decided on merit) and the
    #: service applied the interview guarantee (recruitment/applications/services.py, ``sift_complete``).
    #: Until then a "not shortlisted" decision is not told to anyone outside the panel.
    sift_completed_at = models.DateTimeField(null=True, blank=True)
    sift_completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = VacancyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "vacancies"
        ordering = ["closing_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(salary_min__lte=models.F("salary_max")),
                name="vacancy_salary_range",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=MAX_SCORE), name="vacancy_pass_mark_range"
            ),
            models.CheckConstraint(
                condition=models.Q(tie_band__lte=MAX_TIE_BAND), name="vacancy_tie_band_range"
            ),
            models.CheckConstraint(
                condition=models.Q(tie_band=0) | ~models.Q(tie_band_reason=""),
                name="vacancy_tie_band_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(interview_limit__isnull=True)
                | (models.Q(interview_limit__gte=1) & ~models.Q(interview_limit_reason="")),
                name="vacancy_interview_limit_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def scheme_labels(self) -> list[str]:
        """The schemes offered, in words."""
        labels = dict(GuaranteeScheme.choices)
        return [labels.get(code, code) for code in self.interview_guarantees or []]

    def offers_scheme(self, scheme: str | None) -> bool:
        return bool(scheme) and scheme in (self.interview_guarantees or [])

    # --- Transition guards: each answers "may this happen now?" ------------------------------

    def closing_date_in_future(self) -> bool:
        return self.closing_date > timezone.now()

    def has_appointment(self) -> bool:
        annotated = getattr(self, "has_appointed", None)
        if annotated is not None:
            return bool(annotated)
        return self.applications.filter(state="appointed").exists()

    @property
    def accepting_applications(self) -> bool:
        return self.status == VacancyStatus.OPEN and self.closing_date_in_future()

    # --- Transitions: called only by vacancies/services.py ----------------------------------

    @logged
    @transition(
        field=status,
        source=VacancyStatus.DRAFT,
        target=VacancyStatus.OPEN,
        conditions=[condition(closing_date_in_future)],
    )
    def publish(self, by: User | None = None, description: str = "") -> None:
        self.published_at = timezone.now()

    @logged
    @transition(field=status, source=VacancyStatus.OPEN, target=VacancyStatus.CLOSED)
    def close(self, by: User | None = None, description: str = "") -> None:
        self.closed_at = timezone.now()

    @logged
    @transition(
        field=status,
        source=VacancyStatus.CLOSED,
        target=VacancyStatus.FILLED,
        conditions=[condition(has_appointment)],
    )
    def fill(self, by: User | None = None, description: str = "") -> None:
        self.ended_at = timezone.now()

    @logged
    @transition(
        field=status,
        source=[VacancyStatus.DRAFT, VacancyStatus.OPEN, VacancyStatus.CLOSED],
        target=VacancyStatus.CANCELLED,
    )
    def cancel(self, by: User | None = None, description: str = "") -> None:
        if self.closed_at is None:
            self.closed_at = timezone.now()
        self.ended_at = timezone.now()


class Criterion(models.Model):
    """A person-specification criterion, scored 0–4 at sift and at interview."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=10, choices=CriterionKind.choices)
    text = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["vacancy", "position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    @property
    def is_essential(self) -> bool:
        return self.kind == CriterionKind.ESSENTIAL


class PositiveActionPlan(models.Model):
    """The evidenced plan under which the Equality Act s.159 tie-breaker may be considered."""

    vacancy = models.OneToOneField(
        Vacancy, on_delete=models.CASCADE, related_name="positive_action_plan"
    )
    characteristic = models.CharField(max_length=30, choices=PositiveActionCharacteristic.choices)
    groups = models.JSONField(default=list)
    evidence = models.TextField(max_length=5000)

    def __str__(self) -> str:
        return f"Positive-action plan for {self.vacancy.reference}"

    @property
    def group_labels(self) -> list[str]:
        """The plan's groups in words."""
        labels = POSITIVE_ACTION_GROUP_LABELS.get(self.characteristic, {})
        return [labels.get(group, group) for group in self.groups]
