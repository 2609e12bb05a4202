"""Messages to candidates, in plain English, sent at most once each (see ``Notification``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from recruitment.models import Application, Notification

logger = logging.getLogger(__name__)

ACCESS_TO_WORK = "https://www.gov.uk/access-to-work"


def _interview_invitation(application: Application) -> tuple[str, str]:
    vacancy = application.vacancy
    when = timezone.localtime(application.interview_at) if application.interview_at else None
    link = f"{settings.SITE_URL.rstrip('/')}/applications/{application.pk}/"
    return (
        f"Interview invitation: {vacancy.title}",
        f"Dear {application.candidate.full_name},\n\n"
        f"We would like to invite you to an interview for {vacancy.title} "
        f"(reference {application.reference})"
        + (f" on {when:%A %d %B %Y at %H:%M}.\n\n" if when else ".\n\n")
        + "Do you need any adjustments for the interview? For example extra time, rest "
        "breaks, the questions in writing, a step-free room or a remote interview. You can "
        f"ask for them from your application: {link}\n"
        "You do not need to tell us about a medical condition.\n\n"
        "If you need communication support, such as a British Sign Language interpreter, a "
        "lipspeaker or speech-to-text, Access to Work can pay for it. Apply to Access to Work "
        f"as soon as you can, before your interview: {ACCESS_TO_WORK}\n\n"
        "Recruitment team\n",
    )


MESSAGES: dict[str, Callable[[Application], tuple[str, str]]] = {
    "interview_invitation": _interview_invitation,
}


def notify(application_id: Any, kind: str) -> bool:
    """Send the ``kind`` message for an application once. Returns whether it was sent now.

    The claim row and the send share a transaction: if sending fails, the claim rolls back
    and the next try sends; once committed, no try sends again."""
    with transaction.atomic():
        application = (
            Application.objects.select_related("vacancy", "candidate")
            .select_for_update(of=("self",))
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            return False  # erased or gone: nothing to tell
        _, created = Notification.objects.get_or_create(application=application, kind=kind)
        if not created:
            return False
        subject, body = MESSAGES[kind](application)
        send_mail(subject, body, None, [application.candidate.email])
    logger.info("notification %s sent for application %s", kind, application_id)
    return True
