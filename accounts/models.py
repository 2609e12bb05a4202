from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    PANEL_MEMBER = "panel_member", "Panel member"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    HR = "hr", "HR / recruitment admin"
    #: A member of an equality staff network whose agreed role is to scrutinise policies:
    #: reads the released (perturbed) statistics and the yearly report while HR's grant is
    #: live, comments on a draft report. Not staff: never an application nor an exact figure.
    NETWORK_REVIEWER = "network_reviewer", "Staff network reviewer"


STAFF_ROLES = frozenset({Role.PANEL_MEMBER, Role.HIRING_MANAGER, Role.HR})


class User(AbstractUser):
    """A person using the service. One role each; what they may do on a vacancy also depends
    on whether they chair it or sit on its panel (see vacancies/permissions.py)."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    #: When the person showed they receive mail at ``email`` (the link sent on registering,
    #: a password reset, a staff invitation, or single sign-on). Messages go only to a
    #: confirmed address, and only one account may have confirmed an address: registering
    #: with an address in use makes an account that can never confirm it, so the answer to
    #: registering never says whether an address has an account.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    #: When the staff member's authenticator app was set up (None: none, or HR reset it).
    second_factor_set_at = models.DateTimeField(null=True, blank=True)
    #: The identity provider's ``sub`` for a staff member who signs in with single sign-on.
    sso_subject = models.CharField(max_length=255, null=True, blank=True, unique=True)

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(email_confirmed_at__isnull=False),
                name="accounts_user_confirmed_email_ci_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def is_hr(self) -> bool:
        return self.role == Role.HR

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_recruitment_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_network_reviewer_account(self) -> bool:
        """The account's role; whether its access is live is ``is_network_reviewer``
        (accounts/permissions.py), which also asks for a live grant."""
        return self.role == Role.NETWORK_REVIEWER

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class ReviewerGrantQuerySet(models.QuerySet["ReviewerGrant"]):
    def live(self) -> ReviewerGrantQuerySet:
        """Not withdrawn and not expired, now."""
        return self.filter(withdrawn_at=None, expires_at__gt=timezone.now())

    def expired(self) -> ReviewerGrantQuerySet:
        return self.filter(withdrawn_at=None, expires_at__lte=timezone.now())

    def withdrawn(self) -> ReviewerGrantQuerySet:
        return self.exclude(withdrawn_at=None)


class ReviewerGrant(models.Model):
    """HR's grant of access to a network reviewer (accounts/services.py ``reviewer_grant``):
    for one staff network, until ``expires_at`` (at most ``NETWORK_REVIEWER_MAX_DAYS``),
    unless withdrawn first. A renewal is a new grant; the history of grants is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviewer_grants"
    )
    network = models.CharField(max_length=200)  # "Disabled staff network"
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    #: The first moment without access: the start of the day after the last day granted.
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawn_reason = models.TextField(blank=True)

    objects = ReviewerGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at"], name="reviewer_grant_user_expiry")]

    def __str__(self) -> str:
        return f"{self.network} ({self.user})"

    @property
    def status(self) -> str:
        """``live``, ``expired`` or ``withdrawn``."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "live" if self.expires_at > timezone.now() else "expired"

    @property
    def last_day(self) -> date:
        """The last day of access granted (local time)."""
        return timezone.localdate(self.expires_at - timedelta(microseconds=1))

    @property
    def ended_on(self) -> date | None:
        """The day access ended (withdrawn or expired); None while live."""
        if self.withdrawn_at is not None:
            return timezone.localdate(self.withdrawn_at)
        return self.last_day if self.status == "expired" else None


class StatisticsView(models.Model):
    """One read of the statistics by a network reviewer: what (a page, an API answer, the
    report's PDF), with the selection asked for (period, unit, characteristic), under which
    grant, when. Written by every statistics page and API answer a reviewer reads; HR reads
    them on the reviewer's grant (accounts/reviewer_views.py, the API)."""

    class What(models.TextChoices):
        DASHBOARD = "dashboard", "Monitoring dashboard"
        FUNNEL = "funnel", "Funnel (API or CSV)"
        RELATIVE_LIKELIHOOD = "relative_likelihood", "Relative likelihood (API or CSV)"
        REPRESENTATION = "representation", "Representation (API or CSV)"
        REPORT_LIST = "report_list", "Yearly equality reports"
        REPORT = "report", "Yearly equality report"
        REPORT_PDF = "report_pdf", "Yearly equality report (PDF)"
        STARTING_PAY = "starting_pay", "Starting pay (API or CSV)"
        UNITS = "units", "What is published, by part (API)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(ReviewerGrant, on_delete=models.PROTECT, related_name="views")
    what = models.CharField(max_length=30, choices=What.choices)
    #: The selection asked for: ``period``, ``unit`` ("organisation", "department:highways",
    #: "campaign:12"), ``characteristic``, and for some answers a stage, a year or a format.
    params = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
