"""Subject access: a person downloads everything held about them, and nothing about others."""

import json

import pytest

from adjustments import services as adjustment_services
from recruitment.applications import services
from recruitment.privacy import retention
from recruitment.scoring import services as services_
from tests.recruitment.privacy.test_retention import run_campaign
from tests.support.factories import UserFactory, VacancyFactory

pytestmark = pytest.mark.django_db

EQUALITY = {"ethnicity": "asian_bangladeshi", "religion": "muslim", "age_band": "25-34"}


@pytest.fixture
def mine(vacancy, candidate, other_candidate, panel_member, chair, hr):
    application = services.application_submit(
        candidate=candidate,
        vacancy=vacancy,
        statement="I led the duty team for three years.",
        evidence=[
            services.EvidenceInput(criterion=c.pk, text=f"Evidence for {c.text}")
            for c in vacancy.criteria.all()
        ],
        interview_guarantee="care_leaver",
        equality=EQUALITY,
    )
    services.application_submit(
        candidate=other_candidate,
        vacancy=vacancy,
        statement="Somebody else's statement",
        equality={"sex": "male"},
    )
    request, _ = adjustment_services.adjustment_request(
        application=application,
        by=candidate,
        stage="interview",
        category="extra_time",
        details="I need extra time to read",
    )
    adjustment_services.adjustment_agree(adjustment_id=request.pk, by=hr, arrangement="25% more")
    vacancy.__class__.objects.filter(pk=vacancy.pk).update(status="closed")
    services_.scores_submit(
        application_id=application.pk,
        by=panel_member,
        stage="shortlisting",
        scores=[
            services_.ScoreInput(criterion=c.pk, score=3, note="Clear examples")
            for c in vacancy.criteria.all()
        ],
    )
    services.application_shortlist(application_id=application.pk, by=chair, reason="Strong")
    return application


def test_a_candidate_downloads_everything_held_about_them(mine, candidate, client_for, vacancy):
    response = client_for(candidate).get("/api/v1/auth/me/data/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="your-recruitment-data.json"'
    assert response["Cache-Control"] == "no-store, private"
    data = response.json()
    assert data["account"] == {
        "username": "amara",
        "full_name": "Amara Mensah",
        "email": "amara@example.org",
        "role": "candidate",
        "date_joined": candidate.date_joined.isoformat(),
        "last_login": None,
    }
    [application] = data["applications"]
    assert application["reference"] == mine.reference
    assert application["vacancy"]["reference"] == vacancy.reference
    assert application["state"] == "shortlisted"
    assert application["statement"] == "I led the duty team for three years."
    assert [e["text"] for e in application["evidence"]] == [
        f"Evidence for {c.text}" for c in vacancy.criteria.all()
    ]
    assert application["interview_guarantee"]["scheme"] == "care_leaver"
    assert application["positive_action_declaration"] is None
    assert application["equality_monitoring"] == EQUALITY
    [adjustment] = application["adjustments"]
    assert (adjustment["details"], adjustment["state"], adjustment["arrangement"]) == (
        "I need extra time to read",
        "agreed",
        "25% more",
    )
    assert [h["transition"] for h in adjustment["history"]] == ["agree"]
    individual = application["scores"]["shortlisting"]["individual"]
    assert {(s["panel_member"], s["score"], s["note"]) for s in individual} == {
        ("panel member 1", 3, "Clear examples")
    }
    assert len(individual) == vacancy.criteria.count()
    assert [(h["transition"], h["by"], h["reason"]) for h in application["history"]] == [
        ("submit", "you", None),
        ("shortlist", "staff", "Strong"),
    ]
    assert [m["kind"] for m in application["messages_sent"]] == []
    text = json.dumps(data)
    # Nobody else's data, and no staff names.
    for other in ("Somebody else", "Ben Hughes", "Alex Morgan", "Sam Okafor", "Priya Shah"):
        assert other not in text


def test_the_web_download_is_the_same_file(mine, candidate, client, client_for):
    client.force_login(candidate)
    page = client.get("/applications/")
    assert b'href="/account/data/"' in page.content
    web = client.get("/account/data/")
    api = client_for(candidate).get("/api/v1/auth/me/data/").json()

    assert web.status_code == 200
    assert web["Content-Type"] == "application/json"
    assert web["Content-Disposition"] == 'attachment; filename="your-recruitment-data.json"'
    downloaded = json.loads(web.content)
    # last_login changed when the web client signed in; everything else is the same.
    for data in (downloaded, api):
        data.pop("generated_at")
        data["account"].pop("last_login")
    assert downloaded == api


def test_another_candidate_gets_only_their_own(mine, other_candidate, client_for):
    data = client_for(other_candidate).get("/api/v1/auth/me/data/").json()
    [application] = data["applications"]
    assert application["statement"] == "Somebody else's statement"
    assert application["equality_monitoring"] == {"sex": "male"}
    assert "I led the duty team" not in json.dumps(data)


def test_staff_get_their_account_and_no_applications(mine, panel_member, client_for):
    data = client_for(panel_member).get("/api/v1/auth/me/data/").json()
    assert data["account"]["username"] == "panel"
    assert data["applications"] == []


def test_anonymous_visitors_get_nothing(mine, anon, client):
    assert anon.get("/api/v1/auth/me/data/").status_code == 401
    response = client.get("/account/data/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_erased_applications_are_no_longer_in_the_download(hr, chair, panel_member, client_for):
    _vacancy, people = run_campaign(hr, chair, panel_member)
    candidate, application = people[0]
    fresh = VacancyFactory(hiring_manager=chair)
    services.application_submit(candidate=candidate, vacancy=fresh, statement="Still here")
    before = client_for(candidate).get("/api/v1/auth/me/data/").json()
    assert next(a["reference"] for a in before["applications"]) == application.reference

    retention.erase_due()

    after = client_for(candidate).get("/api/v1/auth/me/data/").json()
    assert [a["statement"] for a in after["applications"]] == ["Still here"]
    assert application.reference not in json.dumps(after)


def test_a_user_without_applications_gets_an_empty_list(client_for):
    user = UserFactory(username="newbie", full_name="New Person")
    data = client_for(user).get("/api/v1/auth/me/data/").json()
    assert data["account"]["full_name"] == "New Person"
    assert data["applications"] == []
