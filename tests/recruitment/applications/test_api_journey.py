"""A client following docs/api.md takes an application from submitted to appointed, with
the interview guarantee refusing an unlawful rejection on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from recruitment.models import Application
from tests.support.factories import PASSWORD, interview_time_passes

pytestmark = pytest.mark.django_db


def login(username, password=PASSWORD):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_a_candidate_is_taken_from_submitted_to_appointed(hr, chair, panel_member):
    # Given a candidate who registers through the API
    response = APIClient().post(
        "/api/v1/auth/register/",
        {
            "username": "amara",
            "email": "amara@example.org",
            "password": "a-long-unusual-passphrase",
            "full_name": "Amara Mensah",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["role"] == "candidate"
    candidate = login("amara", "a-long-unusual-passphrase")
    assert candidate.get("/api/v1/auth/me/").json()["full_name"] == "Amara Mensah"

    # And a vacancy created and published by HR
    hr_client = login("hr")
    users = hr_client.get("/api/v1/users/?role=panel_member").json()["results"]
    assert [u["username"] for u in users] == ["panel"]
    response = hr_client.post(
        "/api/v1/vacancies/",
        {
            "title": "Senior Social Worker",
            "reference": "SW-2026-014",
            "department": "Children's Services",
            "grade": "P3",
            "location": "Cambridge",
            "description": "Casework.",
            "salary_min": 41000,
            "salary_max": 45000,
            "closing_date": (timezone.now() + timedelta(days=10)).isoformat(),
            "hiring_manager": str(chair.pk),
            "panel": [str(panel_member.pk)],
            "criteria": [
                {"kind": "essential", "text": "Registration"},
                {"kind": "essential", "text": "Casework"},
                {"kind": "desirable", "text": "Court work"},
            ],
            "pass_mark": 2,
            "minimum_criteria_rule": "all_essential_at_pass_mark",
            "interview_guarantees": ["disability_confident"],
            "positive_action": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    vacancy = response.json()
    assert vacancy["status"] == "draft"
    assert [c["kind"] for c in vacancy["criteria"]] == ["essential", "essential", "desirable"]
    criteria = [c["id"] for c in vacancy["criteria"]]
    assert hr_client.post(f"/api/v1/vacancies/{vacancy['id']}/publish/").json()["status"] == "open"

    # When the candidate applies declaring the Disability Confident guarantee
    response = candidate.post(
        "/api/v1/applications/",
        {
            "vacancy": vacancy["id"],
            "statement": "Eight years in child protection.",
            "evidence": [{"criterion": c, "text": "Evidence"} for c in criteria],
            "interview_guarantee": "disability_confident",
            "positive_action": False,
            "equality": {
                "ethnicity": "black_african",
                "disability_condition": "yes",
                "disability_impact": "a_little",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = response.json()
    assert application["state"] == "submitted"
    assert application["interview_guarantee"] == "disability_confident"
    assert "equality" not in application
    app_url = f"/api/v1/applications/{application['id']}"

    # The hiring manager cannot shortlist while the vacancy is open
    manager = login("chair")
    response = manager.post(f"{app_url}/actions/shortlist/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "vacancy_open"
    assert hr_client.post(f"/api/v1/vacancies/{vacancy['id']}/close/").json()["status"] == "closed"

    # The panel scores, the chair agrees scores that meet the minimum criteria
    panel = login("panel")
    response = panel.put(
        f"{app_url}/scores/",
        {
            "stage": "shortlisting",
            "scores": [{"criterion": c, "score": 3, "note": "Good"} for c in criteria],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [s["score"] for s in response.json()["mine"]] == [3, 3, 3]
    response = manager.put(
        f"{app_url}/agreed-scores/",
        {
            "stage": "shortlisting",
            "scores": [{"criterion": c, "score": 2} for c in criteria],
            "note": "Agreed",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["agreed"]["total"] == 6

    # The chair decides on merit, seeing nothing of the declaration; the candidate is not
    # told yet
    seen = manager.get(f"{app_url}/").json()
    assert seen["available_actions"] == ["shortlist", "reject"]
    assert "interview_guarantee" not in seen
    assert "candidate" not in seen
    response = manager.post(f"{app_url}/actions/reject/", {"reason": "Weak"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "not_shortlisted"
    assert candidate.get(f"{app_url}/").json()["state"] == "submitted"

    # Completing the sift applies the guarantee: she meets the minimum criteria, so she is
    # invited to interview
    response = manager.post(
        f"/api/v1/vacancies/{vacancy['id']}/complete-sift/", {"confirm": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["invited"] == [application["reference"]]
    assert manager.get(f"{app_url}/").json()["state"] == "shortlisted"

    # The rest of the journey
    assert manager.get(f"{app_url}/").json()["candidate"] == {
        "full_name": "Amara Mensah",
        "email": "amara@example.org",
    }
    interview_at = (timezone.now() + timedelta(days=3)).isoformat()
    response = manager.post(
        f"{app_url}/actions/schedule_interview/", {"interview_at": interview_at}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "interview_scheduled"
    # Recorded as held only once its time has come.
    response = panel.post(f"{app_url}/actions/record_interview/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "interview_not_held")
    interview_time_passes(application_of(app_url))
    assert panel.post(f"{app_url}/actions/record_interview/", {}, format="json").status_code == 200
    # An offer rests on agreed interview scores.
    response = manager.post(f"{app_url}/actions/offer/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "assessment_incomplete")
    response = manager.put(
        f"{app_url}/agreed-scores/",
        {
            "stage": "interview",
            "scores": [{"criterion": c, "score": 3} for c in criteria],
            "note": "Agreed after the interview",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert manager.post(f"{app_url}/actions/offer/", {}, format="json").json()["state"] == "offered"
    response = candidate.post(f"{app_url}/actions/accept_offer/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "appointed"

    # Every transition is on the history, with who, from, to and reason
    history = candidate.get(f"{app_url}/history/").json()
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "submitted"),
        # Invited under the guarantee: the merit decision she was never told is left out
        ("submitted", "shortlisted"),
        ("shortlisted", "interview_scheduled"),
        ("interview_scheduled", "interviewed"),
        ("interviewed", "offered"),
        ("offered", "appointed"),
    ]
    # The candidate reads staff by role only; HR reads who.
    assert history[1]["by"] == {"role": "hiring_manager"}
    assert history[0]["by"] == {"role": "candidate"}
    staff_view = hr_client.get(f"{app_url}/history/").json()
    assert staff_view[1]["by"] == {
        "id": chair.pk,
        "full_name": "Sam Okafor",
        "role": "hiring_manager",
    }

    # And the vacancy can now be filled
    response = hr_client.post(f"/api/v1/vacancies/{vacancy['id']}/fill/")
    assert response.status_code == 200
    assert response.json()["status"] == "filled"


def application_of(app_url):
    return Application.objects.get(pk=int(app_url.rstrip("/").rsplit("/", 1)[1]))
