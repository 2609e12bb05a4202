"""Composing and sending e-mail.

Every message is two templates, ``<name>.subject.txt`` and ``<name>.txt`` (plain text, plain
English), composed by ``compose``; links in them are built by ``site_link`` from
``SITE_URL``. The services queue a send on commit through Celery; this module sends, and is
the one place that tells a failed send worth trying again later
(transient) from one that trying again cannot mend (permanent).

Transient: the mail server could not be reached or talked to (connection refused or reset,
timeouts, DNS, a dropped connection: ``SMTPServerDisconnected``, ``SMTPConnectError``) and
every 4xx reply (421 service not available, 450/451 mailbox busy or greylisted, 452 out of
storage, 454 temporary authentication failure). Permanent: 5xx replies (a recipient refused
with 550, a sender refused, 535 bad credentials in ``SMTPAuthenticationError``, 554), an
address Django or the server cannot take (a malformed or non-ASCII address, a header with a
newline), a certificate that fails verification, and a message with no recipient at all.

``send_mail`` raises ``TransientSendFailure`` or ``PermanentSendFailure`` (``SendFailure``).
Their text names the error's class and code only, never an address or a name, so it can be
logged; the original error is not chained (its text often quotes the address)."""

from __future__ import annotations

import hashlib
import io
import secrets
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from notifications_python_client import prepare_upload
from notifications_python_client.errors import APIError as NotifyAPIError
from notifications_python_client.errors import TokenError as NotifyTokenError
from notifications_python_client.notifications import NotificationsAPIClient

from kernel.text import one_line

#: Bounded exponential backoff for a transient failure (seconds): the n-th retry (from 0)
#: waits between half and all of ``RETRY_BACKOFF * 2**n``, at most ``RETRY_BACKOFF_MAX``.
#: 30, 60, 120, 240, 480: about 15 minutes in all, enough for greylisting (451) to pass.
#: ``REDIS_VISIBILITY_TIMEOUT`` must stay longer than ``RETRY_BACKOFF_MAX`` (see settings).
MAX_RETRIES = 5
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 600


class SendFailure(Exception):
    """A message was not sent. ``str()`` is safe to log: no address, no name."""

    transient = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendFailure(SendFailure):
    """Not sent this time; the same message may well go later."""

    transient = True


class PermanentSendFailure(SendFailure):
    """Not sent, and sending it again as it is would fail again."""


def _code_transient(code: int) -> bool:
    # 4xx: try again later. 5xx: don't. Anything else (-1, an unexpected 2xx/3xx) is a
    # protocol hiccup on the way: worth the bounded retries.
    return not 500 <= code <= 599


def is_transient(exc: BaseException) -> bool | None:
    """True for a transient send failure, False for a permanent one, None when ``exc`` is
    not a failure to send at all (a programming error: let it propagate)."""
    if isinstance(exc, NotifyAPIError):
        # Notify: 429 (rate limit) and 5xx, and no answer at all (the client's 503), are
        # worth trying again; any other 4xx (a bad address, a bad key, a template) is not.
        return exc.status_code == 429 or exc.status_code >= 500
    if isinstance(exc, NotifyTokenError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # Raised only when every recipient was refused: permanent when all were 5xx.
        codes = [code for code, _ in exc.recipients.values()]
        return any(_code_transient(code) for code in codes) or not codes
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        # SMTPAuthenticationError (535), SMTPSenderRefused, SMTPDataError, SMTPHeloError…
        return _code_transient(exc.smtp_code)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return False  # e.g. a non-ASCII address to a server without SMTPUTF8
    if isinstance(exc, ssl.SSLCertVerificationError):
        return False  # configuration: the same certificate fails the same way
    if isinstance(exc, OSError):
        # ConnectionRefusedError, ConnectionResetError, BrokenPipeError, TimeoutError
        # (socket.timeout), socket.gaierror, other SSL and socket errors.
        return True
    if isinstance(exc, ValueError):
        # A bad address: Django's sanitize_address, BadHeaderError, UnicodeEncodeError.
        return False
    return None


def describe(exc: BaseException) -> str:
    """The error's class and code, never its text (which may quote an address)."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"{name} {','.join(map(str, codes))}".strip()
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name} {exc.smtp_code}"
    if isinstance(exc, NotifyAPIError):
        return f"Notify {name} {exc.status_code}"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{name} [Errno {exc.errno}] {exc.strerror}"
    return name


def site_link(path: str) -> str:
    """An absolute link into the service for a message (``SITE_URL`` + ``path``)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def compose(name: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The subject and body of the message ``name`` (its two templates). The subject is one
    line whatever the data held: a line break in a header is refused by the mailer."""
    subject = render_to_string(f"{name}.subject.txt", context)
    return one_line(subject.removesuffix("\n")), render_to_string(f"{name}.txt", context)


#: A file sent with a message: (file name, content, MIME type).
Attachment = tuple[str, bytes, str]


def send_mail(
    subject: str,
    message: str,
    recipient_list: Sequence[str],
    attachments: Sequence[Attachment] = (),
    reference: str = "",
) -> int:
    """Send one message through the configured channel (``MESSAGE_CHANNEL``: SMTP from
    ``DEFAULT_FROM_EMAIL``, or GOV.UK Notify); raise ``SendFailure`` if it was not sent (so a
    claim recorded with it rolls back). ``attachments`` go with an SMTP message; Notify sends
    a file only through a template made for one (``NOTIFY_FILE_TEMPLATE_ID``, with a
    ``((file))`` placeholder for its download link), so without that template the message
    goes without it (every message that carries a file also links to it in its words).
    ``reference``: what the message is (no personal data), Notify's ``reference``."""
    try:
        if settings.MESSAGE_CHANNEL == "notify":
            sent = _send_by_notify(subject, message, list(recipient_list), attachments, reference)
        elif attachments:
            email = mail.EmailMessage(subject, message, None, list(recipient_list))
            for name, content, mimetype in attachments:
                email.attach(name, content, mimetype)
            sent = email.send()
        else:
            sent = mail.send_mail(subject, message, None, list(recipient_list))
    except Exception as exc:
        transient = is_transient(exc)
        if transient is None:
            raise
        failure = describe(exc)
    else:
        if not sent:
            raise PermanentSendFailure("no recipient")
        return sent
    # Raised outside the except block: nothing chained, nothing quoting the address.
    raise (TransientSendFailure if transient else PermanentSendFailure)(failure)


#: How long Notify's channel remembers that a message went to an address (seconds): longer
#: than a task's retries take (about 15 minutes) and than a lost task takes to come back
#: (``REDIS_VISIBILITY_TIMEOUT``, an hour), shorter than the day between two reminders.
NOTIFY_SERVED_FOR = 6 * 60 * 60


def _send_by_notify(
    subject: str,
    message: str,
    recipients: list[str],
    attachments: Sequence[Attachment] = (),
    reference: str = "",
) -> int:
    """GOV.UK Notify (the official client): one e-mail each, through one template whose
    subject is ``((subject))`` and body ``((body))`` (``NOTIFY_TEMPLATE_ID``), so every
    message keeps its words here, in its templates.

    Notify takes one address a call, so a message to several can fail part way (a 429 for
    the third). Each address served is remembered in the cache for ``NOTIFY_SERVED_FOR``,
    so the retry sends only to the rest: nobody gets the same message twice."""
    client = NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.EMAIL_TIMEOUT
    )
    for address in recipients:
        served = _served_key(address, subject, message, reference)
        if cache.get(served):
            continue
        template, personalisation = (
            settings.NOTIFY_TEMPLATE_ID,
            {"subject": subject, "body": message},
        )
        if attachments and settings.NOTIFY_FILE_TEMPLATE_ID:
            name, content, _ = attachments[0]
            template = settings.NOTIFY_FILE_TEMPLATE_ID
            personalisation["file"] = prepare_upload(
                io.BytesIO(content), filename=name, confirm_email_before_download=True
            )
        client.send_email_notification(
            email_address=address,
            template_id=template,
            personalisation=personalisation,
            reference=reference or None,
        )
        cache.set(served, 1, timeout=NOTIFY_SERVED_FOR)
    return len(recipients)


def _served_key(address: str, subject: str, message: str, reference: str = "") -> str:
    """A digest of the key, the address, the words and the message's own reference (two
    messages may say the same, a move back to an earlier time): nothing readable is kept."""
    parts = (settings.NOTIFY_API_KEY, address.lower(), subject, message, reference)
    return "notify-served:" + hashlib.sha256("\0".join(parts).encode()).hexdigest()


def retry_delay(retries: int) -> int:
    """Seconds before retry number ``retries`` (0 for the first): exponential, bounded,
    with jitter so that messages failed together do not all come back together."""
    ceiling = min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2**retries)
    return ceiling - secrets.randbelow(ceiling // 2 + 1)
