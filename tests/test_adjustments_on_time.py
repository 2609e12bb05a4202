"""Adjustments on time: due dates, reminders and escalations sent once, the interview
invitation, and the anonymised report."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from adjustments.models import AdjustmentRequest, Reminder
from adjustments.services import add_working_days, adjustments_send_reminders
from adjustments.tasks import send_adjustment_reminders
from recruitment.models import Notification
from recruitment.services import application_schedule_interview
from recruitment.tasks import send_notification
from tests.conftest import require
from tests.factories import ApplicationFactory, UserFactory, set_state, set_vacancy_status
from tests.test_tasks import redis_available

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def request_for(application, stage="interview", category="extra_time", state="requested"):
    adjustment = AdjustmentRequest.objects.create(
        application=application, stage=stage, category=category, details="Private details."
    )
    if state != "requested":
        AdjustmentRequest.objects.filter(pk=adjustment.pk).update(state=state)
    return adjustment


def interview_in(application, delta):
    type(application).objects.filter(pk=application.pk).update(interview_at=timezone.now() + delta)


@pytest.fixture
def coordinator(db):
    return UserFactory(role=Role.HR, email="coordinator@example.org")


def test_working_days_skip_the_weekend():
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)
    assert add_working_days(friday, 1) == datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
    assert add_working_days(friday, 3) == datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)


def test_an_open_request_due_soon_is_reminded_once(application, coordinator):
    interview_in(application, timedelta(days=1))
    adjustment = request_for(application)

    first = adjustments_send_reminders()
    second = adjustments_send_reminders()

    assert first == {"reminder": [adjustment.pk], "escalation": []}
    assert second == {"reminder": [], "escalation": []}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coordinator@example.org"]
    assert message.subject == f"Due soon: adjustment request for {application.reference}"
    assert "Private details." not in message.body
    assert f"/staff/adjustments/{adjustment.pk}/" in message.body


def test_an_overdue_request_is_escalated_once_and_decided_or_distant_ones_are_left(
    vacancy, coordinator
):
    overdue_app = ApplicationFactory(vacancy=vacancy)
    interview_in(overdue_app, -timedelta(hours=2))
    overdue = request_for(overdue_app)
    agreed_app = ApplicationFactory(vacancy=vacancy)
    interview_in(agreed_app, timedelta(days=1))
    request_for(agreed_app, state="agreed")
    distant_app = ApplicationFactory(vacancy=vacancy)
    interview_in(distant_app, timedelta(days=30))
    request_for(distant_app)
    undated = request_for(ApplicationFactory(vacancy=vacancy), stage="start")

    assert adjustments_send_reminders() == {"reminder": [], "escalation": [overdue.pk]}
    assert adjustments_send_reminders() == {"reminder": [], "escalation": []}
    assert [m.subject for m in mail.outbox] == [
        f"OVERDUE: adjustment request for {overdue_app.reference}"
    ]
    assert not Reminder.objects.filter(adjustment=undated).exists()


def test_a_failed_send_is_not_recorded_so_the_next_run_sends(application, coordinator, monkeypatch):
    interview_in(application, timedelta(days=1))
    adjustment = request_for(application)
    monkeypatch.setattr(
        "adjustments.services.send_mail",
        lambda *a, **k: (_ for _ in ()).throw(OSError("SMTP down")),
    )
    with pytest.raises(OSError, match="SMTP down"):
        adjustments_send_reminders()
    assert not Reminder.objects.exists()

    monkeypatch.undo()
    assert adjustments_send_reminders()["reminder"] == [adjustment.pk]
    assert len(mail.outbox) == 1


def test_scheduling_an_interview_invites_the_candidate_once_with_the_access_to_work_prompt(
    vacancy, chair, candidate, django_capture_on_commit_callbacks, monkeypatch
):
    from config.celery_app import app as celery_app

    # The chain on commit → task → e-mail, run in this process (a worker runs it in CI too:
    # see test_the_reminder_task_on_a_real_worker_run_twice_sends_one_reminder).
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    set_vacancy_status(vacancy, "closed")
    application = set_state(
        ApplicationFactory(vacancy=vacancy, candidate=candidate), "shortlisted", "shortlisted"
    )
    when = (timezone.now() + timedelta(days=7)).replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application_schedule_interview(application_id=application.pk, by=chair, interview_at=when)

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amara@example.org"]
    assert message.subject == f"Interview invitation: {vacancy.title}"
    assert "adjustments" in message.body
    assert "Access to Work" in message.body
    assert "https://www.gov.uk/access-to-work" in message.body
    assert f"{timezone.localtime(when):%A %d %B %Y at %H:%M}" in message.body
    # A retried task sends nothing twice.
    assert send_notification(application.pk, "interview_invitation") is False
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(application=application).count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_reminder_task_on_a_real_worker_run_twice_sends_one_reminder(
    vacancy, coordinator, settings
):
    require(redis_available(), "Redis (REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app as celery_app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    application = ApplicationFactory(vacancy=vacancy)
    interview_in(application, timedelta(days=1))
    adjustment = request_for(application)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = send_adjustment_reminders.delay().get(timeout=30)
        second = send_adjustment_reminders.delay().get(timeout=30)

    assert first == {"reminder": [adjustment.pk], "escalation": []}
    assert second == {"reminder": [], "escalation": []}
    assert Reminder.objects.filter(adjustment=adjustment).count() == 1
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


# --- The report --------------------------------------------------------------------------------


def test_the_report_counts_outcomes_and_suppresses_small_numbers(vacancy, hr, client_for):
    # 12 extra-time requests agreed and in place on time, 9 communication-support declined,
    # 2 rest breaks still open.
    now = timezone.now()
    for _ in range(12):
        app = ApplicationFactory(vacancy=vacancy)
        interview_in(app, timedelta(days=5))
        r = request_for(app)
        AdjustmentRequest.objects.filter(pk=r.pk).update(
            state="in_place",
            decided_at=now + timedelta(days=2),
            requested_at=now,
            in_place_at=now + timedelta(days=3),
        )
    for _ in range(9):
        r = request_for(ApplicationFactory(vacancy=vacancy), category="communication_support")
        AdjustmentRequest.objects.filter(pk=r.pk).update(
            state="declined", decided_at=now + timedelta(days=4), requested_at=now
        )
    for _ in range(2):
        request_for(ApplicationFactory(vacancy=vacancy), category="rest_breaks")

    response = client_for(hr).get("/api/v1/monitoring/adjustments/?preset=nhs")

    assert response.status_code == 200
    report = response.json()
    rows = {r["category"]: r for r in report["rows"]}
    assert rows["extra_time"]["counts"]["agreed"] == 10  # 12 rounded to the nearest 5
    assert rows["communication_support"]["counts"]["declined"] == 10  # 9 → 10
    assert rows["rest_breaks"]["counts"]["open"] is None  # 2: suppressed
    # Secondary: the open column and the rest-breaks row each hide a second cell.
    assert report["totals"]["open"] is None
    assert rows["rest_breaks"]["total"] is None
    assert report["total"] == 25  # 23 rounded
    assert report["decided"] == 20  # 21 rounded
    assert report["median_days_to_decision"] == 2.0
    assert report["in_place_before_stage"] == 10
    assert report["not_in_place_before_stage"] == 0


def test_the_report_withholds_the_median_when_the_decisions_are_few(vacancy, hr, client_for):
    r = request_for(ApplicationFactory(vacancy=vacancy))
    AdjustmentRequest.objects.filter(pk=r.pk).update(
        state="agreed", decided_at=timezone.now() + timedelta(days=1)
    )

    report = client_for(hr).get("/api/v1/monitoring/adjustments/").json()

    assert (report["decided"], report["median_days_to_decision"]) == (None, None)


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_only_hr_sees_the_report(persona, request, client_for):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/api/v1/monitoring/adjustments/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_a_bad_preset_is_a_400_naming_it(hr, client_for):
    response = client_for(hr).get("/api/v1/monitoring/adjustments/?preset=none")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["preset"]
