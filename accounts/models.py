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

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
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
