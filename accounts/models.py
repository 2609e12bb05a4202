from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    PANEL_MEMBER = "panel_member", "Panel member"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    HR = "hr", "HR / recruitment admin"


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
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None
