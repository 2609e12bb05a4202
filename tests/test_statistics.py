"""Monitoring statistics against hand-computed tables, through the API and CSV."""

import csv
import io

import pytest
from scipy.stats import fisher_exact

from accounts.models import Role, User
from recruitment.models import Application, EqualityAnswers
from tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

STAGES = ["applied", "shortlisted", "interviewed", "offered", "appointed"]


def people(vacancy, answers, furthest_stage, n):
    """``n`` applications with these equality answers that reached ``furthest_stage``."""
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(
            username=f"p{start + i}",
            email=f"p{start + i}@example.org",
            full_name="x",
            role=Role.CANDIDATE,
        )
        for i in range(n)
    )
    apps = Application.objects.bulk_create(
        Application(
            vacancy=vacancy,
            candidate=u,
            statement="s",
            reference=f"A-{start + i:08d}",
            furthest_stage=furthest_stage,
        )
        for i, u in enumerate(users)
    )
    EqualityAnswers.objects.bulk_create(
        EqualityAnswers(application=a, vacancy=vacancy, furthest_stage=furthest_stage, **answers)
        for a in apps
    )


WHITE = {"ethnicity": "white_british"}
ASIAN = {"ethnicity": "asian_indian"}
BLACK = {"ethnicity": "black_african"}


@pytest.fixture
def small_table(db):
    """white 40/20/15/10/10, asian 20/10/8/5/3, black 15/10/10/0/0, not stated 10,
    prefer not to say 5 (applied only)."""
    v = VacancyFactory()
    for answers, stages in [
        (WHITE, {"applied": 20, "shortlisted": 5, "interviewed": 5, "appointed": 10}),
        (ASIAN, {"applied": 10, "shortlisted": 2, "interviewed": 3, "offered": 2, "appointed": 3}),
        (BLACK, {"applied": 5, "interviewed": 10}),
        ({}, {"applied": 10}),
        ({"ethnicity": "prefer_not_to_say"}, {"applied": 5}),
    ]:
        for stage, n in stages.items():
            people(v, answers, stage, n)
    return v


def test_the_funnel_counts_everyone_who_reached_each_stage_and_suppresses_small_cells(
    small_table, hr, client_for
):
    response = client_for(hr).get("/api/v1/monitoring/funnel/?characteristic=ethnicity_group")

    assert response.status_code == 200
    body = response.json()
    assert body["stages"] == STAGES
    rows = {r["group"]: [r["counts"][s] for s in STAGES] for r in body["rows"]}
    # Primary (NHS: 1-7 hidden): asian offered 5, asian appointed 3, prefer-not-to-say 5.
    # Secondary, column by column, hides the smallest other cell, the first in report order
    # on a tie (white, mixed, asian, black, other): mixed applied, offered and appointed (0).
    # Others rounded to 5 (8 -> 10).
    assert rows == {
        "white": [40, 20, 15, 10, 10],
        "mixed": [None, 0, 0, None, None],
        "asian": [20, 10, 10, None, None],
        "black": [15, 10, 10, 0, 0],
        "other": [0, 0, 0, 0, 0],
    }
    assert [body["not_stated"][s] for s in STAGES] == [10, 0, 0, 0, 0]
    assert [body["prefer_not_to_say"][s] for s in STAGES] == [None, 0, 0, 0, 0]
    assert [body["totals"][s] for s in STAGES] == [90, 40, 35, 15, 15]  # 33 -> 35, 13 -> 15
    assert body["declaration_rate"] == round(75 / 90, 4)
    assert body["conversion"]["white"]["shortlisted"] == 0.5
    assert body["conversion"]["asian"]["offered"] is None  # from a suppressed count


def test_the_relative_likelihood_is_withheld_when_an_input_is_suppressed(
    small_table, hr, client_for
):
    body = (
        client_for(hr)
        .get(
            "/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group&reference=white"
        )
        .json()
    )

    # Comparison: shortlisted 20, appointed 3 -> 3 is suppressed, so no rate and no ratio.
    assert body["reference_rate"] == 0.5
    assert body["comparison_rate"] is None
    assert body["relative_likelihood"] is None
    assert body["fisher_p"] is None


@pytest.fixture
def larger_table(db):
    """Shortlisted -> appointed: white 40 -> 20, asian 20 -> 8, black 30 -> 9."""
    v = VacancyFactory()
    for answers, shortlisted_only, appointed in [(WHITE, 20, 20), (ASIAN, 12, 8), (BLACK, 21, 9)]:
        people(v, answers, "shortlisted", shortlisted_only)
        people(v, answers, "appointed", appointed)
    return v


def test_relative_likelihood_impact_ratios_and_fisher_against_hand_computed_figures(
    larger_table, hr, client_for
):
    body = (
        client_for(hr)
        .get("/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group")
        .json()
    )

    assert body["reference"] == "white"
    assert body["comparison"] == "ethnic minority"
    assert body["reference_rate"] == 0.5  # 20 / 40
    assert body["comparison_rate"] == 0.34  # (8 + 9) / (20 + 30)
    assert body["relative_likelihood"] == round(0.5 / 0.34, 4)  # 1.4706
    assert body["fisher_p"] == round(fisher_exact([[20, 20], [17, 33]])[1], 4)
    assert body["highest_rate_group"] == "white"
    assert body["impact_ratios"] == {
        "white": 1.0,
        "mixed": None,
        "asian": 0.8,
        "black": 0.6,
        "other": None,
    }
    assert body["adverse_impact"] == ["black"]  # 0.8 is not below four-fifths
    assert body["fisher_p_by_group"]["black"] == round(fisher_exact([[9, 21], [20, 20]])[1], 4)
    assert "more likely" in body["direction"]


def test_the_reference_group_and_stages_are_parameters_and_validated(larger_table, hr, client_for):
    client = client_for(hr)
    body = client.get(
        "/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group"
        "&reference=black&from_stage=shortlisted&to_stage=appointed"
    ).json()
    assert body["reference_rate"] == 0.3
    assert body["comparison_rate"] == round(28 / 60, 4)

    bad = client.get(
        "/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group&reference=x"
    )
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["reference"])
    bad = client.get(
        "/api/v1/monitoring/relative-likelihood/?characteristic=sex&from_stage=offered&to_stage=applied"
    )
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["to_stage"])
    bad = client.get("/api/v1/monitoring/funnel/?characteristic=height")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["characteristic"])


def test_the_csv_matches_the_api_cell_for_cell(small_table, hr, client_for):
    client = client_for(hr)
    body = client.get("/api/v1/monitoring/funnel/?characteristic=ethnicity_group").json()
    response = client.get("/api/v1/monitoring/funnel/?characteristic=ethnicity_group&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["group", *STAGES]

    def as_csv(counts):
        return ["*" if counts[s] is None else str(counts[s]) for s in STAGES]

    expected = [[r["group"], *as_csv(r["counts"])] for r in body["rows"]]
    expected += [
        ["not_stated", *as_csv(body["not_stated"])],
        ["prefer_not_to_say", *as_csv(body["prefer_not_to_say"])],
        ["total", *as_csv(body["totals"])],
    ]
    assert rows[1:] == expected


@pytest.mark.parametrize("preset", ["nhs", "ons", "ofqual"])
def test_every_characteristic_and_preset_answers(small_table, hr, client_for, preset):
    from recruitment.statistics import CHARACTERISTICS, GROUPS

    for characteristic in CHARACTERISTICS:
        body = (
            client_for(hr)
            .get(f"/api/v1/monitoring/funnel/?characteristic={characteristic}&preset={preset}")
            .json()
        )
        assert [r["group"] for r in body["rows"]] == GROUPS[characteristic]
        assert body["preset"] == preset


def test_disability_follows_the_gss_definition(hr, client_for):
    v = VacancyFactory()
    people(v, {"disability_condition": "yes", "disability_impact": "a_lot"}, "applied", 10)
    people(v, {"disability_condition": "yes", "disability_impact": "a_little"}, "applied", 10)
    people(v, {"disability_condition": "yes", "disability_impact": "not_at_all"}, "applied", 10)
    people(v, {"disability_condition": "no"}, "applied", 10)
    people(v, {"disability_condition": "yes"}, "applied", 10)
    people(v, {"disability_condition": "prefer_not_to_say"}, "applied", 10)

    body = client_for(hr).get("/api/v1/monitoring/funnel/?characteristic=disability").json()

    assert {r["group"]: r["counts"]["applied"] for r in body["rows"]} == {
        "disabled": 20,
        "not_disabled": 20,
    }
    assert body["not_stated"]["applied"] == 10  # a condition, but the impact not answered
    assert body["prefer_not_to_say"]["applied"] == 10


def test_filters_select_the_vacancies(small_table, hr, client_for):
    other = VacancyFactory(department="Parks", grade="S1")
    people(other, WHITE, "applied", 10)

    body = (
        client_for(hr)
        .get("/api/v1/monitoring/funnel/?characteristic=ethnicity_group&department=parks")
        .json()
    )

    assert body["totals"]["applied"] == 10
    assert (
        client_for(hr)
        .get(f"/api/v1/monitoring/funnel/?characteristic=sex&vacancy={other.pk}")
        .json()["totals"]["applied"]
        == 10
    )


def test_representation_against_the_census_benchmark(larger_table, hr, client_for):
    body = (
        client_for(hr)
        .get("/api/v1/monitoring/representation/?characteristic=ethnicity_group&stage=appointed")
        .json()
    )

    rows = {r["group"]: r for r in body["rows"]}
    assert body["benchmark"] == "Census 2021, England and Wales"
    assert rows["white"]["count"] == 20
    assert rows["white"]["share"] == round(20 / 37, 4)
    assert rows["white"]["benchmark_share"] == 0.817
    assert rows["asian"]["share"] == round(8 / 37, 4)
    assert rows["mixed"]["count"] == 0  # NHS shows zero; only 1-7 is hidden
    assert rows["mixed"]["share"] == 0.0


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_only_hr_sees_monitoring(persona, request, client_for):
    user = request.getfixturevalue(persona)
    for path in ("funnel", "relative-likelihood", "representation"):
        response = client_for(user).get(f"/api/v1/monitoring/{path}/?characteristic=sex")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_the_funnel_is_one_grouped_query(small_table, hr, client_for, django_assert_num_queries):
    client = client_for(hr)
    with django_assert_num_queries(1):  # one grouped scan
        client.get("/api/v1/monitoring/funnel/?characteristic=ethnicity")


def test_a_stage_counts_everyone_who_reached_it_even_if_later_rejected(
    vacancy, chair, hr, client_for, django_capture_on_commit_callbacks
):
    """Through the real services: shortlisted, interviewed, then not appointed."""
    from datetime import timedelta

    from django.utils import timezone

    from recruitment import services
    from tests.factories import ApplicationFactory, set_vacancy_status

    set_vacancy_status(vacancy, "closed")
    applications = [ApplicationFactory(vacancy=vacancy) for _ in range(8)]
    EqualityAnswers.objects.filter(application__in=applications).update(sex="female")
    when = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=False):
        for application in applications:
            services.application_shortlist(application_id=application.pk, by=chair)
            services.application_schedule_interview(
                application_id=application.pk, by=chair, interview_at=when
            )
            services.application_record_interview(application_id=application.pk, by=chair)
            services.application_reject(application_id=application.pk, by=chair, reason="Closer")

    body = (
        client_for(hr)
        .get(f"/api/v1/monitoring/funnel/?characteristic=sex&vacancy={vacancy.pk}")
        .json()
    )

    female = next(r for r in body["rows"] if r["group"] == "female")
    assert female["counts"] == {
        "applied": 10,
        "shortlisted": 10,
        "interviewed": 10,
        "offered": 0,
        "appointed": 0,
    }  # 8 each, rounded to the nearest 5
    assert set(
        EqualityAnswers.objects.filter(application__in=applications).values_list(
            "furthest_stage", flat=True
        )
    ) == {"interviewed"}


def test_a_refused_or_options_request_for_csv_is_answered_not_crashed(chair, hr, client_for):
    """Found by schemathesis: the CSV renderer took errors and OPTIONS metadata for tables."""
    refused = client_for(chair).get("/api/v1/monitoring/funnel/?characteristic=sex&format=csv")
    assert refused.status_code == 403
    assert refused.content.decode().splitlines()[0] == "code,detail"

    options = client_for(hr).options("/api/v1/monitoring/representation/?format=csv")
    assert options.status_code == 200
    assert options.content.decode().startswith("name,")
