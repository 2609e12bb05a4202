"""An application in progress is a draft record, not session data: subject access shows it,
sending the application removes it, stale drafts and expired sessions are deleted nightly,
and a deleted account takes its drafts with it. The candidate's history names no staff."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from recruitment.applications import services
from recruitment.models import Application, ApplicationDraft
from recruitment.privacy import retention
from tests.support.factories import VacancyFactory, set_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(candidate):
    client = Client()
    client.force_login(candidate)
    return client


def statement_step(vacancy):
    data = {"statement": "I have run a duty team for five years."}
    for criterion in vacancy.criteria.all():
        data[f"evidence_{criterion.pk}"] = f"Evidence for {criterion.text}."
    return data


def session_data(client):
    return Session.objects.get(session_key=client.session.session_key).get_decoded()


def test_the_apply_pages_keep_the_answers_in_a_draft_not_the_session(browser, candidate, vacancy):
    response = browser.post(f"/jobs/{vacancy.pk}/apply/statement/", statement_step(vacancy))

    assert response.status_code == 302
    draft = ApplicationDraft.objects.get(candidate=candidate, vacancy=vacancy)
    assert draft.data["statement"] == "I have run a duty team for five years."
    assert not [key for key in session_data(browser) if key.startswith("apply-")]

    # The equality answers too.
    browser.post(
        f"/jobs/{vacancy.pk}/apply/equality/", {"sex": "female", "ethnicity": "asian_indian"}
    )
    draft.refresh_from_db()
    assert draft.data["equality"]["sex"] == "female"
    assert "equality" not in str(session_data(browser))

    # The candidate's data download shows the draft.
    download = browser.get("/account/data/").json()
    assert [d["vacancy"]["reference"] for d in download["drafts"]] == [vacancy.reference]
    assert download["drafts"][0]["answers"]["equality"]["sex"] == "female"


def test_sending_the_application_removes_the_draft(browser, candidate, vacancy):
    browser.post(f"/jobs/{vacancy.pk}/apply/statement/", statement_step(vacancy))
    assert ApplicationDraft.objects.filter(candidate=candidate).count() == 1

    response = browser.post(f"/jobs/{vacancy.pk}/apply/check/")

    assert response.status_code == 302
    application = Application.objects.get(candidate=candidate, vacancy=vacancy)
    assert response["Location"] == f"/applications/{application.pk}/sent/"
    assert not ApplicationDraft.objects.filter(candidate=candidate).exists()
    assert browser.get("/account/data/").json()["drafts"] == []


def test_a_draft_left_from_an_older_session_is_dropped_on_sight(browser, candidate, vacancy):
    session = browser.session
    session[f"apply-{vacancy.pk}"] = {"statement": "Old", "equality": {"sex": "male"}}
    session.save()

    browser.get(f"/jobs/{vacancy.pk}/apply/statement/")

    assert f"apply-{vacancy.pk}" not in session_data(browser)


@override_settings(DRAFT_RETENTION_DAYS=30)
def test_stale_drafts_and_expired_sessions_are_deleted_nightly(browser, candidate, vacancy):
    browser.post(f"/jobs/{vacancy.pk}/apply/statement/", statement_step(vacancy))
    fresh = ApplicationDraft.objects.get(candidate=candidate)
    stale = ApplicationDraft.objects.create(
        candidate=candidate,
        vacancy=VacancyFactory(hiring_manager=vacancy.hiring_manager),
        data={"statement": "x"},
    )
    ApplicationDraft.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - timedelta(days=31)
    )
    Session.objects.create(
        session_key="expired-one",
        session_data="e30:1",
        expire_date=timezone.now() - timedelta(minutes=1),
    )
    live_sessions = Session.objects.filter(expire_date__gt=timezone.now()).count()

    assert retention.erase_due() == {"applications": {}, "accounts": []}

    assert list(ApplicationDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not Session.objects.filter(session_key="expired-one").exists()
    assert Session.objects.filter(expire_date__gt=timezone.now()).count() == live_sessions


def test_a_deleted_account_takes_its_drafts(candidate, vacancy):
    ApplicationDraft.objects.create(candidate=candidate, vacancy=vacancy, data={"statement": "x"})

    User.objects.filter(pk=candidate.pk).delete()

    assert not ApplicationDraft.objects.exists()


def test_the_candidate_reads_their_history_without_staff_names(
    application, candidate, chair, hr, client_for
):
    services.application_withdraw(application_id=application.pk, by=candidate)
    application = set_state(application, "submitted")
    from django_fsm_log.models import StateLog

    StateLog.objects.create(
        content_object=application,
        by=chair,
        source_state="submitted",
        state="shortlisted",
        transition="shortlist",
    )

    mine = client_for(candidate).get(f"/api/v1/applications/{application.pk}/history/").json()
    staff = client_for(hr).get(f"/api/v1/applications/{application.pk}/history/").json()

    assert [(e["transition"], e["by"]) for e in mine] == [
        ("withdraw", {"role": "candidate"}),
        ("shortlist", {"role": "hiring_manager"}),
    ]
    assert chair.full_name not in str(mine)
    assert staff[-1]["by"] == {
        "id": chair.pk,
        "full_name": chair.full_name,
        "role": "hiring_manager",
    }
