"""Before the merit decision, nothing the panel or the chair reads differs between a
candidate who asked for an adjustment (requested, declined or agreed) and one who did not;
from shortlisting on they see the agreed arrangements for the stages they run."""

import difflib
import re

import pytest
from django.test import Client

from adjustments.models import AdjustmentRequest
from tests.support.factories import ApplicationFactory, set_state, set_vacancy_status

pytestmark = pytest.mark.django_db


def ask(application, state):
    return AdjustmentRequest.objects.create(
        application=application,
        stage="interview",
        category="extra_time",
        details="I have dyslexia.",
        state=state,
        arrangement="25% extra time." if state in ("agreed", "in_place") else "",
    )


@pytest.fixture
def four(vacancy):
    set_vacancy_status(vacancy, "closed")
    apps = [ApplicationFactory(vacancy=vacancy) for _ in range(4)]
    for application, state in zip(apps[1:], ["requested", "declined", "agreed"], strict=True):
        ask(application, state)
    return apps


def blind(text, application):
    """The page with what identifies the application itself taken out, and the per-request
    tokens (CSP nonce, CSRF token)."""
    text = re.sub(r'nonce="[^"]+"', 'nonce="N"', text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return text.replace(application.reference, "REF").replace(
        f"/applications/{application.pk}/", "/applications/ID/"
    )


@pytest.mark.parametrize("persona", ["chair", "panel_member"])
def test_before_shortlisting_the_page_and_the_api_are_the_same_for_all_four(
    persona, request, four, client_for
):
    user = request.getfixturevalue(persona)
    browser = Client()
    browser.force_login(user)
    pages = {blind(browser.get(f"/staff/applications/{a.pk}/").content.decode(), a) for a in four}
    answers = [client_for(user).get(f"/api/v1/applications/{a.pk}/").json() for a in four]

    if len(pages) != 1:  # show what differs
        first, second = sorted(pages)[:2]
        print("\n".join(difflib.unified_diff(first.splitlines(), second.splitlines())))
    assert len(pages) == 1
    assert "Arrangements to make" not in pages.pop()
    assert [a["adjustments"] for a in answers] == [[], [], [], []]


def test_from_shortlisting_the_panel_sees_the_agreed_arrangement_only(
    four, panel_member, client_for
):
    shortlisted = [set_state(a, "shortlisted", "shortlisted") for a in four]
    client = client_for(panel_member)

    adjustments = [
        client.get(f"/api/v1/applications/{a.pk}/").json()["adjustments"] for a in shortlisted
    ]

    assert adjustments == [
        [],
        [],
        [],
        [
            {
                "stage": "interview",
                "category": "extra_time",
                "arrangement": "25% extra time.",
                "state": "agreed",
            }
        ],
    ]
    browser = Client()
    browser.force_login(panel_member)
    page = browser.get(f"/staff/applications/{shortlisted[3].pk}/").content.decode()
    assert "Arrangements to make" in page
    assert "25% extra time." in page
    assert "dyslexia" not in page
    assert (
        "Arrangements to make"
        not in browser.get(f"/staff/applications/{shortlisted[1].pk}/").content.decode()
    )
