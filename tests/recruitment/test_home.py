"""A home page for each role: what waits for them, with counts, each linking to the work."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from adjustments.models import AdjustmentRequest
from recruitment.scoring import services as scoring
from tests.support.clients import page_client
from tests.support.factories import (
    ApplicationFactory,
    UserFactory,
    VacancyFactory,
    set_state,
    set_vacancy_status,
)

pytestmark = pytest.mark.django_db


def waiting(page):
    """count → text of each item on the page."""
    found = re.findall(
        r'<strong class="app-waiting__count">(\d+)</strong> ([^<]+)</a>', page.content.decode()
    )
    return {text.strip(): int(n) for n, text in found}


def test_hr_sees_what_waits_across_the_organisation(hr, vacancy):
    closed = set_vacancy_status(VacancyFactory(reference="CL-1"), "closed")
    application = ApplicationFactory(vacancy=vacancy)
    for category in ("extra_time", "rest_breaks"):
        AdjustmentRequest.objects.create(
            application=application, stage="interview", category=category, details="x"
        )
    type(vacancy).objects.filter(pk=vacancy.pk).update(
        closing_date=timezone.now() + timedelta(days=3)
    )
    type(closed).objects.filter(pk=closed.pk).update(legal_hold=True, legal_hold_reason="ET/1")
    invited = UserFactory(role="panel_member")
    type(invited).objects.filter(pk=invited.pk).update(password="!")  # invited, not set up

    shown = waiting(page_client(hr).get("/"))

    assert shown["adjustment requests to decide"] == 2
    assert shown["agreed adjustments to put in place"] == 0
    assert shown["vacancy closing in the next 7 days"] == 1
    assert shown["closed vacancy whose sift is not complete"] == 1
    assert shown["legal hold in place"] == 1
    assert shown["invited person who has not set up their account"] == 1
    assert page_client(hr).get("/staff/").status_code == 200


def test_a_panel_member_sees_what_waits_for_their_scores(panel_member, chair, vacancy):
    closed = set_vacancy_status(vacancy, "closed")
    first, _second = ApplicationFactory(vacancy=closed), ApplicationFactory(vacancy=closed)
    scoring.scores_submit(
        application_id=first.pk,
        by=panel_member,
        stage="shortlisting",
        scores=[scoring.ScoreInput(criterion=c.pk, score=2) for c in closed.criteria.all()],
    )

    shown = waiting(page_client(panel_member).get("/staff/"))

    assert shown == {f"{closed.reference}: application to score": 1}


def test_the_chair_sees_scores_to_agree_decisions_and_interviews(chair, vacancy):
    sifting = set_vacancy_status(vacancy, "closed")
    ApplicationFactory(vacancy=sifting)
    interviewing = set_vacancy_status(VacancyFactory(hiring_manager=chair), "closed")
    set_state(ApplicationFactory(vacancy=interviewing), "interviewed", "interviewed")

    shown = waiting(page_client(chair).get("/"))

    ref, other = sifting.reference, interviewing.reference
    assert shown[f"{ref}: application whose scores you have not agreed"] == 1
    assert shown[f"{ref}: application to decide before the sift is complete"] == 1
    assert shown[f"{other}: candidate interviewed, waiting for a decision"] == 1
    assert f"{other}: application to decide before the sift is complete" not in shown


def test_a_candidate_sees_their_offers_and_applications(candidate):
    set_state(ApplicationFactory(candidate=candidate), "offered", "offered")
    ApplicationFactory(candidate=candidate)

    shown = waiting(page_client(candidate).get("/"))

    assert shown["job offer to answer"] == 1
    assert shown["applications"] == 2


def test_a_visitor_gets_the_start_page_and_staff_home_asks_to_sign_in(client):
    assert "Find a job" in client.get("/").content.decode()
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")
