"""Writes on user accounts: one function per action."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, User
from kernel.text import single_line_errors


def user_create(
    *, username: str, email: str, password: str, full_name: str, role: str = Role.CANDIDATE
) -> User:
    """Create a user after checking the password against Django's validators.

    Raises ``ValidationError`` with a field dict (username, email, password, role)."""
    # A name goes into e-mail headers ("To: Full Name <address>") and pages: one line.
    errors: dict[str, list[str]] = single_line_errors(full_name=full_name)
    if role not in Role.values:
        errors["role"] = [f"Unknown role {role!r}: one of {', '.join(Role.values)}."]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["A user with that username already exists."]
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["A user with that e-mail address already exists."]
    candidate = User(username=username, email=email, full_name=full_name, role=role)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.full_clean(exclude=["password"])
        candidate.save()
    return candidate
