"""Writes on user accounts: one function per action, each in a transaction with its audit
row (django-auditlog, ``accounts.apps``) and its messages queued on commit.

Registering never says whether an address already has an account: anyone may register with
any address, and the account starts unconfirmed. The address's owner is sent either a link
to confirm it or, when another account has confirmed it already, a note that someone tried
to register with it. Only one account can confirm an address, and messages about
applications go only to a confirmed one."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import tasks
from accounts.models import STAFF_ROLES, ReviewerGrant, Role, StatisticsView, User
from accounts.tokens import confirmation_links, password_links
from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from kernel.text import single_line_errors, written_text_errors

logger = logging.getLogger(__name__)

ADDRESS_TAKEN = (
    "This email address is already confirmed on another account. Sign in to that account, "
    "or reset its password."
)


def _queue(task: Any, *args: Any) -> None:
    """Queue a message task once committed. In the embedded mode the task runs here and
    then: a failure to send is logged, never shown (the answer must not differ)."""

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception("account message %s not queued", task.name)

    transaction.on_commit(send)


def message_on_commit(user_id: int, kind: str) -> None:
    _queue(tasks.send_account_message, user_id, kind)


def confirmed_elsewhere(email: str, *, but: int | None = None) -> bool:
    """Whether an account (other than ``but``) has confirmed ``email``."""
    confirmed = User.objects.filter(email__iexact=email, email_confirmed_at__isnull=False)
    if but is not None:
        confirmed = confirmed.exclude(pk=but)
    return confirmed.exists()


def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    full_name: str,
    role: str = Role.CANDIDATE,
    email_confirmed: bool = False,
) -> User:
    """Create a user after checking the password against Django's validators (None: no
    usable password, as for an invited or single sign-on account).

    Raises ``ValidationError`` with a field dict (username, email, password, role). An address
    in use is not an error (see the module): it is refused only as confirmed."""
    # A name goes into e-mail headers ("To: Full Name <address>") and pages: one line.
    errors: dict[str, list[str]] = single_line_errors(full_name=full_name)
    if role not in Role.values:
        errors["role"] = [f"Unknown role {role!r}: one of {', '.join(Role.values)}."]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["That username is taken: choose another."]
    if email_confirmed and email and confirmed_elsewhere(email):
        errors["email"] = [ADDRESS_TAKEN]
    user = User(username=username, email=email, full_name=full_name, role=role)
    if password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(password)
        if email_confirmed and email:
            user.email_confirmed_at = timezone.now()
        user.full_clean(exclude=["password"])
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # the same username or address, at the same moment
            raise ValidationError(
                {"username": ["A user with that username already exists."]}
            ) from exc
    return user


def candidate_register(*, username: str, email: str, password: str, full_name: str) -> User:
    """A candidate's own account (unconfirmed). Its address is sent a link to confirm it, or,
    if another account has confirmed that address, a note saying so to its owner: the
    answer here is the same either way."""
    with transaction.atomic():
        user = user_create(username=username, email=email, password=password, full_name=full_name)
        taken = User.objects.filter(email__iexact=email, email_confirmed_at__isnull=False).first()
        if taken is not None:
            message_on_commit(taken.pk, "email_in_use")
        else:
            message_on_commit(user.pk, "confirm_email")
    logger.info("candidate account %s registered", user.pk)
    return user


def email_confirmation_resend(*, user: User) -> bool:
    """Send the confirmation link again: False when this account's address is confirmed
    already. When another account has confirmed it, nothing is sent, and the answer is the
    same as when the link is (it must not say whether the address has an account)."""
    if user.email_confirmed:
        return False
    if not confirmed_elsewhere(user.email, but=user.pk):
        message_on_commit(user.pk, "confirm_email")
    return True


def email_confirm(*, user: User, token: str) -> User:
    """Confirm the account's address with the link's token (409 ``invalid_transition`` for a
    link that is used, old or wrong; 400 when another account has confirmed the address)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not confirmation_links.check_token(locked, token):
            raise DomainError(
                "invalid_transition", "This link has expired or has been used already."
            )
        if confirmed_elsewhere(locked.email, but=locked.pk):
            raise ValidationError({"email": [ADDRESS_TAKEN]})
        locked.email_confirmed_at = timezone.now()
        try:
            with transaction.atomic(), acting_as(locked):
                locked.save(update_fields=["email_confirmed_at"])
        except IntegrityError as exc:  # confirmed on another account at the same moment
            raise ValidationError({"email": [ADDRESS_TAKEN]}) from exc
    logger.info("user %s confirmed their email address", locked.pk)
    return locked


def password_reset_request(*, email: str) -> None:
    """Queue the reset for ``email``: the task looks the address up, so the request does the
    same work, and answers the same, whether or not an account has it."""
    _queue(tasks.send_password_reset, email)


def password_set(*, user: User, token: str, password: str) -> User:
    """Set a password with a reset or invitation link's token: the link then stops working,
    and the address is confirmed (the link reached it) unless another account has it."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active or not password_links.check_token(locked, token):
            raise DomainError(
                "invalid_transition", "This link has expired or has been used already."
            )
        try:
            validate_password(password, user=locked)
        except ValidationError as exc:
            raise ValidationError({"password": list(exc.messages)}) from exc
        locked.set_password(password)
        fields = ["password"]
        if not locked.email_confirmed and not confirmed_elsewhere(locked.email, but=locked.pk):
            locked.email_confirmed_at = timezone.now()
            fields.append("email_confirmed_at")
        try:
            with transaction.atomic(), acting_as(locked):
                locked.save(update_fields=fields)
        except IntegrityError:  # the address confirmed elsewhere meanwhile: the password only
            locked.email_confirmed_at = None
            with transaction.atomic(), acting_as(locked):
                locked.save(update_fields=["password"])
        AuthToken.objects.filter(user=locked).delete()  # a new password ends old tokens
    logger.info("user %s set a password from an e-mailed link", locked.pk)
    return locked


def second_factor_confirm(*, user: Any, device: TOTPDevice) -> None:
    """The authenticator being set up gave a right code: it is theirs from now on (the
    account's history says when)."""
    with transaction.atomic(), acting_as(user):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        user.second_factor_set_at = timezone.now()
        user.save(update_fields=["second_factor_set_at"])


# --- Staff, managed by HR ---------------------------------------------------------------------


def _hr_only(by: User) -> None:
    if not by.is_hr:
        raise ActionForbidden("Only HR manages staff accounts.")


def _staff_member(user_id: Any) -> User:
    """A staff account, locked (404 for anything else: candidates are not managed here)."""
    user = User.objects.select_for_update().filter(pk=user_id, role__in=STAFF_ROLES).first()
    if user is None:
        raise Http404
    return user


def staff_invite(*, by: User, full_name: str, email: str, role: str) -> User:
    """A staff account for ``email`` with no password: the invitation e-mail's one-time link
    sets one (or, with single sign-on, they sign in with their organisation account). The
    username is the address."""
    _hr_only(by)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": ["Choose panel member, hiring manager or HR."]})
    if len(email) > 150:
        raise ValidationError({"email": ["Enter an address of 150 characters or fewer."]})
    with transaction.atomic(), acting_as(by):
        if confirmed_elsewhere(email) or User.objects.filter(username__iexact=email).exists():
            raise ValidationError({"email": ["This email address already has an account."]})
        user = user_create(
            username=email.lower(), email=email, password=None, full_name=full_name, role=role
        )
        message_on_commit(user.pk, "invitation")
    logger.info("staff account %s invited as %s by user %s", user.pk, role, by.pk)
    return user


def staff_invitation_resend(*, by: User, user_id: Any) -> User:
    _hr_only(by)
    with transaction.atomic():
        user = _staff_member(user_id)
        if user.has_usable_password() or not user.is_active or user.sso_subject:
            raise DomainError(
                "invalid_transition", "Only an active account that has not been set up yet."
            )
        message_on_commit(user.pk, "invitation")
    return user


def staff_role_set(*, by: User, user_id: Any, role: str) -> User:
    _hr_only(by)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": ["Choose panel member, hiring manager or HR."]})
    with transaction.atomic(), acting_as(by):
        user = _staff_member(user_id)
        if user.pk == by.pk:
            raise DomainError(
                "invalid_transition", "You cannot change your own role: ask another HR user."
            )
        if user.role != role:
            user.role = role
            user.save(update_fields=["role"])
    logger.info("staff account %s made %s by user %s", user.pk, role, by.pk)
    return user


def staff_deactivate(*, by: User, user_id: Any) -> User:
    """End a staff member's access at once: no sign-in, their sessions no longer count
    (Django reads an inactive user as signed out) and their API tokens are deleted."""
    _hr_only(by)
    with transaction.atomic(), acting_as(by):
        user = _staff_member(user_id)
        if user.pk == by.pk:
            raise DomainError(
                "invalid_transition", "You cannot deactivate your own account: ask another HR user."
            )
        if not user.is_active:
            raise DomainError("invalid_transition", "This account is already deactivated.")
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=user).delete()
    logger.info("staff account %s deactivated by user %s", user.pk, by.pk)
    return user


def staff_reactivate(*, by: User, user_id: Any) -> User:
    _hr_only(by)
    with transaction.atomic(), acting_as(by):
        user = _staff_member(user_id)
        if user.is_active:
            raise DomainError("invalid_transition", "This account is active already.")
        user.is_active = True
        user.save(update_fields=["is_active"])
    logger.info("staff account %s reactivated by user %s", user.pk, by.pk)
    return user


def second_factor_reset(*, by: User, user_id: Any) -> User:
    """Forget a staff member's authenticator (a lost phone): they set up a new one when they
    next sign in with their password."""
    _hr_only(by)
    with transaction.atomic(), acting_as(by):
        user = _staff_member(user_id)
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        if not removed:
            raise DomainError("invalid_transition", "This account has no second factor set up.")
        user.second_factor_set_at = None
        user.save(update_fields=["second_factor_set_at"])
    logger.info("second factor of staff account %s reset by user %s", user.pk, by.pk)
    return user


# --- Staff network reviewers, granted by HR ---------------------------------------------------

#: Whose address it is, when it cannot be a network reviewer's.
ACCOUNT_OF: dict[str, str] = {
    Role.CANDIDATE: "a candidate's account",
    Role.PANEL_MEMBER: "a panel member's account",
    Role.HIRING_MANAGER: "a hiring manager's account",
    Role.HR: "an HR account",
}


def reviewer_default_last_day() -> date:
    """The last day of a grant when HR gives none (``NETWORK_REVIEWER_DEFAULT_DAYS``)."""
    return timezone.localdate() + timedelta(days=settings.NETWORK_REVIEWER_DEFAULT_DAYS)


def _first_moment_after(day: date) -> datetime:
    """A grant runs to the end of its last day (local time)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _grant_errors(full_name: str, email: str, network: str, expires_on: date) -> dict[str, Any]:
    # Blank, invisible-only or direction-reversing text says nothing (kernel/text.py).
    errors = written_text_errors("network", network, "Enter the name of the staff network.")
    if full_name:  # (required only for a new account: checked when one is made)
        errors |= written_text_errors("full_name", full_name, "Enter the reviewer's full name.")
    if "network" not in errors and len(network) > 200:
        errors["network"] = ["Enter a network name of 200 characters or fewer."]
    errors |= single_line_errors(full_name=full_name, network=network)
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address in the correct format, like name@example.com."]
    if len(email) > 150:
        errors["email"] = ["Enter an address of 150 characters or fewer."]
    if len(full_name) > 200:
        errors["full_name"] = ["Enter a name of 200 characters or fewer."]
    today = timezone.localdate()
    longest = settings.NETWORK_REVIEWER_MAX_DAYS
    if expires_on <= today:
        errors["expires_on"] = ["The last day of access must be in the future."]
    elif expires_on > today + timedelta(days=longest):
        latest = today + timedelta(days=longest)
        errors["expires_on"] = [
            f"Access is granted for at most {longest} days: give a last day on or before "
            f"{latest.day} {latest:%B %Y} ({latest.isoformat()})."
        ]
    return errors


def reviewer_grant(
    *, by: User, full_name: str, email: str, network: str, expires_on: date | None = None
) -> ReviewerGrant:
    """Grant a staff network reviewer access to the released statistics until the end of
    ``expires_on`` (default ``NETWORK_REVIEWER_DEFAULT_DAYS`` from today, at most
    ``NETWORK_REVIEWER_MAX_DAYS``). A new address gets an account with the role
    ``network_reviewer`` and the staff invitation's one-time link to set a password; the
    address of a network reviewer's account is renewed with a new grant (the one live now
    ends, replaced). The address of any other account is refused (400 on ``email``): a
    reviewer never shares an account that reaches applications."""
    _hr_only(by)
    full_name, email, network = full_name.strip(), email.strip(), network.strip()
    expires_on = expires_on or reviewer_default_last_day()
    if errors := _grant_errors(full_name, email, network, expires_on):
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(by):
        holders = list(
            User.objects.select_for_update()
            # An account's own identity: its username, or an address it has confirmed (anyone
            # may register an unconfirmed address, which must not block a grant).
            .filter(
                Q(username__iexact=email)
                | Q(email__iexact=email, email_confirmed_at__isnull=False)
                | Q(email__iexact=email, role=Role.NETWORK_REVIEWER)
            )
            .order_by("pk")
        )
        others = [u for u in holders if u.role != Role.NETWORK_REVIEWER]
        if others:
            raise ValidationError(
                {"email": [f"This address belongs to {ACCOUNT_OF.get(others[0].role, 'an account')}"
                           ": a network reviewer needs an account of their own. Use another "
                           "address."]}
            )  # fmt: skip
        if holders:
            user = holders[0]
            if not user.is_active:
                raise ValidationError({"email": ["This reviewer's account is deactivated."]})
            now = timezone.now()
            for live in ReviewerGrant.objects.select_for_update().live().filter(user=user):
                live.withdrawn_at, live.withdrawn_by = now, by
                live.withdrawn_reason = "Replaced by a new grant."
                live.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
            if not user.has_usable_password() and not user.sso_subject:
                message_on_commit(user.pk, "invitation")  # not set up yet: the link again
        else:
            if not full_name:
                raise ValidationError({"full_name": ["Enter their full name."]})
            user = user_create(
                username=email.lower(),
                email=email,
                password=None,
                full_name=full_name,
                role=Role.NETWORK_REVIEWER,
            )
            message_on_commit(user.pk, "invitation")
        grant = ReviewerGrant.objects.create(
            user=user, network=network, granted_by=by, expires_at=_first_moment_after(expires_on)
        )
    logger.info(
        "network reviewer %s granted access (grant %s) by user %s", user.pk, grant.pk, by.pk
    )
    return grant


def reviewer_withdraw(*, by: User, grant_id: Any, reason: str) -> ReviewerGrant:
    """End a live grant now, with the reason (400 on ``reason`` without one; 409
    ``invalid_transition`` for a grant already withdrawn or expired; 404 for no grant). The
    reviewer can still sign in, to read that their access has ended."""
    _hr_only(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why access is withdrawn."]})
    if len(reason) > 2000:
        raise ValidationError({"reason": ["Enter a reason of 2000 characters or fewer."]})
    with transaction.atomic(), acting_as(by):
        grant = ReviewerGrant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None:
            raise Http404
        if grant.status != "live":
            ended = "been withdrawn" if grant.status == "withdrawn" else "expired"
            raise DomainError("invalid_transition", f"This grant has {ended} already.")
        grant.withdrawn_at, grant.withdrawn_by, grant.withdrawn_reason = timezone.now(), by, reason
        grant.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        # Their API tokens end with their access (every statistic refuses them anyway).
        AuthToken.objects.filter(user_id=grant.user_id).delete()
    logger.info("network reviewer grant %s withdrawn by user %s", grant.pk, by.pk)
    return grant


def statistics_view_record(
    *, user: User, grant: ReviewerGrant, what: str, params: dict[str, Any]
) -> StatisticsView:
    """Record one read of the statistics by a network reviewer (HR reads the record)."""
    return StatisticsView.objects.create(user=user, grant=grant, what=what, params=params)
