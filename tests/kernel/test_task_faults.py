"""Faults: a worker killed mid-send (the task runs again, the message goes once), and
e-mail failures, transient (retried, bounded) or permanent (logged, not retried), for the
candidate messages and the periodic reminder runs."""

from __future__ import annotations

import logging
import os
import signal
import smtplib
import socket
import ssl
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail as django_mail
from django.core.mail import BadHeaderError
from django.utils import timezone

from accounts.models import Role
from adjustments.models import AdjustmentRequest, Reminder
from adjustments.services import adjustments_send_reminders
from config.celery_app import app as celery_app
from kernel import mail
from recruitment.applications.notifications import scoring_reminders_send
from recruitment.models import Notification, ScoringReminder
from recruitment.tasks import send_notification
from tests.support.factories import ApplicationFactory, UserFactory, set_vacancy_status
from tests.support.mail_backends import ATTEMPTS, DELIVERED, ScriptedBackend, records
from tests.support.workers import wait_for
from vacancies.models import Vacancy

ADDRESS = "amara@example.org"  # the candidate fixture's


# --- One place tells transient from permanent -------------------------------------------------


def refused(*codes):
    return smtplib.SMTPRecipientsRefused(
        {f"person{i}@example.org": (code, b"refused") for i, code in enumerate(codes)}
    )


@pytest.mark.parametrize(
    ("error", "transient", "described"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True,
         "ConnectionRefusedError [Errno 111] Connection refused"),
        (ConnectionResetError(104, "Connection reset by peer"), True,
         "ConnectionResetError [Errno 104] Connection reset by peer"),
        (TimeoutError("timed out"), True, "TimeoutError"),
        (socket.gaierror(-3, "Temporary failure in name resolution"), True,
         "gaierror [Errno -3] Temporary failure in name resolution"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True,
         "SMTPServerDisconnected"),
        (smtplib.SMTPConnectError(-1, b"cannot connect"), True, "SMTPConnectError -1"),
        (smtplib.SMTPResponseException(421, b"4.3.2 Service not available"), True,
         "SMTPResponseException 421"),
        (smtplib.SMTPDataError(451, b"4.7.1 Greylisted, try again later"), True,
         "SMTPDataError 451"),
        (smtplib.SMTPSenderRefused(452, b"4.3.1 Insufficient storage", "hr@example.org"), True,
         "SMTPSenderRefused 452"),
        (refused(450), True, "SMTPRecipientsRefused 450"),
        (refused(550, 451), True, "SMTPRecipientsRefused 451,550"),
        (refused(550, 553), False, "SMTPRecipientsRefused 550,553"),
        (smtplib.SMTPDataError(554, b"5.6.0 Message rejected"), False, "SMTPDataError 554"),
        (smtplib.SMTPSenderRefused(553, b"5.1.8 Bad sender", "hr@example.org"), False,
         "SMTPSenderRefused 553"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), False,
         "SMTPAuthenticationError 535"),
        (smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"), False,
         "SMTPNotSupportedError"),
        (BadHeaderError("Header values can't contain newlines"), False, "BadHeaderError"),
        (ValueError("Invalid address 'not an address'"), False, "ValueError"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), False,
         "SSLCertVerificationError [Errno 1] certificate verify failed"),
    ],
)  # fmt: skip
def test_send_failures_are_transient_or_permanent_in_one_place(error, transient, described):
    assert mail.is_transient(error) is transient
    assert mail.describe(error) == described


def test_an_error_that_is_not_about_sending_is_neither():
    assert mail.is_transient(KeyError("kind")) is None
    assert mail.is_transient(TypeError("bad call")) is None


def test_a_failure_names_no_address():
    error = smtplib.SMTPRecipientsRefused(
        {ADDRESS: (550, f"5.1.1 <{ADDRESS}>: Recipient address rejected".encode())}
    )
    assert ADDRESS in str(error)
    assert mail.describe(error) == "SMTPRecipientsRefused 550"


def test_the_backoff_doubles_from_30_seconds_up_to_600_with_jitter(monkeypatch):
    monkeypatch.setattr(mail.secrets, "randbelow", lambda n: 0)
    assert [mail.retry_delay(n) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]
    monkeypatch.setattr(mail.secrets, "randbelow", lambda n: n - 1)  # the most jitter
    assert [mail.retry_delay(n) for n in range(7)] == [15, 30, 60, 120, 240, 300, 300]
    assert mail.MAX_RETRIES == 5
    assert settings.REDIS_VISIBILITY_TIMEOUT > mail.RETRY_BACKOFF_MAX


@pytest.mark.django_db
def test_a_message_with_no_recipient_is_not_sent_and_says_so():
    with pytest.raises(mail.PermanentSendFailure, match="no recipient"):
        mail.send_mail("Subject", "Body", [])


# --- The candidate message task ---------------------------------------------------------------


@pytest.fixture
def scripted(settings):
    settings.EMAIL_BACKEND = "tests.support.mail_backends.ScriptedBackend"
    ScriptedBackend.script()
    yield ScriptedBackend
    ScriptedBackend.script()


@pytest.fixture
def eager_with_retries(monkeypatch):
    """Tasks run in this process, and a retry runs again at once, in this process too. That
    needs ``task_eager_propagates`` off: with it on (the settings' embedded default, so that
    errors surface), Celery hands the caller the ``Retry`` instead (see the test below). A
    failure is then kept in the result, and ``get()`` raises it."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", False)


@pytest.fixture
def delays(monkeypatch):
    """The retries the task asked for (their number), with the countdown it computed."""
    asked = []
    real = mail.retry_delay

    def spy(retries):
        asked.append(retries)
        return real(retries)

    monkeypatch.setattr(mail, "retry_delay", spy)
    return asked


def task_records(caplog):
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "recruitment.tasks"]


@pytest.mark.django_db
def test_transient_failures_are_retried_and_the_message_goes_once(
    eager_with_retries, scripted, delays, application, caplog
):
    scripted.script(
        failures=[
            ConnectionRefusedError(111, "Connection refused"),
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            smtplib.SMTPResponseException(421, b"4.3.2 Service not available"),
        ]
    )

    result = send_notification.delay(application.pk, "shortlisted")

    assert result.get() is True
    assert len(scripted.attempts) == 4
    assert delays == [0, 1, 2]
    assert [m.to for m in django_mail.outbox] == [[ADDRESS]]
    assert Notification.objects.filter(application=application, kind="shortlisted").count() == 1
    pk = application.pk
    assert task_records(caplog) == [
        (
            "WARNING",
            f"notification shortlisted for application {pk} not sent (transient: "
            "ConnectionRefusedError [Errno 111] Connection refused); retry 1 of 5",
        ),
        (
            "WARNING",
            f"notification shortlisted for application {pk} not sent (transient: "
            "SMTPServerDisconnected); retry 2 of 5",
        ),
        (
            "WARNING",
            f"notification shortlisted for application {pk} not sent (transient: "
            "SMTPResponseException 421); retry 3 of 5",
        ),
    ]


@pytest.mark.django_db
def test_retries_are_bounded_and_nothing_is_recorded_as_sent(
    eager_with_retries, scripted, delays, application, caplog
):
    scripted.script(failures=[TimeoutError("timed out")] * 7)

    result = send_notification.delay(application.pk, "shortlisted")

    assert result.state == "FAILURE"
    with pytest.raises(mail.TransientSendFailure, match="TimeoutError"):
        result.get()

    assert len(scripted.attempts) == 6  # the first try and 5 retries
    assert delays == [0, 1, 2, 3, 4]
    assert django_mail.outbox == []
    assert not Notification.objects.exists()
    assert task_records(caplog)[-1] == (
        "ERROR",
        f"notification shortlisted for application {application.pk} not sent "
        "(transient: TimeoutError); gave up after 5 retries",
    )


@pytest.mark.parametrize(
    ("error", "described"),
    [
        (
            smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 <amara@example.org> unknown")}),
            "SMTPRecipientsRefused 550",
        ),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), "SMTPAuthenticationError 535"),
        (smtplib.SMTPDataError(554, b"5.7.1 Amara Mensah: message refused"), "SMTPDataError 554"),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_a_permanent_failure_is_tried_once_logged_without_the_address_and_not_recorded(
    eager_with_retries, scripted, delays, application, candidate, caplog, error, described
):
    scripted.script(failures=[error])

    assert send_notification.delay(application.pk, "shortlisted").get() is False

    assert len(scripted.attempts) == 1
    assert delays == []
    assert django_mail.outbox == []
    assert not Notification.objects.exists()
    assert task_records(caplog) == [
        (
            "ERROR",
            f"notification shortlisted for application {application.pk} not sent "
            f"(permanent: {described}); not retried",
        )
    ]
    assert ADDRESS not in caplog.text
    assert candidate.full_name not in caplog.text
    assert "Amara" not in caplog.text


@pytest.mark.django_db
def test_a_bad_address_is_a_permanent_failure(
    eager_with_retries, scripted, application, candidate, caplog
):
    type(candidate).objects.filter(pk=candidate.pk).update(
        email="amara@example.org\nBcc: everyone@example.org"
    )

    assert send_notification.delay(application.pk, "shortlisted").get() is False

    assert len(scripted.attempts) == 1
    assert django_mail.outbox == []
    assert not Notification.objects.exists()
    assert task_records(caplog) == [
        (
            "ERROR",
            f"notification shortlisted for application {application.pk} not sent "
            "(permanent: BadHeaderError); not retried",
        )
    ]
    assert "amara@" not in caplog.text


@pytest.mark.django_db
def test_a_programming_error_is_not_taken_for_a_send_failure(
    eager_with_retries, scripted, application
):
    with pytest.raises(ValueError, match="unknown notification"):
        send_notification.delay(application.pk, "congratulations").get()
    assert scripted.attempts == []


@pytest.mark.django_db
def test_eagerly_with_errors_propagated_the_caller_gets_the_retry(
    eager_with_retries, monkeypatch, scripted, application
):
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", True)
    scripted.script(failures=[ConnectionResetError(104, "Connection reset by peer")])

    with pytest.raises(Retry, match="ConnectionResetError"):
        send_notification.delay(application.pk, "shortlisted")

    assert len(scripted.attempts) == 1
    assert not Notification.objects.exists()


# --- Reminder runs carry on past a failed send -------------------------------------------------


@pytest.fixture
def waiting_for_both(vacancy):
    """Closed three days ago with one application that neither panel member has scored."""
    closed = set_vacancy_status(vacancy, "closed")
    Vacancy.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=3))
    return ApplicationFactory(vacancy=closed)


def reminder_of(vacancy, member, application):
    return {
        "vacancy": vacancy.pk,
        "member": member.pk,
        "stage": "shortlisting",
        "applications": [application.pk],
    }


@pytest.mark.parametrize(
    ("error", "level", "outcome"),
    [
        (refused(452), "WARNING", "(transient: SMTPRecipientsRefused 452); left for the next run"),
        (refused(550), "ERROR", "(permanent: SMTPRecipientsRefused 550)"),
    ],
)
@pytest.mark.django_db
def test_a_scoring_reminder_run_carries_on_past_a_failing_recipient(
    scripted,
    waiting_for_both,
    vacancy,
    panel_member,
    other_panel_member,
    caplog,
    error,
    level,
    outcome,
):
    scripted.script(refuse={panel_member.email: error})

    sent = scoring_reminders_send()

    assert sent == [reminder_of(vacancy, other_panel_member, waiting_for_both)]
    assert [a[1] for a in scripted.attempts] == [[panel_member.email], [other_panel_member.email]]
    assert [m.to for m in django_mail.outbox] == [[other_panel_member.email]]
    assert list(ScoringReminder.objects.values_list("member_id", flat=True)) == [
        other_panel_member.pk
    ]
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [
        (
            level,
            f"scoring reminder (vacancy {vacancy.pk}, shortlisting, member {panel_member.pk}) "
            f"not sent {outcome}",
        )
    ]
    assert panel_member.email not in caplog.text

    # Mended: the next run sends what was left, and only that.
    scripted.script()
    assert scoring_reminders_send() == [reminder_of(vacancy, panel_member, waiting_for_both)]
    assert scoring_reminders_send() == []
    assert ScoringReminder.objects.count() == 2


@pytest.fixture
def two_requests_due(vacancy):
    UserFactory(role=Role.HR, email="coordinator@example.org")
    requests = []
    for _ in range(2):
        application = ApplicationFactory(
            vacancy=vacancy, interview_at=timezone.now() + timedelta(days=1)
        )
        requests.append(
            AdjustmentRequest.objects.create(
                application=application,
                stage="interview",
                category="extra_time",
                details="Private details.",
            )
        )
    return requests


@pytest.mark.parametrize(
    ("error", "level", "outcome"),
    [
        (smtplib.SMTPServerDisconnected("gone"), "WARNING",
         "(transient: SMTPServerDisconnected); left for the next run"),
        (smtplib.SMTPDataError(554, b"5.6.0 Message rejected"), "ERROR",
         "(permanent: SMTPDataError 554)"),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_an_adjustment_reminder_run_carries_on_past_a_failed_send(
    scripted, two_requests_due, caplog, error, level, outcome
):
    scripted.script(failures=[error])  # the first send fails, the second goes

    sent = adjustments_send_reminders()

    by_reference = {r.application.reference: r.pk for r in two_requests_due}
    failed, went = (by_reference[a[0].rsplit(" ", 1)[-1]] for a in scripted.attempts)
    assert sent == {"reminder": [went], "escalation": []}
    assert list(Reminder.objects.values_list("adjustment_id", flat=True)) == [went]
    assert len(django_mail.outbox) == 1
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [(level, f"adjustment {failed} reminder not sent {outcome}")]

    scripted.script()
    assert adjustments_send_reminders() == {"reminder": [failed], "escalation": []}
    assert adjustments_send_reminders() == {"reminder": [], "escalation": []}


@pytest.mark.django_db
def test_an_adjustment_reminder_with_no_coordinator_to_send_to_is_not_recorded(
    scripted, vacancy, caplog
):
    application = ApplicationFactory(
        vacancy=vacancy, interview_at=timezone.now() + timedelta(days=1)
    )
    adjustment = AdjustmentRequest.objects.create(
        application=application, stage="interview", category="extra_time", details="Private."
    )

    assert adjustments_send_reminders() == {"reminder": [], "escalation": []}

    assert not Reminder.objects.exists()
    assert f"adjustment {adjustment.pk} reminder not sent (permanent: no recipient)" in (
        caplog.text
    )


# --- A worker killed in the middle of a send --------------------------------------------------


def attempts(workers):
    return records(workers.directory, ATTEMPTS)


def delivered(workers):
    return records(workers.directory, DELIVERED)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(workers, application):
    """The whole worker dies (SIGKILL to it and its pool): the message it had taken stays
    unacknowledged in Redis until the visibility timeout passes, then another worker runs
    the task again; the claim of the killed attempt rolled back with its connection."""
    send_notification.apply_async(
        (application.pk, "shortlisted"), queue=workers.queue, ignore_result=True
    )
    first = workers.start("first")  # the production visibility timeout: 3600 s
    wait_for(lambda: attempts(workers), "the first worker to start sending")

    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    assert workers.waiting() == 0
    (tag,) = workers.unacked()  # taken, never acknowledged: not lost
    taken_at = workers.redis.zscore("unacked_index", tag)
    assert not Notification.objects.exists()  # the claim rolled back with the send
    assert delivered(workers) == []

    second = workers.start("second", visibility_timeout=2)
    wait_for(lambda: delivered(workers), "the second worker to deliver", timeout=25)
    wait_for(lambda: not workers.unacked(), "the second worker to acknowledge the task")
    workers.stop(second)

    tries = attempts(workers)
    assert len(tries) == 2
    assert tries[0]["pid"] != tries[1]["pid"]
    assert tries[1]["at"] >= taken_at + 2  # given again only after the visibility timeout
    assert [d["to"] for d in delivered(workers)] == [[ADDRESS]]
    assert Notification.objects.filter(application=application, kind="shortlisted").count() == 1
    assert workers.waiting() == 0


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_send_is_run_again_at_once_and_sends_once(workers, application):
    """Only the pool process dies (as the OOM killer would): the worker rejects the task
    back onto the queue (reject_on_worker_lost) and runs it again in a new pool process."""
    send_notification.apply_async(
        (application.pk, "shortlisted"), queue=workers.queue, ignore_result=True
    )
    worker = workers.start("only")
    first_try = wait_for(lambda: attempts(workers), "the worker to start sending")[0]
    assert first_try["pid"] != worker.pid  # the pool process, not the worker

    os.kill(first_try["pid"], signal.SIGKILL)

    wait_for(lambda: delivered(workers), "the worker to deliver")
    wait_for(lambda: not workers.unacked(), "the worker to acknowledge the task")
    workers.stop(worker)

    tries = attempts(workers)
    assert len(tries) == 2
    assert tries[1]["pid"] not in (first_try["pid"], worker.pid)
    assert [d["to"] for d in delivered(workers)] == [[ADDRESS]]
    assert Notification.objects.filter(application=application, kind="shortlisted").count() == 1
    assert "WorkerLostError" in workers.log("only")
