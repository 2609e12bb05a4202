"""Asking for an adjustment to be able to apply, from the job's page, with no account; HR is
told, sees who asked and how to reach them, and records what they did; the coordinator sees
the candidate's name and contact on every request."""

import pytest
from django.core import mail
from django.test import Client

from adjustments.models import AdjustmentRequest, PreApplicationRequest
from tests.support.clients import an_address_of_its_own, banner, page_client
from tests.support.factories import ApplicationFactory, set_vacancy_status

pytestmark = pytest.mark.django_db

ASK = {
    "full_name": "Ola Ade",
    "email": "ola@example.org",
    "phone": "01234 567890",
    "category": "alternative_format",
    "details": "The form in large print, please: I cannot read small text on a screen.",
}


def test_anyone_asks_from_the_job_page_and_hr_is_told_without_the_details(
    vacancy, hr, eager, django_capture_on_commit_callbacks
):
    job = Client().get(f"/jobs/{vacancy.pk}/").content.decode()
    assert f'href="/jobs/{vacancy.pk}/adjustments/"' in job

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/jobs/{vacancy.pk}/adjustments/", ASK)

    assert "Request sent" in response.content.decode()
    asked = PreApplicationRequest.objects.get()
    assert (asked.full_name, asked.email, asked.phone, asked.requester) == (
        "Ola Ade",
        "ola@example.org",
        "01234 567890",
        None,
    )
    (message,) = mail.outbox
    assert message.to == [hr.email]
    assert message.subject == f"A request for an adjustment to apply for {vacancy.reference}"
    assert f"/staff/adjustments/before-applying/{asked.pk}/" in message.body
    assert "Ola" not in message.body
    assert "large print, please" not in message.body


def test_hr_sees_who_asked_and_records_the_answer_once(vacancy, hr):
    asked = PreApplicationRequest.objects.create(vacancy=vacancy, **ASK)
    client = page_client(hr)

    queue = client.get("/staff/adjustments/").content.decode()
    page = client.get(f"/staff/adjustments/before-applying/{asked.pk}/").content.decode()
    empty = client.post(f"/staff/adjustments/before-applying/{asked.pk}/", {"answer": ""})
    done = client.post(
        f"/staff/adjustments/before-applying/{asked.pk}/",
        {"answer": "Posted a large-print form; called to check it arrived."},
    )
    again = client.post(f"/staff/adjustments/before-applying/{asked.pk}/", {"answer": "Again"})

    assert "Ola Ade" in queue
    assert "ola@example.org, 01234 567890" in queue
    assert "mailto:ola@example.org" in page
    assert ASK["details"] in page
    assert "Say what you arranged or told them" in empty.content.decode()
    assert done.status_code == 302
    asked.refresh_from_db()
    assert (asked.answered_by, asked.answer) == (
        hr,
        "Posted a large-print form; called to check it arrived.",
    )
    assert banner(again)[-1] == "This request has been answered already."
    assert "Ola Ade" not in client.get("/staff/adjustments/").content.decode()


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_nobody_else_sees_them(persona, request, vacancy):
    asked = PreApplicationRequest.objects.create(vacancy=vacancy, **ASK)
    client = page_client(request.getfixturevalue(persona))

    assert client.get(f"/staff/adjustments/before-applying/{asked.pk}/").status_code == 403


def test_a_closed_job_takes_no_request_and_bad_input_is_named(vacancy):
    missing = Client().post(f"/jobs/{vacancy.pk}/adjustments/", {"email": "not-an-email"})
    text = missing.content.decode()
    assert "Enter your name" in text
    assert "Enter an email address in the correct format" in text
    assert "Select what would help you apply" in text
    set_vacancy_status(vacancy, "closed")

    assert Client().get(f"/jobs/{vacancy.pk}/adjustments/").status_code == 404
    assert not PreApplicationRequest.objects.exists()


def test_the_coordinator_sees_the_candidate_s_name_and_contact_on_a_request(hr, candidate):
    application = ApplicationFactory(candidate=candidate)
    request = AdjustmentRequest.objects.create(
        application=application, stage="interview", category="extra_time", details="Time."
    )

    page = page_client(hr).get(f"/staff/adjustments/{request.pk}/").content.decode()

    assert candidate.full_name in page
    assert f"mailto:{candidate.email}" in page


def test_the_answer_is_audited_and_erased_with_the_campaign(vacancy, hr, settings):
    from datetime import timedelta

    from auditlog.models import LogEntry
    from django.utils import timezone

    from adjustments.before_applying import pre_application_request_answer
    from recruitment.privacy.retention import erase_vacancy_applications

    asked = PreApplicationRequest.objects.create(vacancy=vacancy, **ASK)
    pre_application_request_answer(request_id=asked.pk, by=hr, answer="Called Ola on Monday.")
    entry = LogEntry.objects.get(
        content_type__model="preapplicationrequest", action=LogEntry.Action.UPDATE
    )
    assert (entry.actor_id, entry.changes_dict["answer"][1]) == (hr.pk, "Called Ola on Monday.")
    filled = set_vacancy_status(vacancy, "cancelled")
    type(filled).objects.filter(pk=filled.pk).update(
        ended_at=timezone.now() - timedelta(days=31 * (settings.RETENTION_MONTHS + 1))
    )

    erase_vacancy_applications(filled.pk)

    assert not PreApplicationRequest.objects.exists()
    assert not LogEntry.objects.filter(content_type__model="preapplicationrequest").exists()


def test_a_job_cancelled_with_no_application_still_loses_its_requests(vacancy, settings, eager):
    """The nightly run finds a campaign with nothing but requests made before applying."""
    from datetime import timedelta

    from django.utils import timezone

    from recruitment.tasks import erase_expired_personal_data

    PreApplicationRequest.objects.create(vacancy=vacancy, **ASK)
    cancelled = set_vacancy_status(vacancy, "cancelled")
    type(cancelled).objects.filter(pk=cancelled.pk).update(
        ended_at=timezone.now() - timedelta(days=31 * (settings.RETENTION_MONTHS + 1))
    )

    result = erase_expired_personal_data()

    assert result["vacancies"] == [cancelled.pk]
    assert not PreApplicationRequest.objects.exists()
    assert erase_expired_personal_data()["vacancies"] == []


def _client_of_its_own():
    return Client(REMOTE_ADDR=an_address_of_its_own())


def test_only_requests_taken_count_and_they_do_not_use_up_registering(vacancy, settings):
    settings.BEFORE_APPLYING_LIMIT = 2
    settings.REGISTRATION_LIMIT = 1
    client = _client_of_its_own()
    url = f"/jobs/{vacancy.pk}/adjustments/"

    mistakes = [client.post(url, {**ASK, "email": "not-an-email"}) for _ in range(3)]
    taken = [client.post(url, {**ASK, "details": f"Large print, please ({i})."}) for i in (1, 2)]
    refused = client.post(url, {**ASK, "details": "Large print, please (3)."})
    registering = client.post("/accounts/register/", {})

    assert [r.status_code for r in mistakes] == [200, 200, 200]
    assert all("Enter an email address" in r.content.decode() for r in mistakes)
    assert [r.status_code for r in taken] == [200, 200]
    assert refused.status_code == 429
    assert PreApplicationRequest.objects.count() == 2
    assert registering.status_code == 200  # its own count: the form's errors, not a 429


def test_the_same_request_sent_twice_is_one_request_and_one_e_mail(
    vacancy, hr, eager, django_capture_on_commit_callbacks
):
    client = _client_of_its_own()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/jobs/{vacancy.pk}/adjustments/", ASK)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/jobs/{vacancy.pk}/adjustments/", {**ASK, "email": "OLA@example.org"})

    assert "Request sent" in first.content.decode()
    assert "Request sent" in again.content.decode()
    assert PreApplicationRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_coordinators_are_e_mailed_once_a_job_an_hour(
    vacancy, hr, eager, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    client = _client_of_its_own()
    for n in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/jobs/{vacancy.pk}/adjustments/", {**ASK, "email": f"p{n}@example.org"})
    assert len(mail.outbox) == 1
    assert "/staff/adjustments/#before-applying" in mail.outbox[0].body
    first, second = PreApplicationRequest.objects.order_by("pk")
    assert (first.told_at is not None, second.told_at) == (True, None)

    PreApplicationRequest.objects.filter(pk=first.pk).update(
        told_at=timezone.now() - timedelta(minutes=61)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{vacancy.pk}/adjustments/", {**ASK, "email": "p3@example.org"})

    assert len(mail.outbox) == 2
    assert PreApplicationRequest.objects.exclude(told_at=None).count() == 2


def test_hr_is_told_whether_the_address_was_shown_to_be_theirs(vacancy, hr, candidate):
    from django.utils import timezone

    anonymous = PreApplicationRequest.objects.create(vacancy=vacancy, **ASK)
    type(candidate).objects.filter(pk=candidate.pk).update(email_confirmed_at=timezone.now())
    signed_in = PreApplicationRequest.objects.create(
        vacancy=vacancy, requester=candidate, **{**ASK, "email": candidate.email}
    )
    client = page_client(hr)

    unchecked = client.get(f"/staff/adjustments/before-applying/{anonymous.pk}/").content.decode()
    checked = client.get(f"/staff/adjustments/before-applying/{signed_in.pk}/").content.decode()

    assert "check it is theirs when you contact them" in unchecked
    assert "from an account whose email address is confirmed" in checked
    assert "check it is theirs" not in checked
