"""The ranking computed in the database (recruitment/scoring/ranked.py), paged and filtered:
the same answers as the rules read one application at a time, a fixed number of queries at
any size, and the paged API, CSV and page."""

import csv
import io
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recruitment.models import Application
from recruitment.scoring import assessment
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from recruitment.scoring.ranking import tie_groups
from tests.support.clients import page_client
from tests.support.factories import (
    ApplicationFactory,
    PositiveActionDeclarationFactory,
    PositiveActionPlanFactory,
    agree,
    set_state,
)

pytestmark = pytest.mark.django_db


def campaign(vacancy, n, seed=2026):
    """``n`` applications with random agreed scores: about one in six has none, one in six
    only some (an incomplete assessment)."""
    rng = random.Random(seed)
    apps = []
    for _ in range(n):
        application = ApplicationFactory(vacancy=vacancy)
        kind = rng.random()
        if kind > 1 / 6:
            scores = [rng.randint(0, 4) for _ in range(3)]
            agree(application, scores if kind > 2 / 6 else scores[:1])
        apps.append(application)
    return apps


def reference_ranking(vacancy, stage="shortlisting"):
    """The ranking as the rules give it one application at a time (assessment.py and
    ranking.tie_groups over loaded objects): what the SQL must agree with."""
    rows = [
        (a, assessment.agreed_total(a, stage), assessment.meets_minimum_criteria(a))
        for a in Application.objects.exclude(state="withdrawn").for_ranking(vacancy)
    ]
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].reference))
    groups = tie_groups([total for _, total, _ in rows], vacancy.tie_band)
    return [
        (
            a.reference,
            total,
            meets,
            group,
            None
            if total is None
            else 1 + sum(1 for _, t, _ in rows if t is not None and t > total),
        )
        for (a, total, meets), group in zip(rows, groups, strict=True)
    ]


@pytest.mark.parametrize("rule", ["all_essential_at_pass_mark", "aggregate_60_no_zero"])
@pytest.mark.parametrize("band", [0, 1, 2])
@pytest.mark.parametrize("pass_mark", [1, 2, 3])
def test_the_database_ranking_agrees_with_the_rules_one_application_at_a_time(
    closed, rule, band, pass_mark
):
    closed.minimum_criteria_rule = rule
    closed.pass_mark = pass_mark
    closed.tie_band = band
    closed.tie_band_reason = "Narrow band agreed by the panel." if band else ""
    closed.save()
    campaign(closed, 40, seed=band * 10 + pass_mark)
    withdrawn = ApplicationFactory(vacancy=closed)
    agree(withdrawn, [4, 4, 4])
    set_state(withdrawn, "withdrawn")

    ranking = VacancyRanking(closed, "shortlisting")
    got = [
        (r.application.reference, r.total, r.meets_minimum_criteria, r.tie_group, r.rank)
        for r in ranking.walk()
    ]

    expected = reference_ranking(closed)
    assert got == expected
    assert len(got) == 40  # the withdrawn one is not ranked
    assert ranking.count() == 40
    # Every filter's count from the histogram is the length of its list.
    for only in [
        RankingFilter(meets_minimum=True),
        RankingFilter(meets_minimum=False),
        RankingFilter(state="submitted"),
        *[RankingFilter(tie_group=g) for g in ranking.tie_group_numbers],
    ]:
        assert ranking.count(only) == len(ranking.rows(only)), only


def test_ranks_are_shared_by_equal_totals_and_a_page_carries_them(closed):
    totals = {"a": [4, 4, 4], "b": [3, 3, 2], "c": [2, 3, 3], "d": [2, 2, 1], "e": [1, 1, 1]}
    apps = {name: ApplicationFactory(vacancy=closed) for name in totals}
    for name, scores in totals.items():
        agree(apps[name], scores)
    unscored = ApplicationFactory(vacancy=closed)
    ranking = VacancyRanking(closed, "shortlisting")

    first = ranking.rows(limit=2)
    second = ranking.rows(offset=2, limit=2)
    last = ranking.rows(offset=4, limit=10)

    assert [(r.total, r.rank, r.tie_group) for r in first] == [(12, 1, None), (8, 2, 1)]
    assert [(r.total, r.rank, r.tie_group) for r in second] == [(8, 2, 1), (5, 4, None)]
    assert [(r.total, r.rank) for r in last] == [(3, 5), (None, None)]
    assert last[-1].application == unscored
    assert ranking.count(RankingFilter(tie_group=1)) == 2
    assert {r.application for r in ranking.rows(RankingFilter(tie_group=1))} == {
        apps["b"],
        apps["c"],
    }
    assert ranking.rows(RankingFilter(tie_group=2)) == []


def test_positive_action_eligibility_is_read_only_at_interview_inside_a_tie_after_the_sift(
    closed,
):
    PositiveActionPlanFactory(vacancy=closed)
    tied = [ApplicationFactory(vacancy=closed) for _ in range(2)]
    alone = ApplicationFactory(vacancy=closed)
    for application, scores in zip([*tied, alone], [[3, 3, 3], [3, 3, 3], [4, 4, 4]], strict=True):
        set_state(application, "interviewed", furthest_stage="interviewed")
        agree(application, scores, stage="interview")
        PositiveActionDeclarationFactory(application=application)
    sift = VacancyRanking(closed, "shortlisting")
    assert {r.positive_action_eligible for r in sift.walk()} == {False}

    interview = VacancyRanking(closed, "interview")

    by_app = {r.application: r for r in interview.walk()}
    assert [by_app[a].positive_action_eligible for a in tied] == [True, True]
    assert by_app[alone].positive_action_eligible is False
    assert [by_app[a].tie_group for a in tied] == [1, 1]


def queries(run):
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/vacancies/{pk}/ranked-applications/",
        "/api/v1/vacancies/{pk}/ranked-applications/?meets_minimum_criteria=true&page_size=5",
        "/staff/vacancies/{pk}/ranking/shortlisting/",
        "/staff/vacancies/{pk}/ranking/shortlisting/?meets=yes&tie=1",
    ],
)
def test_a_page_of_the_ranking_costs_the_same_queries_at_two_sizes(closed, chair, client_for, url):
    client = page_client(chair) if url.startswith("/staff/") else client_for(chair)

    def grow(n, seed):
        # Each size has a top tie that meets the minimum and undecided applications, so
        # the same work is done at both: only the number of rows differs.
        for application in [ApplicationFactory(vacancy=closed) for _ in range(2)]:
            agree(application, [4, 4, 4])
        campaign(closed, n, seed=seed)

    grow(8, seed=1)
    path = url.format(pk=closed.pk)
    assert client.get(path).status_code == 200
    small = queries(lambda: client.get(path))
    grow(70, seed=2)

    large = queries(lambda: client.get(path))

    assert small == large
    assert large <= 16  # the session, the user, the vacancy and permissions, the ranking's five


def test_the_paged_api_lists_a_page_with_ranks_states_and_the_filters(closed, chair, client_for):
    apps = campaign(closed, 30, seed=7)
    set_state(apps[0], "shortlisted")
    client = client_for(chair)
    expected = reference_ranking(closed)

    first = client.get(f"/api/v1/vacancies/{closed.pk}/ranked-applications/?page_size=10")
    body = first.json()

    assert first.status_code == 200
    assert body["count"] == 30
    assert body["previous"] is None
    assert "page=2" in body["next"]
    assert [
        (r["reference"], r["total"], r["meets_minimum_criteria"], r["tie_group"], r["rank"])
        for r in body["results"]
    ] == expected[:10]
    assert set(body["results"][0]) == {
        "application",
        "reference",
        "total",
        "meets_minimum_criteria",
        "tie_group",
        "positive_action_eligible",
        "rank",
        "state",
    }
    meets = client.get(
        f"/api/v1/vacancies/{closed.pk}/ranked-applications/?meets_minimum_criteria=false"
    ).json()
    assert meets["count"] == sum(1 for r in expected if r[2] is False)
    assert {r["meets_minimum_criteria"] for r in meets["results"]} <= {False}
    shortlisted = client.get(
        f"/api/v1/vacancies/{closed.pk}/ranked-applications/?state=shortlisted"
    ).json()
    assert [r["application"] for r in shortlisted["results"]] == [apps[0].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("meets_minimum_criteria=maybe", "meets_minimum_criteria"),
        ("tie_group=0", "tie_group"),
        ("tie_group=x", "tie_group"),
        ("state=withdrawn", "state"),
        ("stage=final", "stage"),
        ("page=0", "page"),
        ("page_size=abc", "page_size"),
    ],
)
def test_bad_filters_of_the_paged_ranking_are_a_400_naming_the_field(
    closed, chair, client_for, query, field
):
    response = client_for(chair).get(f"/api/v1/vacancies/{closed.pk}/ranked-applications/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_the_paged_ranking_is_hidden_and_refused_as_the_whole_one_is(
    closed, panel_member, outsider_manager, client_for
):
    url = f"/api/v1/vacancies/{closed.pk}/ranked-applications/"

    assert client_for(panel_member).get(url).status_code == 403  # sees the vacancy
    assert client_for(outsider_manager).get(url).status_code == 404  # does not


def test_the_ranking_csv_streams_every_row_the_filters_list(closed, chair, client_for):
    campaign(closed, 12, seed=3)
    expected = reference_ranking(closed)

    response = client_for(chair).get(
        f"/api/v1/vacancies/{closed.pk}/ranked-applications/?format=csv"
    )

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "rank",
        "application",
        "reference",
        "total",
        "meets_minimum_criteria",
        "tie_group",
        "positive_action_eligible",
        "state",
    ]
    assert [row[2] for row in rows[1:]] == [r[0] for r in expected]
    assert [row[3] for row in rows[1:]] == ["" if r[1] is None else str(r[1]) for r in expected]


def test_the_ranking_page_pages_fifty_at_a_time_keeping_the_filters(closed, chair, client_for):
    campaign(closed, 120, seed=5)
    complete = sum(1 for r in reference_ranking(closed) if r[2] is not None)
    client = page_client(chair)

    first = client.get(f"/staff/vacancies/{closed.pk}/ranking/shortlisting/").content.decode()
    third = client.get(
        f"/staff/vacancies/{closed.pk}/ranking/shortlisting/?page=3"
    ).content.decode()
    filtered = client.get(
        f"/staff/vacancies/{closed.pk}/ranking/shortlisting/?meets=yes&page=1"
    ).content.decode()

    assert "Showing 1 to 50 of 120 applications" in first
    assert first.count('href="/staff/applications/') == 50
    assert 'href="?page=2" rel="next"' in first
    assert "Showing 101 to 120 of 120 applications" in third
    assert third.count('href="/staff/applications/') == 20
    meeting = sum(1 for r in reference_ranking(closed) if r[2] is True)
    assert f"of {meeting} applications" in filtered
    assert 0 < meeting < complete
    if meeting > 50:
        assert 'href="?meets=yes&amp;page=2"' in filtered


def test_a_filter_value_the_page_does_not_know_lists_everything(closed, chair, client_for):
    campaign(closed, 5, seed=9)

    page = page_client(chair).get(
        f"/staff/vacancies/{closed.pk}/ranking/shortlisting/?meets=perhaps&tie=99&state=x&page=abc"
    )

    assert page.status_code == 200
    assert "Showing 1 to 5 of 5 applications" in page.content.decode()


def test_a_bulk_decision_from_a_later_page_orders_by_rank_and_keeps_the_page(
    closed, chair, client_for
):
    apps = campaign(closed, 60, seed=11)
    ranking = VacancyRanking(closed, "shortlisting")
    on_page_two = ranking.rows(offset=50, limit=10)
    chosen = [r.application.pk for r in on_page_two[:3]]

    response = page_client(chair).post(
        f"/staff/vacancies/{closed.pk}/decisions/?page=2",
        {"applications": chosen, "decision": "shortlist", "reason": "", "confirm": "yes"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?page=2")
    assert set(Application.objects.filter(pk__in=chosen).values_list("state", flat=True)) == {
        "shortlisted"
    }
    assert Application.objects.filter(vacancy=closed, state="shortlisted").count() == 3
    assert len(apps) == 60
