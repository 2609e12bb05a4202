"""Equality monitoring: the answers (stored apart, read only by the statistics) and the
records of the release path (decided years, their published copies, release decisions)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from recruitment.applications.states import Stage
from recruitment.monitoring.disclosure import new_record_key
from vacancies.models import Vacancy

PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Ethnicity(models.TextChoices):
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_IRISH_TRAVELLER = "white_gypsy_irish_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_OTHER = "mixed_other", "Mixed: any other Mixed or Multiple background"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_OR_LESBIAN = "gay_or_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Other sexual orientation"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Religion(models.TextChoices):
    NO_RELIGION = "no_religion", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class DisabilityImpact(models.TextChoices):
    A_LOT = "a_lot", "Yes, a lot"
    A_LITTLE = "a_little", "Yes, a little"
    NOT_AT_ALL = "not_at_all", "Not at all"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class AgeBand(models.TextChoices):
    A16_24 = "16-24", "16 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65_PLUS = "65+", "65 or over"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


#: Question → its answers. An empty string in the table means "not answered".
EQUALITY_QUESTIONS: dict[str, type[models.TextChoices]] = {
    "ethnicity": Ethnicity,
    "sex": Sex,
    "gender_identity_same": YesNo,
    "sexual_orientation": SexualOrientation,
    "religion": Religion,
    "disability_condition": YesNo,
    "disability_impact": DisabilityImpact,
    "age_band": AgeBand,
}


class EqualityAnswers(models.Model):
    """Anonymous equality-monitoring answers, one row per application, every answer optional.

    DPA 2018 Sch.1 Part 2 para 8: for reviewing equality of opportunity only, never for a
    decision about the individual. No reverse accessor; read only by the statistics code."""

    #: Cut (null) when the application is erased: the answers then belong to nobody.
    application = models.OneToOneField(
        "recruitment.Application",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    #: What the statistics need besides the answers, kept on this row so that a funnel is one
    #: scan of one table (no join to applications), and so that these rows can later outlive
    #: the application in anonymous form. Kept in step by recruitment/applications/services.py.
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="+")
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender_identity_same = models.CharField(max_length=20, choices=YesNo.choices, blank=True)
    sexual_orientation = models.CharField(
        max_length=20, choices=SexualOrientation.choices, blank=True
    )
    religion = models.CharField(max_length=20, choices=Religion.choices, blank=True)
    disability_condition = models.CharField(max_length=20, choices=YesNo.choices, blank=True)
    disability_impact = models.CharField(
        max_length=20, choices=DisabilityImpact.choices, blank=True
    )
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    #: Where the salary offered sits in the vacancy's range, in thousandths (0: the bottom,
    #: 1000: the top; None: no offer, or one made before pay was recorded). Set by the offer,
    #: for the starting-pay report (recruitment/monitoring/pay.py). Not the salary itself.
    pay_position = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Random, one byte per stage, for cell key perturbation (recruitment/monitoring/disclosure.py): a
    #: cell's key is the sum of its rows' keys. Never output; goes when the row goes.
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    class Meta:
        verbose_name_plural = "equality answers"
        indexes = [
            models.Index(fields=["vacancy", "furthest_stage"], name="monitoring_vacancy_stage")
        ]


# --- Scoring ---------------------------------------------------------------------------------


class DecidedYear(models.Model):
    """A reporting year whose release plan has been decided (once, when it had finished and
    every campaign in it had ended). Its decisions are never revisited."""

    year = models.CharField(max_length=7, unique=True)  # "2025-26"
    decided_at = models.DateTimeField(auto_now_add=True)
    plan_version = models.CharField(max_length=40)
    #: Random and never output: each unit's cell keys are offset by a secret derived from it
    #: (recruitment/monitoring/disclosure.py ``unit_salt``), so the same people in two units are
    #: adjusted independently.
    seed = models.CharField(max_length=64, default=secrets.token_hex, editable=False)


class PublishedEqualityAnswers(models.Model):
    """A decided year's monitoring rows, copied when its plan was decided: every figure of the
    year is computed from this copy, so nothing HR does afterwards (a stage recorded on a
    filled campaign) moves a published figure. Anonymous: no link to an application. Read
    only by the statistics code, as ``EqualityAnswers``."""

    #: No index of its own: the two below lead with it (half the copying time at a million).
    year = models.ForeignKey(
        DecidedYear, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quarter = models.CharField(max_length=10)  # "2025-26-Q1": the quarter its campaign closed
    vacancy_id = models.BigIntegerField()  # not a key: the copy keeps no link to anything
    furthest_stage = models.CharField(max_length=20, choices=Stage.choices)
    ethnicity = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    gender_identity_same = models.CharField(max_length=20, blank=True)
    sexual_orientation = models.CharField(max_length=20, blank=True)
    religion = models.CharField(max_length=20, blank=True)
    disability_condition = models.CharField(max_length=20, blank=True)
    disability_impact = models.CharField(max_length=20, blank=True)
    age_band = models.CharField(max_length=20, blank=True)
    pay_position = models.PositiveSmallIntegerField(null=True, blank=True)
    record_key = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "published equality answers"
        indexes = [
            models.Index(fields=["year", "quarter"], name="published_year_quarter"),
            models.Index(fields=["year", "vacancy_id"], name="published_year_vacancy"),
        ]


class ReleaseDecision(models.Model):
    """Whether one stage column of one unit of a decided year is released, and why not."""

    year = models.ForeignKey(DecidedYear, on_delete=models.CASCADE, related_name="decisions")
    period = models.CharField(max_length=10)  # the year or one of its quarters
    kind = models.CharField(max_length=20)  # organisation, department, grade, campaign
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=300)
    position = models.PositiveIntegerField()  # the unit's priority order in the plan
    stage = models.CharField(max_length=20, choices=Stage.choices)
    released = models.BooleanField()
    reason = models.TextField(blank=True)
    #: The unit's campaigns when decided (empty for the organisation, found by period), so a
    #: later change of settings (grade bands) cannot change what a decided unit holds.
    vacancies = models.JSONField(default=list)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period", "kind", "key", "stage"], name="one_release_decision"
            )
        ]


class StatutoryReturnDownload(models.Model):
    """Every download of the exact statutory figures: who, when, which year, which format."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.CharField(max_length=7)
    format = models.CharField(max_length=10)
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]


class PublicationPack(models.Model):
    """A reporting year's published equality report (recruitment/monitoring/publication.py):
    the figures as computed when HR published it, the report's HTML and its PDF, kept and
    served as they were, never recomputed."""

    year = models.CharField(max_length=7, unique=True)  # "2025-26"
    figures = models.JSONField()
    html = models.TextField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)  # of the PDF, as a reader can check a copy
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Equality report {self.year}"


class PackComment(models.Model):
    """A staff network reviewer's comment on a reporting year's equality report while it is a
    draft, and HR's one answer (recruitment/monitoring/comments.py)."""

    year = models.CharField(max_length=7)  # "2025-26"
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["year", "created_at"], name="pack_comment_year")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on the {self.year} report"
