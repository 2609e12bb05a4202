"""Every list that grows with a campaign is paged and filtered, and a page costs the same
number of queries at two campaign sizes: a vacancy's applications, moderation, the scoring
queue and the interview schedule (the ranking: tests/recruitment/scoring/
test_ranking_at_scale.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recruitment.models import Application, GuaranteeStep, Score
from tests.support.clients import page_client
from tests.support.factories import ApplicationFactory, agree, set_state

pytestmark = pytest.mark.django_db


def grow(vacancy, n, panel):
    """``n`` more applications: each scored by the whole panel (one in three with a spread
    of 3 on the first criterion), every other one agreed, every fifth interviewed soon."""
    criteria = list(vacancy.criteria.all())
    made = []
    for i in range(n):
        application = ApplicationFactory(vacancy=vacancy)
        for member in panel:
            for c_index, criterion in enumerate(criteria):
                spread = 3 if (i % 3 == 0 and c_index == 0 and member == panel[0]) else 0
                Score.objects.create(
                    application=application,
                    criterion=criterion,
                    stage="shortlisting",
                    scorer=member,
                    score=1 + spread if spread else 1,
                )
        if i % 2 == 0:
            agree(application, [2, 2, 2])
        if i % 5 == 0:
            set_state(application, "interview_scheduled", furthest_stage="shortlisted")
            Application.objects.filter(pk=application.pk).update(
                interview_at=timezone.now() + timedelta(days=3, minutes=i)
            )
        made.append(application)
    return made


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


URLS = {
    "applications": "/staff/vacancies/{pk}/applications/",
    "applications filtered": "/staff/vacancies/{pk}/applications/?state=submitted&to_agree=yes",
    "moderation": "/staff/vacancies/{pk}/moderation/shortlisting/",
    "moderation filtered": "/staff/vacancies/{pk}/moderation/shortlisting/?to_agree=yes",
    "moderation to discuss": "/staff/vacancies/{pk}/moderation/shortlisting/?to_discuss=yes",
    "interview schedule": "/staff/vacancies/{pk}/interviews/",
}


@pytest.mark.parametrize("name", URLS)
def test_a_page_of_a_long_list_costs_the_same_queries_at_two_sizes(
    closed, chair, panel_member, other_panel_member, name
):
    client = page_client(chair)
    url = URLS[name].format(pk=closed.pk)
    grow(closed, 10, [panel_member, other_panel_member])
    client.get(url)
    small, _ = queries(client, url)
    grow(closed, 70, [panel_member, other_panel_member])

    large, page = queries(client, url)

    assert small == large
    assert page.count('class="govuk-table__row"') <= 51  # the header and 50 rows


def test_the_scoring_queue_costs_the_same_queries_at_two_sizes(
    closed, panel_member, other_panel_member
):
    client = page_client(panel_member)
    url = f"/staff/vacancies/{closed.pk}/scoring/shortlisting/"
    grow(closed, 10, [panel_member, other_panel_member])
    client.get(url)
    small, _ = queries(client, url)
    grow(closed, 70, [panel_member, other_panel_member])

    large, page = queries(client, url)

    assert small == large
    assert "You have scored 80 of 80 applications." in page
    assert "Showing 1 to 50 of 80 applications" in page
    assert page.count('href="/staff/applications/') == 50


def test_the_applications_page_pages_and_filters(closed, chair, hr, panel_member):
    apps = grow(closed, 60, [panel_member])
    client = page_client(chair)

    first = client.get(f"/staff/vacancies/{closed.pk}/applications/").content.decode()
    second = client.get(f"/staff/vacancies/{closed.pk}/applications/?page=2").content.decode()
    to_agree = client.get(
        f"/staff/vacancies/{closed.pk}/applications/?to_agree=yes"
    ).content.decode()

    assert "Showing 1 to 50 of 60 applications" in first
    assert "Showing 51 to 60 of 60 applications" in second
    assert apps[0].reference in first
    assert apps[59].reference in second
    assert apps[59].reference not in first
    # Not agreed and still in the sift: the odd ones not interviewed (i % 2 == 1, i % 5 != 0).
    waiting = [a for i, a in enumerate(apps) if i % 2 == 1 and i % 5 != 0]
    assert f"of {len(waiting)} applications" in to_agree
    assert all(a.reference in to_agree for a in waiting)
    # The guarantee filter is HR's alone: the chair's page offers it not, and ignores it.
    assert 'name="guarantee"' not in first
    GuaranteeStep.objects.create(
        application=apps[1], outcome="minimum_not_met", essential_total=2, reason="Below."
    )
    chair_filtered = client.get(
        f"/staff/vacancies/{closed.pk}/applications/?guarantee=minimum_not_met"
    ).content.decode()
    assert "Showing 1 to 50 of 60 applications" in chair_filtered
    hr_filtered = (
        page_client(hr)
        .get(f"/staff/vacancies/{closed.pk}/applications/?guarantee=minimum_not_met")
        .content.decode()
    )
    assert "Showing 1 to 1 of 1 applications" in hr_filtered
    assert apps[1].reference in hr_filtered


def test_moderation_counts_the_whole_stage_and_lists_a_filtered_page(
    closed, chair, panel_member, other_panel_member
):
    apps = grow(closed, 60, [panel_member, other_panel_member])
    client = page_client(chair)

    page = client.get(f"/staff/vacancies/{closed.pk}/moderation/shortlisting/").content.decode()
    discuss = client.get(
        f"/staff/vacancies/{closed.pk}/moderation/shortlisting/?to_discuss=yes"
    ).content.decode()

    # Moderation lists the sift's applications: all 60 (the interviewed ones included).
    assert "60 of 60 applications" in page  # scored by all
    agreed = sum(1 for i in range(60) if i % 2 == 0)
    assert f"{agreed} of 60 applications" in page
    assert "Showing 1 to 50 of 60 applications" in page
    spread = [a for i, a in enumerate(apps) if i % 3 == 0]
    assert f"Showing 1 to {len(spread)} of {len(spread)} applications" in discuss
    assert all(a.reference in discuss for a in spread)
    assert "3: discuss" in discuss
