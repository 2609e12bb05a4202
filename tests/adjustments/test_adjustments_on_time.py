"""Adjustments on time: due dates, reminders and escalations sent once, the interview
invitation, and the anonymised report."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from adjustments.models import AdjustmentRequest, Reminder
from adjustments.reporting import DECISION_BANDS, _median_band
from adjustments.services import add_working_days, adjustments_send_reminders
from adjustments.tasks import send_adjustment_reminders
from kernel.template_filters import govuk_time
from recruitment.applications.services import application_schedule_interview
from recruitment.models import Notification
from recruitment.monitoring import disclosure, release
from recruitment.tasks import send_notification
from tests.conftest import require
from tests.recruitment.monitoring.test_statistics import PAST, finish
from tests.support.factories import (
    ApplicationFactory,
    UserFactory,
    VacancyFactory,
    set_state,
    set_vacancy_status,
)
from tests.vacancies.test_tasks import redis_available

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
    due_by = AdjustmentRequest.objects.with_due_by().get(pk=adjustment.pk).due_by
    assert message.body == (
        "An adjustment request is still waiting for a decision.\n\n"
        f"Application: {application.reference} ({application.vacancy.reference} "
        f"{application.vacancy.title})\n"
        "Stage: Interview\n"
        "Category: Extra time\n"
        f"Needed by: {timezone.localtime(due_by):%A %-d %B %Y}, "
        f"{govuk_time(timezone.localtime(due_by))}\n"
        f"Decide it here: {settings.SITE_URL}/staff/adjustments/{adjustment.pk}/\n"
    )


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
    local = timezone.localtime(when)
    assert f"{local:%A %-d %B %Y} at {govuk_time(local)}" in message.body
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
    """Requests on the campaigns of a finished, published reporting year (2024-25), each figure
    the true count perturbed by its cell key (the requests' record keys and the unit's secret
    offset) as computed here from the rows; a small department of the same year is withheld."""
    # The fixture's campaign: 23 applications (enough for the organisation's applied stage),
    # 12 extra-time requests agreed and in place before the interview, 9 communication-support
    # requests declined, 2 rest-breaks requests still open. Filled, closed in April 2024.
    campaign = finish(vacancy, year=PAST)
    asked = campaign.closed_at + timedelta(days=1)
    for _ in range(12):
        app = ApplicationFactory(vacancy=campaign)
        type(app).objects.filter(pk=app.pk).update(interview_at=asked + timedelta(days=5))
        r = request_for(app)
        AdjustmentRequest.objects.filter(pk=r.pk).update(
            state="in_place",
            requested_at=asked,
            decided_at=asked + timedelta(days=2),
            in_place_at=asked + timedelta(days=3),
        )
    for _ in range(9):
        r = request_for(ApplicationFactory(vacancy=campaign), category="communication_support")
        AdjustmentRequest.objects.filter(pk=r.pk).update(
            state="declined", requested_at=asked, decided_at=asked + timedelta(days=4)
        )
    for _ in range(2):
        request_for(ApplicationFactory(vacancy=campaign), category="rest_breaks")
    # A department of the same year with 5 applications, each with an agreed request.
    small = finish(VacancyFactory(department="Adult Services"), year=PAST)
    for _ in range(5):
        r = request_for(ApplicationFactory(vacancy=small))
        AdjustmentRequest.objects.filter(pk=r.pk).update(
            state="agreed", requested_at=asked, decided_at=asked + timedelta(days=1)
        )

    response = client_for(hr).get("/api/v1/monitoring/adjustments/?preset=nhs")

    assert response.status_code == 200
    report = response.json()
    # The newest published year, the whole organisation: both campaigns' requests.
    assert (report["unit"]["kind"], report["unit"]["period"]) == ("organisation", "2024-25")
    assert report["withheld"] is None
    salt = release.select(period="2024-25").salt("adjustments")

    def published(**where):
        requests = list(AdjustmentRequest.objects.filter(**where))
        keys = sum(r.record_key & 255 for r in requests)
        return disclosure.perturb(len(requests), keys + salt)

    agreed = {"state__in": ["agreed", "in_place"]}
    rows = {r["category"]: r for r in report["rows"]}
    assert set(rows) == {"extra_time", "communication_support", "rest_breaks"}
    assert rows["extra_time"]["counts"]["agreed"] == published(category="extra_time", **agreed)
    assert abs(rows["extra_time"]["counts"]["agreed"] - 17) <= 2  # 12 + 5, within 2
    assert rows["communication_support"]["counts"]["declined"] == published(state="declined")
    assert rows["rest_breaks"]["counts"]["open"] == published(state="requested")
    assert rows["rest_breaks"]["counts"]["declined"] is None  # nobody: never a published 0
    assert report["totals"]["agreed"] == published(**agreed)
    assert report["totals"]["open"] == published(state="requested")
    assert rows["rest_breaks"]["total"] == published(category="rest_breaks")
    assert report["total"] == published()
    assert abs(report["total"] - 28) <= 2
    assert report["decided"] == published(decided_at__isnull=False)
    # Days to a decision, in bands: 17 within 2 days, 9 in 3 to 5, none later. An empty band
    # is null like a withheld one, and a null band could hold the middle: no median.
    assert report["days_to_decision"] == {
        "within 2 days": published(category="extra_time", decided_at__isnull=False),
        "3 to 5 days": published(state="declined"),
        "6 to 10 days": None,
        "11 to 20 days": None,
        "more than 20 days": None,
    }
    assert report["median_days_to_decision"] is None
    assert report["in_place_before_stage"] == published(state="in_place")
    assert report["not_in_place_before_stage"] is None  # none late: never a published 0
    # Small numbers: a published count is never 1 to 9.
    figures = [
        *(n for row in report["rows"] for n in [*row["counts"].values(), row["total"]]),
        *report["totals"].values(),
        *report["days_to_decision"].values(),
    ]
    assert not [n for n in figures if n is not None and n < disclosure.THRESHOLD]

    # The small department alone: fewer than 20 applications, so nothing of it is released.
    department = client_for(hr).get(
        "/api/v1/monitoring/adjustments/?period=2024-25&department=Adult Services"
    )
    assert department.status_code == 200
    withheld = department.json()
    assert withheld["unit"]["label"] == "Department: Adult Services"
    assert withheld["withheld"] == "Fewer than 20 people reached this stage."
    assert withheld["rows"] == []
    assert (withheld["total"], withheld["decided"], withheld["median_days_to_decision"]) == (
        None,
        None,
        None,
    )
    assert set(withheld["totals"].values()) == {None}


def decided_requests(campaign, n, days):
    asked = campaign.closed_at + timedelta(days=1)
    for _ in range(n):
        r = request_for(ApplicationFactory(vacancy=campaign))
        AdjustmentRequest.objects.filter(pk=r.pk).update(
            state="agreed", requested_at=asked, decided_at=asked + timedelta(days=days)
        )


def test_the_report_withholds_the_median_when_the_decisions_are_few(hr, client_for):
    """A released year (25 applications) with 3 decisions: the median could be any band."""
    campaign = finish(VacancyFactory(), year=PAST)
    ApplicationFactory.create_batch(22, vacancy=campaign)
    decided_requests(campaign, 3, days=1)

    report = client_for(hr).get("/api/v1/monitoring/adjustments/?period=2024-25").json()

    assert report["withheld"] is None  # the unit is released: only the decisions are few
    # A true 3 is usually withheld and sometimes shown as 10 (the table is unbiased);
    # either way the four other bands are null and could hold up to 36 between them.
    bands = list(report["days_to_decision"].values())
    assert bands[1:] == [None, None, None, None]
    assert bands[0] in (None, 10, 11)  # a true 3 is published as 0 (null), 10 or 11
    assert report["median_days_to_decision"] is None


def test_the_report_gives_the_median_when_no_null_band_could_move_it(hr, client_for):
    """40 decisions within 2 days and none later: even with 9 in each of the four null bands
    (36), the middle is in the first band, so the median is released."""
    campaign = finish(VacancyFactory(), year=PAST)
    decided_requests(campaign, 40, days=1)

    report = client_for(hr).get("/api/v1/monitoring/adjustments/?period=2024-25").json()

    assert report["days_to_decision"]["within 2 days"] in range(38, 43)
    assert list(report["days_to_decision"].values())[1:] == [None, None, None, None]
    assert report["median_days_to_decision"] == "within 2 days"


@pytest.mark.parametrize(
    ("bands", "median"),
    [
        ([40, None, None, None, None], "within 2 days"),
        ([35, None, None, None, None], None),  # 35 + 4 x 9 = 71: the middle could be later
        ([None, None, None, None, None], None),
        ([12, 30, None, 11, None], "3 to 5 days"),
        ([None, 25, None, None, None], None),  # 9 + 25 could be before or at the middle
        ([None, 60, None, None, None], "3 to 5 days"),
        ([20, 20, 20, 20, 20], "6 to 10 days"),
        ([10, 10, None, 10, 10], None),  # the middle band is the null one or its neighbours
    ],
)
def test_the_median_band_is_released_only_when_every_reading_of_the_nulls_agrees(bands, median):
    histogram = dict(zip([label for label, _ in DECISION_BANDS], bands, strict=True))
    assert _median_band(histogram) == median


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_only_hr_sees_the_report(persona, request, client_for):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/api/v1/monitoring/adjustments/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_a_bad_preset_is_a_400_naming_it(hr, client_for):
    response = client_for(hr).get("/api/v1/monitoring/adjustments/?preset=none")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["preset"]
