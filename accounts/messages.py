"""The messages about an account, each two templates (templates/accounts/email/): confirming
an e-mail address, telling an address's owner that someone tried to register with it, a
password reset link, a staff invitation. Queued on commit (``accounts.tasks``); their links
are made when the message is sent, from the account's state then."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.tokens import confirmation_links, password_links, uid_of
from kernel.mail import compose, send_mail, site_link

logger = logging.getLogger(__name__)

KINDS = frozenset({"confirm_email", "email_in_use", "password_reset", "invitation"})


def _link(user: User, kind: str) -> str:
    if kind == "confirm_email":
        return site_link(
            reverse("confirm-email", args=[uid_of(user), confirmation_links.make_token(user)])
        )
    if kind == "password_reset":
        return site_link(
            reverse("password-reset-confirm", args=[uid_of(user), password_links.make_token(user)])
        )
    if kind == "invitation":
        return site_link(
            reverse("accept-invitation", args=[uid_of(user), password_links.make_token(user)])
        )
    return site_link(reverse("password-reset"))  # email_in_use: forgotten your password?


def account_message_send(user_id: Any, kind: str) -> bool:
    """Send the ``kind`` message about account ``user_id`` to its address. False when the
    account is gone or inactive (nothing to send)."""
    if kind not in KINDS:
        raise ValueError(f"unknown account message {kind!r}")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {
        "user": user,
        "link": _link(user, kind),
        "sign_in": site_link(reverse("login")),
        "single_sign_on": settings.OIDC_ENABLED,
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    }
    subject, body = compose(f"accounts/email/{kind}", context)
    send_mail(subject, body, [user.email])
    logger.info("account message %s sent for user %s", kind, user.pk)
    return True


def password_reset_recipients(email: str) -> list[User]:
    """Who a reset for ``email`` goes to: the account that has confirmed it, else each active
    account that uses it unconfirmed; never an account that signs in with single sign-on
    (its password is the organisation's business)."""
    users = list(User.objects.filter(email__iexact=email, is_active=True, sso_subject=None))
    confirmed = [u for u in users if u.email_confirmed]
    return confirmed or users
