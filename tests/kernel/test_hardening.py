"""What an outside tester sent that a deployment must not answer with a 500 or a silent
failure: deep JSON, control characters in credentials and single-line fields, huge numbers
and dates, races on unique values, oversized bodies, caching of personal data."""

import json
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from adjustments.models import AdjustmentRequest
from tests.conftest import require
from tests.support.factories import ApplicationFactory, UserFactory, VacancyFactory
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000  # 2 KB, nested 1,000 levels
DEEPER = '{"a":' * 1000 + "1" + "}" * 1000


def vacancy_body(panel, hiring_manager, **overrides):
    body = {
        "title": "Senior Social Worker",
        "reference": "SW-H-1",
        "department": "Children's Services",
        "grade": "P3",
        "location": "Cambridge",
        "description": "Casework.",
        "salary_min": 41000,
        "salary_max": 45000,
        "closing_date": (timezone.now() + timedelta(days=20)).isoformat(),
        "hiring_manager": hiring_manager.pk,
        "panel": [p.pk for p in panel],
        "criteria": [{"kind": "essential", "text": "Registration"}],
        "pass_mark": 2,
    }
    return {**body, **overrides}


# --- Unauthenticated 500s ---------------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP, DEEPER], ids=["lists", "objects"])
@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token/", "/api/v1/auth/register/", "/api/v1/applications/"]
)
def test_json_nested_a_thousand_levels_deep_is_a_400_not_a_crash(path, body, candidate):
    client = APIClient()
    if path == "/api/v1/applications/":
        client.force_authenticate(candidate)
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "JSON parse error - nested too deeply.",
        "errors": {"non_field_errors": ["JSON parse error - nested too deeply."]},
    }


@pytest.mark.parametrize("key", ["\x00", "abc\x00def", "\x01\x02", "ü" * 40, "x" * 5000])
@pytest.mark.parametrize("path", ["/api/v1/vacancies/", "/api/v1/auth/me/"])
def test_a_token_with_control_characters_or_the_wrong_shape_is_a_401(path, key):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- 500s on staff input ------------------------------------------------------------------------


@pytest.mark.parametrize("to", ["9999-12-31", "0001-01-01"])
def test_the_last_and_first_day_there_is_are_dates_like_any_other(hr, client_for, to):
    response = client_for(hr).get(f"/api/v1/positive-action-decisions/?from=0001-01-01&to={to}")
    assert response.status_code == 200


def test_the_pages_take_the_last_day_there_is_and_refuse_a_year_past_it(hr, client):
    client.force_login(hr)
    page = "/staff/positive-action-decisions/"
    response = client.get(page, {"date_to_0": "31", "date_to_1": "12", "date_to_2": "9999"})
    assert response.status_code == 200
    response = client.get(page, {"date_to_0": "1", "date_to_1": "1", "date_to_2": "99999"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_huge_id_in_the_adjustments_queue_filter_is_refused_plainly(hr, client):
    client.force_login(hr)
    response = client.get("/staff/adjustments/", {"vacancy": str(2**70)})
    assert response.status_code == 200
    # The filter is refused (the page says so in its title) and the unfiltered queue shows.
    assert "<title>Error: " in response.content.decode()


def test_a_huge_id_in_the_vacancy_forms_panel_is_a_form_error(hr, client, chair):
    client.force_login(hr)
    response = client.post(
        "/staff/vacancies/new/",
        {"title": "T", "reference": "R-HUGE", "panel": [str(2**70)], "hiring_manager": chair.pk},
    )
    assert response.status_code == 200
    assert Vacancy.objects.filter(reference="R-HUGE").count() == 0


def test_a_hiring_manager_naming_another_chair_is_refused_before_anything_is_written(
    chair, outsider_manager, panel_member, client_for
):
    response = client_for(chair).post(
        "/api/v1/vacancies/",
        vacancy_body([panel_member], outsider_manager, reference="SW-OTHER"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["hiring_manager"] == [
        "A hiring manager can only create vacancies they chair: name yourself, or ask HR."
    ]
    assert not Vacancy.objects.filter(reference="SW-OTHER").exists()


def test_hr_may_name_any_hiring_manager(hr, chair, panel_member, client_for):
    response = client_for(hr).post(
        "/api/v1/vacancies/", vacancy_body([panel_member], chair, reference="SW-HR"), format="json"
    )
    assert response.status_code == 201


def test_a_reference_taken_between_the_check_and_the_insert_is_a_400_naming_it(
    hr, chair, panel_member, client_for, monkeypatch
):
    """The race of two creations at once, made deterministic: the other request's row
    appears after this one checked the reference."""
    from vacancies import services

    checked = services._validate

    def then_someone_else_inserts(data, exclude_pk=None, by=None):
        checked(data, exclude_pk, by)
        VacancyFactory(reference=data.reference)

    monkeypatch.setattr(services, "_validate", then_someone_else_inserts)
    response = client_for(hr).post(
        "/api/v1/vacancies/",
        vacancy_body([panel_member], chair, reference="SW-RACE"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["reference"] == [
        "A vacancy with this reference already exists."
    ]
    assert Vacancy.objects.filter(reference="SW-RACE").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_vacancies_created_at_once_with_one_reference_make_one_and_a_400():
    require(connection.vendor == "postgresql", "PostgreSQL")
    hr = UserFactory(role=Role.HR)
    chair = UserFactory(role=Role.HIRING_MANAGER)
    barrier = threading.Barrier(4)
    statuses = []

    def create():
        client = APIClient()
        client.force_authenticate(hr)
        barrier.wait()
        response = client.post(
            "/api/v1/vacancies/", vacancy_body([], chair, reference="SW-TWICE"), format="json"
        )
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 400, 400, 400]
    assert Vacancy.objects.filter(reference="SW-TWICE").count() == 1


# --- Control characters in single-line fields, and sends that fail --------------------------------


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Social\r\nBcc: x@example.org", "Must be a single line without control characters."),
        ("Tab\tbed", "Must be a single line without control characters."),
        ("Escape\x1b[31m", "Must be a single line without control characters."),
        ("Nul\x00", "Null characters are not allowed."),
    ],
)
def test_a_single_line_field_with_control_characters_is_refused(
    hr, chair, panel_member, client_for, title, message
):
    response = client_for(hr).post(
        "/api/v1/vacancies/",
        vacancy_body([panel_member], chair, title=title, reference="SW-CTRL"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["title"] == [message]
    assert not Vacancy.objects.filter(reference="SW-CTRL").exists()


def test_a_title_stored_with_a_line_break_before_this_rule_still_gets_its_mail_sent(candidate):
    """Rows written before the rule keep working: a subject is always one line."""
    from recruitment import tasks

    application = ApplicationFactory(candidate=candidate)
    Vacancy.objects.filter(pk=application.vacancy_id).update(title="Bad\r\nBcc: x@example.org")
    assert tasks.send_notification.apply(args=(application.pk, "shortlisted")).get() is True
    (message,) = mail.outbox
    assert message.subject == "You have been shortlisted: Bad Bcc: x@example.org"
    assert message.bcc == []


def test_a_send_that_cannot_succeed_is_logged_as_an_error_never_silently(caplog):
    from recruitment import tasks

    application = ApplicationFactory(candidate=UserFactory(email="bad\naddress@example.org"))
    with caplog.at_level("ERROR"):
        assert tasks.send_notification.apply(args=(application.pk, "shortlisted")).get() is False
    assert mail.outbox == []
    (error,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "not sent (permanent" in error.getMessage()
    assert "bad" not in error.getMessage()


# --- Caching of personal data ----------------------------------------------------------------------


def test_every_api_answer_and_signed_in_page_is_never_cached(hr, candidate, client, client_for):
    for response in (
        client_for(candidate).get("/api/v1/applications/"),
        client_for(hr).get("/api/v1/vacancies/"),
        APIClient().get("/api/v1/vacancies/"),
    ):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
    client.force_login(candidate)
    response = client.get("/applications/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_for_nobody_may_still_be_cached_by_the_browser(client):
    response = client.get("/jobs/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Contract gaps ------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_with_the_envelope(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = APIClient().post(
        "/api/v1/auth/register/",
        json.dumps({"username": "x" * 2000}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "detail": "The request body is larger than 1000 bytes.",
    }


@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(hr, client_for, number):
    response = client_for(hr).get(f"/api/v1/vacancies/?page={number}")
    assert response.status_code == 400
    assert response.json()["errors"] == {"page": ["A whole number from 1."]}


def test_a_page_past_the_end_is_a_404(hr, client_for):
    response = client_for(hr).get("/api/v1/vacancies/?page=99")
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["1.5", "x", "", "1e3", "١٢"])
def test_an_id_is_a_whole_number_as_a_number_or_digits(hr, chair, panel_member, client_for, value):
    body = {**vacancy_body([panel_member], chair, reference="SW-STR"), "hiring_manager": value}
    response = client_for(hr).post("/api/v1/vacancies/", body, format="json")
    assert response.status_code == 400
    assert "hiring_manager" in response.json()["errors"]
    assert not Vacancy.objects.filter(reference="SW-STR").exists()
    digits = {**body, "hiring_manager": str(chair.pk)}  # as the contract's examples quote ids
    assert client_for(hr).post("/api/v1/vacancies/", digits, format="json").status_code == 201


def test_the_same_adjustment_request_twice_is_one_request(application, candidate, client_for):
    client = client_for(candidate)
    body = {"stage": "interview", "category": "extra_time", "details": "25% extra time"}
    first = client.post(f"/api/v1/applications/{application.pk}/adjustments/", body, format="json")
    again = client.post(f"/api/v1/applications/{application.pk}/adjustments/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert AdjustmentRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_eight_identical_adjustment_requests_at_once_make_one_row():
    require(connection.vendor == "postgresql", "PostgreSQL")
    application = ApplicationFactory()
    barrier = threading.Barrier(8)
    statuses = []

    def ask():
        client = APIClient()
        client.force_authenticate(application.candidate)
        barrier.wait()
        response = client.post(
            f"/api/v1/applications/{application.pk}/adjustments/",
            {"stage": "interview", "category": "extra_time", "details": "25% extra time"},
            format="json",
        )
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 7 + [201]
    assert AdjustmentRequest.objects.count() == 1


def test_a_name_with_a_line_break_is_refused_at_registration():
    response = APIClient().post(
        "/api/v1/auth/register/",
        {
            "username": "newperson",
            "email": "new@example.org",
            "password": "A-long-pass-phrase-2026",
            "full_name": "Ann\r\nBcc: x@example.org",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "full_name": ["Must be a single line without control characters."]
    }
