"""Reasonable adjustments: lifecycle, who decides, and what the panel sees."""

import json

import pytest
from django_fsm_log.models import StateLog

from adjustments.models import AdjustmentRequest
from tests.support.factories import set_state

pytestmark = pytest.mark.django_db

EXTRA_TIME = {
    "stage": "interview",
    "category": "extra_time",
    "details": "I process spoken questions slowly after a head injury.",
}
BSL = {
    "stage": "interview",
    "category": "communication_support",
    "details": "I am Deaf and use BSL: I need an interpreter at the interview.",
}


def ask(client, application, body):
    return client.post(f"/api/v1/applications/{application.pk}/adjustments/", body, format="json")


def act(client, adjustment_id, action, body=None):
    return client.post(
        f"/api/v1/adjustments/{adjustment_id}/actions/{action}/", body or {}, format="json"
    )


def test_extra_time_agreed_and_bsl_partially_agreed_panel_sees_the_arrangements_only(
    application, candidate, hr, chair, panel_member, client_for
):
    me, coordinator = client_for(candidate), client_for(hr)
    extra = ask(me, application, EXTRA_TIME)
    bsl = ask(me, application, BSL)
    assert (extra.status_code, extra.json()["state"]) == (201, "requested")
    assert bsl.json()["provider"] == "access_to_work"
    assert extra.json()["provider"] == "employer"

    assert act(coordinator, extra.json()["id"], "review").json()["state"] == "under_review"
    agreed = act(
        coordinator,
        extra.json()["id"],
        "agree",
        {"arrangement": "25% extra time; questions also given in writing."},
    )
    assert agreed.json()["state"] == "agreed"
    partial = act(
        coordinator,
        bsl.json()["id"],
        "partially_agree",
        {
            "arrangement": "BSL interpreter booked for the interview.",
            "reason": "A lipspeaker as well is not available on the date.",
        },
    )
    assert partial.json()["state"] == "partially_agreed"
    assert act(coordinator, extra.json()["id"], "put_in_place").json()["state"] == "in_place"

    # Before shortlisting the panel and chair see nothing of it (the same as for anyone).
    for viewer in (chair, panel_member):
        seen = client_for(viewer).get(f"/api/v1/applications/{application.pk}/").json()
        assert seen["adjustments"] == []
    application = set_state(application, "shortlisted", "shortlisted")
    for viewer in (chair, panel_member):
        seen = client_for(viewer).get(f"/api/v1/applications/{application.pk}/").json()
        assert seen["adjustments"] == [
            {
                "stage": "interview",
                "category": "extra_time",
                "arrangement": "25% extra time; questions also given in writing.",
                "state": "in_place",
            },
            {
                "stage": "interview",
                "category": "communication_support",
                "arrangement": "BSL interpreter booked for the interview.",
                "state": "partially_agreed",
            },
        ]
        text = json.dumps(seen)
        assert "head injury" not in text
        assert "Deaf" not in text
        assert "details" not in text
    mine = me.get(f"/api/v1/applications/{application.pk}/").json()["adjustments"]
    assert [a["details"] for a in mine] == [EXTRA_TIME["details"], BSL["details"]]


def test_the_panel_does_not_see_requests_that_are_not_agreed_or_not_for_its_stages(
    application, candidate, hr, panel_member, client_for
):
    me, coordinator = client_for(candidate), client_for(hr)
    pending = ask(me, application, EXTRA_TIME).json()
    declined = ask(me, application, {**EXTRA_TIME, "category": "rest_breaks"}).json()
    act(coordinator, declined["id"], "decline", {"reason": "The interview is 20 minutes."})
    start = ask(me, application, {**EXTRA_TIME, "stage": "start"}).json()
    act(coordinator, start["id"], "agree", {"arrangement": "Adjusted desk from day one."})

    seen = client_for(panel_member).get(f"/api/v1/applications/{application.pk}/").json()

    assert seen["adjustments"] == []
    assert pending["state"] == "requested"


def test_only_hr_decides_and_the_candidate_may_withdraw(
    application, candidate, chair, panel_member, hr, client_for
):
    adjustment = ask(client_for(candidate), application, EXTRA_TIME).json()
    before = StateLog.objects.count()

    for outsider in (chair, panel_member):
        response = act(client_for(outsider), adjustment["id"], "agree", {"arrangement": "x"})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = act(client_for(candidate), adjustment["id"], "agree", {"arrangement": "x"})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = act(client_for(hr), adjustment["id"], "withdraw")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert AdjustmentRequest.objects.get(pk=adjustment["id"]).state == "requested"
    assert StateLog.objects.count() == before

    response = act(client_for(candidate), adjustment["id"], "withdraw")
    assert response.json()["state"] == "withdrawn"
    assert StateLog.objects.count() == before + 1


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["review"], "under_review"),
        (["agree"], "agreed"),
        (["partially_agree"], "partially_agreed"),
        (["decline"], "declined"),
        (["agree", "put_in_place"], "in_place"),
        (["review", "decline"], "declined"),
        (["put_in_place"], "invalid_transition"),
        (["decline", "agree"], "invalid_transition"),
        (["agree", "put_in_place", "decline"], "invalid_transition"),
        (["review", "review"], "invalid_transition"),
    ],
)
def test_lifecycle(path, expected, application, candidate, hr, client_for):
    adjustment = ask(client_for(candidate), application, EXTRA_TIME).json()
    body = {"arrangement": "Arranged.", "reason": "Because."}
    for action in path:
        response = act(client_for(hr), adjustment["id"], action, body)
    if expected == "invalid_transition":
        assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    else:
        assert (response.status_code, response.json()["state"]) == (200, expected)


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("agree", {}, "arrangement"),
        ("partially_agree", {"arrangement": " "}, "arrangement"),
        ("decline", {}, "reason"),
    ],
)
def test_decisions_need_their_words(action, body, field, application, candidate, hr, client_for):
    adjustment = ask(client_for(candidate), application, EXTRA_TIME).json()

    response = act(client_for(hr), adjustment["id"], action, body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert AdjustmentRequest.objects.get(pk=adjustment["id"]).state == "requested"


def test_requests_are_validated_and_refused_on_a_finished_application(
    application, candidate, hr, client_for
):
    response = ask(client_for(candidate), application, {"stage": "lunch", "category": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"stage", "category", "details"}
    response = ask(client_for(hr), application, EXTRA_TIME)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    set_state(application, "withdrawn")
    response = ask(client_for(candidate), application, EXTRA_TIME)
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert AdjustmentRequest.objects.count() == 0


def test_the_list_is_everything_for_hr_own_for_a_candidate_nothing_for_panels(
    application, candidate, other_candidate, hr, panel_member, chair, client_for
):
    from tests.support.factories import ApplicationFactory

    other_app = ApplicationFactory(vacancy=application.vacancy, candidate=other_candidate)
    mine = ask(client_for(candidate), application, EXTRA_TIME).json()
    theirs = ask(client_for(other_candidate), other_app, BSL).json()
    act(client_for(hr), theirs["id"], "review")

    def ids(user, query=""):
        return [
            a["id"] for a in client_for(user).get(f"/api/v1/adjustments/{query}").json()["results"]
        ]

    assert ids(hr) == [mine["id"], theirs["id"]]
    assert ids(hr, "?state=under_review") == [theirs["id"]]
    assert ids(hr, f"?vacancy={application.vacancy_id}") == [mine["id"], theirs["id"]]
    assert ids(candidate) == [mine["id"]]
    assert ids(panel_member) == []
    assert ids(chair) == []
    response = client_for(candidate).get(f"/api/v1/adjustments/{theirs['id']}/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
