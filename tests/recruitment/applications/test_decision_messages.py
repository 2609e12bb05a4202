"""Messages about decisions: candidates are told of shortlisting, rejection and offers once,
through Celery on commit; panel members are reminded of applications waiting for their
scores once each. A retried task sends nothing twice; a refused action sends nothing."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from config.celery_app import app as celery_app
from kernel.errors import DomainError
from recruitment.applications import services
from recruitment.applications.notifications import notify, scoring_reminders_send
from recruitment.models import Notification, ScoringReminder
from recruitment.scoring import decisions
from recruitment.tasks import send_notification, send_scoring_reminders
from tests.conftest import require
from tests.recruitment.scoring.test_guarantee import SCHEME_WORDS
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    ScoreFactory,
    agree,
    set_state,
)
from tests.support.workers import redis_available
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(closed, candidate):
    return ApplicationFactory(vacancy=closed, candidate=candidate)


def only_message():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def test_shortlisting_tells_the_candidate_once(
    eager, submitted, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.application_shortlist(application_id=submitted.pk, by=chair)

    assert len(callbacks) == 1
    message = only_message()
    assert message.to == ["amara@example.org"]
    assert message.subject == "You have been shortlisted: Senior Social Worker"
    assert message.body.startswith("Dear Amara Mensah,\n\nThank you for applying for Senior")
    assert submitted.reference in message.body
    assert "adjustments" in message.body
    assert f"/applications/{submitted.pk}/" in message.body
    assert "&#x27;" not in message.body  # plain text, not HTML-escaped
    # A retried task sends nothing twice.
    assert send_notification(submitted.pk, "shortlisted") is False
    assert len(mail.outbox) == 1
    assert list(Notification.objects.values_list("kind", flat=True)) == ["shortlisted"]


def test_a_rejection_at_sift_is_told_when_the_sift_is_complete_respectfully(
    eager, submitted, chair, django_capture_on_commit_callbacks
):
    agree(submitted, [1, 1, 1])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application_id=submitted.pk, by=chair, reason="Weaker evidence of casework."
        )
    # Not yet: the interview guarantee, applied when the sift is complete, may invite them.
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        decisions.sift_complete(vacancy_id=submitted.vacancy_id, by=chair, confirm=True)

    message = only_message()
    assert message.subject == "Your application for Senior Social Worker"
    assert "Thank you for applying" in message.body
    assert "We are sorry to tell you that we will not be inviting you to an interview" in (
        message.body
    )
    assert "feedback" in message.body
    # The recorded reason is for the history; the message does not quote it.
    assert "Weaker evidence" not in message.body
    assert not any(word in message.body.lower() for word in SCHEME_WORDS)


def test_a_rejection_after_interview_and_an_offer_each_send_their_own_message(
    eager, closed, chair, django_capture_on_commit_callbacks
):
    not_chosen = set_state(ApplicationFactory(vacancy=closed), "interviewed", "interviewed")
    chosen = set_state(ApplicationFactory(vacancy=closed), "interviewed", "interviewed")
    agree(chosen, [3] * closed.criteria.count(), stage="interview")

    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application_id=not_chosen.pk, by=chair, reason="Close call.")
        services.application_offer(application_id=chosen.pk, by=chair)

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([not_chosen.candidate.email], "Your interview for Senior Social Worker"),
        ([chosen.candidate.email], "Job offer: Senior Social Worker"),
    ]
    assert "decided not to offer you the job" in mail.outbox[0].body
    assert "We are delighted to offer you the job" in mail.outbox[1].body
    assert "Access to Work" in mail.outbox[1].body


def test_a_refused_action_sends_nothing(
    eager, submitted, chair, django_capture_on_commit_callbacks
):
    GuaranteeDeclarationFactory(application=submitted)
    agree(submitted, [3])  # the second essential criterion not agreed

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError, match="Agree a score for every essential criterion"),
    ):
        services.application_reject(application_id=submitted.pk, by=chair, reason="No")

    assert callbacks == []
    assert mail.outbox == []


def test_a_bulk_decision_tells_each_candidate_once(
    eager, closed, chair, django_capture_on_commit_callbacks
):
    applications = [ApplicationFactory(vacancy=closed) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        decisions.applications_bulk_decide(
            vacancy_id=closed.pk,
            by=chair,
            action="shortlist",
            application_ids=[a.pk for a in applications] * 2,
        )
    for application in applications:  # retried tasks
        assert send_notification(application.pk, "shortlisted") is False

    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.candidate.email for a in applications)
    assert Notification.objects.filter(kind="shortlisted").count() == 3


def test_a_failed_send_is_not_recorded_so_a_retry_sends(submitted, monkeypatch):
    set_state(submitted, "shortlisted", "shortlisted")
    monkeypatch.setattr(
        "recruitment.applications.notifications.send_mail",
        lambda *a, **k: (_ for _ in ()).throw(OSError("SMTP down")),
    )
    with pytest.raises(OSError, match="SMTP down"):
        notify(submitted.pk, "shortlisted")
    assert not Notification.objects.exists()

    monkeypatch.undo()
    assert notify(submitted.pk, "shortlisted") is True
    assert notify(submitted.pk, "shortlisted") is False
    assert len(mail.outbox) == 1


def test_an_unknown_message_is_a_programming_error(submitted):
    with pytest.raises(ValueError, match="unknown notification"):
        notify(submitted.pk, "congratulations")


# --- Reminding the panel ----------------------------------------------------------------------


@pytest.fixture
def waiting(closed, panel_member, other_panel_member):
    """Closed three days ago: two applications at the sift; the first panel member has
    scored the first application fully, the second has scored one criterion of it."""
    Vacancy.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=3))
    first = ApplicationFactory(vacancy=closed, candidate__full_name="Zadie Quartermaine")
    second = ApplicationFactory(vacancy=closed)
    for criterion in closed.criteria.all():
        ScoreFactory(application=first, criterion=criterion, scorer=panel_member)
    ScoreFactory(application=first, scorer=other_panel_member)
    return first, second


def test_panel_members_are_reminded_of_what_waits_for_them_once(
    waiting, closed, panel_member, other_panel_member
):
    first, second = waiting

    sent = scoring_reminders_send()
    again = scoring_reminders_send()

    assert sent == [
        {
            "vacancy": closed.pk,
            "member": panel_member.pk,
            "stage": "shortlisting",
            "applications": [second.pk],
        },
        {
            "vacancy": closed.pk,
            "member": other_panel_member.pk,
            "stage": "shortlisting",
            "applications": [first.pk, second.pk],
        },
    ]
    assert again == []
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([panel_member.email], f"Applications waiting for your scores: {closed.reference}"),
        ([other_panel_member.email], f"Applications waiting for your scores: {closed.reference}"),
    ]
    body = mail.outbox[1].body
    assert f"2 applications for {closed.reference} Senior Social Worker are waiting" in body
    assert f"- {first.reference}\n- {second.reference}\n" in body
    assert f"/staff/vacancies/{closed.pk}/scoring/shortlisting/" in body
    assert "Zadie" not in body  # name-blind
    assert ScoringReminder.objects.count() == 3


def test_no_reminder_before_the_panel_has_had_time_or_while_the_vacancy_is_open(
    waiting, closed, vacancy
):
    Vacancy.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=1))
    assert settings.PANEL_SCORING_REMINDER_DAYS == 2
    assert scoring_reminders_send() == []
    Vacancy.objects.filter(pk=closed.pk).update(
        status="open", closed_at=timezone.now() - timedelta(days=3)
    )
    assert scoring_reminders_send() == []
    assert mail.outbox == []


def test_an_interview_waiting_for_scores_gets_its_own_reminder_later(
    waiting, closed, panel_member, other_panel_member
):
    scoring_reminders_send()
    mail.outbox.clear()
    interviewed = set_state(waiting[1], "interviewed", "interviewed")
    type(interviewed).objects.filter(pk=interviewed.pk).update(
        interview_at=timezone.now() - timedelta(days=3)
    )

    sent = scoring_reminders_send()

    assert [(s["member"], s["stage"], s["applications"]) for s in sent] == [
        (panel_member.pk, "interview", [interviewed.pk]),
        (other_panel_member.pk, "interview", [interviewed.pk]),
    ]
    assert "waiting for your interview scores" in mail.outbox[0].body


def test_a_failed_reminder_is_not_recorded_so_the_next_run_sends(waiting, monkeypatch):
    monkeypatch.setattr(
        "recruitment.applications.notifications.send_mail",
        lambda *a, **k: (_ for _ in ()).throw(OSError("SMTP down")),
    )
    with pytest.raises(OSError, match="SMTP down"):
        scoring_reminders_send()
    assert not ScoringReminder.objects.exists()

    monkeypatch.undo()
    assert len(scoring_reminders_send()) == 2
    assert len(mail.outbox) == 2


def test_the_reminder_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-panel-members-of-unscored-applications"]
    assert (
        entry["task"] == send_scoring_reminders.name == "recruitment.tasks.send_scoring_reminders"
    )
    assert entry["schedule"] == timedelta(hours=1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_reminder_task_on_a_real_worker_run_twice_reminds_once(vacancy, panel_member, settings):
    require(redis_available(), "Redis (REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Vacancy.objects.filter(pk=vacancy.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=3)
    )
    application = ApplicationFactory(vacancy=vacancy)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = send_scoring_reminders.delay().get(timeout=30)
        second = send_scoring_reminders.delay().get(timeout=30)

    assert [s["applications"] for s in first] == [[application.pk], [application.pk]]
    assert second == []
    assert ScoringReminder.objects.count() == 2
