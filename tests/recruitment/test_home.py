"""A home page for each role: what waits for them, with counts, each linking to a page that
shows that very work."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from adjustments import services as adjustments
from adjustments.models import AdjustmentRequest, PreApplicationRequest
from recruitment.models import PackComment
from recruitment.scoring import services as scoring
from tests.support.clients import page_client
from tests.support.factories import (
    ApplicationFactory,
    UserFactory,
    VacancyFactory,
    interview_time_passes,
    set_state,
    set_vacancy_status,
)

pytestmark = pytest.mark.django_db

ITEM = re.compile(
    r'(?:<span class="app-waiting__about">([^<]+)</span>)?<a class="govuk-link" href="([^"]+)">'
    r'<strong class="app-waiting__count">(\d+)</strong>&nbsp;([^<]+)</a>'
)


def waiting(page):
    """ "[vacancy: ]text" → (count, link) of each item on the page."""
    return {
        (f"{about.split()[0]}: " if about else "") + text.strip(): (
            int(n),
            url.replace("&amp;", "&"),
        )
        for about, url, n, text in ITEM.findall(page.content.decode())
    }


def score(application, by, value=2):
    scoring.scores_submit(
        application_id=application.pk,
        by=by,
        stage="shortlisting",
        scores=[
            scoring.ScoreInput(criterion=c.pk, score=value)
            for c in application.vacancy.criteria.all()
        ],
    )


def test_hr_sees_what_waits_and_each_link_shows_it(hr, vacancy):
    closed = set_vacancy_status(VacancyFactory(reference="CL-1"), "closed")
    application = ApplicationFactory(vacancy=vacancy)
    requests = [
        AdjustmentRequest.objects.create(
            application=application, stage="interview", category=category, details="x"
        )
        for category in ("extra_time", "rest_breaks", "bsl_interpreter")
    ]
    adjustments.adjustment_partially_agree(
        adjustment_id=requests[2].pk, by=hr, arrangement="An interpreter.", reason="Not two."
    )
    PreApplicationRequest.objects.create(
        vacancy=vacancy, full_name="Ola", email="o@example.org", category="other", details="x"
    )
    type(vacancy).objects.filter(pk=vacancy.pk).update(
        closing_date=timezone.now() + timedelta(days=3)
    )
    late = VacancyFactory(reference="LATE-1")  # open, its closing date already past
    type(late).objects.filter(pk=late.pk).update(closing_date=timezone.now() - timedelta(hours=2))
    type(closed).objects.filter(pk=closed.pk).update(legal_hold=True, legal_hold_reason="ET/1")
    invited = UserFactory(role="panel_member")
    type(invited).objects.filter(pk=invited.pk).update(password="!")  # invited, not set up
    reviewer = UserFactory(role="network_reviewer")
    for answered_at in (None, timezone.now()):  # one comment on a draft report to answer
        PackComment.objects.create(
            year="2024-25", author=reviewer, body="Why?", answered_at=answered_at
        )
    client = page_client(hr)

    shown = waiting(client.get("/"))

    assert {text: n for text, (n, _) in shown.items()} == {
        "adjustment requests to decide": 2,
        "agreed adjustment to put in place": 1,
        "request made before applying to answer": 1,
        "vacancy closing in the next 7 days": 1,
        "closed vacancy whose sift is not complete": 1,
        "vacancy under a legal hold": 1,
        "invited person who has not set up their account": 1,
        "comment from a staff network on a report to answer": 1,
    }
    assert shown["comment from a staff network on a report to answer"][1] == (
        "/staff/monitoring/publication/"
    )
    to_put_in_place = client.get(shown["agreed adjustment to put in place"][1]).content.decode()
    assert f'href="/staff/adjustments/{requests[2].pk}/"' in to_put_in_place
    assert f'href="/staff/adjustments/{requests[0].pk}/"' not in to_put_in_place
    closing = client.get(shown["vacancy closing in the next 7 days"][1]).content.decode()
    assert "Vacancies closing in the next 7 days" in closing
    assert vacancy.reference in closing
    assert "LATE-1" not in closing
    held = client.get(shown["vacancy under a legal hold"][1]).content.decode()
    assert "CL-1" in held
    assert vacancy.reference not in held
    sifts = client.get(shown["closed vacancy whose sift is not complete"][1]).content.decode()
    assert "CL-1" in sifts
    assert "LATE-1" not in sifts
    assert page_client(hr).get("/staff/").status_code == 200


def test_a_panel_member_sees_scores_due_at_the_sift_and_after_interviews(
    panel_member, other_panel_member, chair, vacancy
):
    closed = set_vacancy_status(vacancy, "closed")
    first, _second = ApplicationFactory(vacancy=closed), ApplicationFactory(vacancy=closed)
    score(first, panel_member)
    sifted = set_vacancy_status(
        VacancyFactory(hiring_manager=chair, panel=[panel_member]), "closed"
    )
    interviewed = set_state(
        ApplicationFactory(vacancy=sifted), "interview_scheduled", "shortlisted"
    )
    interview_time_passes(interviewed)
    set_state(ApplicationFactory(vacancy=sifted), "interview_scheduled", "shortlisted")  # later

    shown = waiting(page_client(panel_member).get("/staff/"))

    assert shown == {
        f"{closed.reference}: application to score": (
            1,
            f"/staff/vacancies/{closed.pk}/scoring/shortlisting/",
        ),
        f"{sifted.reference}: application to score after interview": (
            1,
            f"/staff/vacancies/{sifted.pk}/scoring/interview/",
        ),
    }
    assert waiting(page_client(other_panel_member).get("/staff/")) == {
        f"{closed.reference}: applications to score": (
            2,
            f"/staff/vacancies/{closed.pk}/scoring/shortlisting/",
        )
    }


def test_the_chair_sees_only_what_they_can_act_on(chair, panel_member, other_panel_member, vacancy):
    sifting = set_vacancy_status(vacancy, "closed")
    ready, half_scored = ApplicationFactory(vacancy=sifting), ApplicationFactory(vacancy=sifting)
    score(ready, panel_member)
    score(ready, other_panel_member)
    score(half_scored, panel_member)
    interviewing = set_vacancy_status(VacancyFactory(hiring_manager=chair), "closed")
    set_state(ApplicationFactory(vacancy=interviewing), "interviewed", "interviewed")
    set_vacancy_status(VacancyFactory(hiring_manager=chair), "closed")  # nothing waits on it

    shown = waiting(page_client(chair).get("/"))

    ref, other = sifting.reference, interviewing.reference
    assert {text: n for text, (n, _) in shown.items()} == {
        f"{ref}: application scored by the whole panel, its scores to agree": 1,
        f"{ref}: applications to decide before the sift is complete": 2,
        f"{other}: candidate interviewed, waiting for a decision": 1,
    }
    to_agree = page_client(chair).get(
        shown[f"{ref}: application scored by the whole panel, its scores to agree"][1]
    )
    assert ready.reference in to_agree.content.decode()


def test_a_candidate_sees_offers_decisions_and_applications(candidate, hr):
    set_state(ApplicationFactory(candidate=candidate), "offered", "offered")
    going = ApplicationFactory(candidate=candidate)
    withdrawn = ApplicationFactory(candidate=candidate)
    for application in (going, withdrawn):
        request = AdjustmentRequest.objects.create(
            application=application, stage="interview", category="extra_time", details="x"
        )
        adjustments.adjustment_agree(adjustment_id=request.pk, by=hr, arrangement="Time.")
    set_state(withdrawn, "withdrawn")

    shown = waiting(page_client(candidate).get("/"))

    assert shown["job offer to answer"][0] == 1
    assert shown["decision on a request for an adjustment"] == (
        1,
        f"/applications/{going.pk}/",
    )
    assert shown["applications"][0] == 3


def test_nothing_waiting_says_so(panel_member):
    page = page_client(panel_member).get("/").content.decode()

    assert "Nothing waits for you here." in page


def test_a_visitor_gets_the_start_page_and_staff_home_asks_to_sign_in(client):
    assert "Find a job" in client.get("/").content.decode()
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")
