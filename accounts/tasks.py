"""The account messages' task: thin, it takes an id and a kind (``accounts.messages``)."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task

from accounts.messages import account_message_send, password_reset_recipients
from kernel import mail

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=mail.MAX_RETRIES)
def send_account_message(self: Task[Any, Any], user_id: Any, kind: str) -> bool:
    """Send one account message. A transient failure is retried with a bounded backoff; a
    permanent one is logged (by user id and kind only) and not retried."""
    try:
        return account_message_send(user_id, kind)
    except mail.PermanentSendFailure as failure:
        logger.error("account message %s for user %s not sent (%s)", kind, user_id, failure)
        return False
    except mail.TransientSendFailure as failure:
        transient = failure
    if self.request.retries >= (self.max_retries or 0):
        logger.error(
            "account message %s for user %s not sent (%s); gave up", kind, user_id, transient
        )
        raise transient
    raise self.retry(countdown=mail.retry_delay(self.request.retries))


@shared_task(acks_late=True)
def send_password_reset(email: str) -> int:
    """Look the address up and queue a reset message to each account it names (none for an
    address no account has: the request answered the same either way)."""
    users = password_reset_recipients(email)
    for user in users:
        send_account_message.delay(user.pk, "password_reset")
    return len(users)
