"""Monitoring statistics through the release path, against figures computed here by hand from
the rows (their true counts and record keys, perturbed with the service's table), through the
API and CSV; validation; the statutory return."""

import csv
import io
import itertools
import random
from datetime import timedelta

import pytest
from scipy.stats import fisher_exact

from accounts.models import Role, User
from recruitment.models import (
    Application,
    DecidedYear,
    EqualityAnswers,
    ReleaseDecision,
    StatutoryReturnDownload,
)
from recruitment.monitoring import disclosure, release
from recruitment.monitoring.disclosure import Period
from recruitment.monitoring.groups import group_label
from tests.support.factories import VacancyFactory
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

STAGES = ["applied", "shortlisted", "interviewed", "offered", "appointed"]
#: A reporting year that has ended (April 2024 to March 2025).
PAST = Period(2024)


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
    # Record keys from a seeded generator, so that every run publishes the same figures.
    keys = random.Random(start)
    EqualityAnswers.objects.bulk_create(
        EqualityAnswers(
            application=a,
            vacancy=vacancy,
            furthest_stage=furthest_stage,
            record_key=keys.getrandbits(40),
            **answers,
        )
        for a in apps
    )
    return apps


def finish(vacancy, quarter=1, year=PAST, day=10, status="filled"):
    """The campaign closed ``day`` days into a quarter of a past reporting year and ended."""
    closed = Period(year.year, quarter).start + timedelta(days=day)
    Vacancy.objects.filter(pk=vacancy.pk).update(
        status=status, closed_at=closed, ended_at=closed + timedelta(days=20)
    )
    vacancy.refresh_from_db()
    return vacancy


WHITE = {"ethnicity": "white_british"}
ASIAN = {"ethnicity": "asian_indian"}
BLACK = {"ethnicity": "black_african"}
GROUP_OF = {"white_british": "white", "asian_indian": "asian", "black_african": "black"}


def expected(stage, *, group=None, vacancies=None, where=None, unit=None):
    """The published figure computed here from the rows: true count and key sum of those who
    reached ``stage`` (in ``group`` of ethnicity_group, or ``where`` a row test), perturbed
    with the unit's secret offset (``unit``: the selection, by default the organisation over
    2024-25)."""
    from recruitment.monitoring import release

    selection = release.select(**(unit or {"period": "2024-25"}))
    i = STAGES.index(stage)
    rows = EqualityAnswers.objects.filter(furthest_stage__in=STAGES[i:])
    if vacancies is not None:
        rows = rows.filter(vacancy__in=vacancies)
    rows = [
        r
        for r in rows
        if (group is None or GROUP_OF.get(r.ethnicity, r.ethnicity or "not_stated") == group)
        and (where is None or where(r))
    ]
    keys = sum((r.record_key >> (8 * i)) & 255 for r in rows)
    return disclosure.perturb(len(rows), keys + selection.salt(stage))


@pytest.fixture
def year(db):
    """A finished year: one campaign of 410 people. White 200 applied, 80 shortlisted, 50
    interviewed, 30 offered, 24 appointed; Asian 134/54/39/34/25; Black 60/30/22/4/0; not
    stated 20; prefer not to say 10 (applied only)."""
    v = VacancyFactory()
    for answers, reached in [
        (WHITE, {"applied": 120, "shortlisted": 30, "interviewed": 20, "offered": 6, "appointed": 24}),
        (ASIAN, {"applied": 80, "shortlisted": 15, "interviewed": 5, "offered": 9, "appointed": 25}),
        (BLACK, {"applied": 30, "shortlisted": 8, "interviewed": 18, "offered": 4}),
        ({}, {"applied": 20}),
        ({"ethnicity": "prefer_not_to_say"}, {"applied": 10}),
    ]:  # fmt: skip
        for stage, n in reached.items():
            people(v, answers, stage, n)
    return finish(v)


def get(hr, client_for, path):
    response = client_for(hr).get(path)
    assert response.status_code == 200, response.content
    return response


def test_the_funnel_publishes_every_cell_as_computed_by_hand_from_the_rows(hr, client_for, year):
    body = get(hr, client_for, "/api/v1/monitoring/funnel/?characteristic=ethnicity_group").json()

    assert body["unit"] == {
        "kind": "organisation",
        "key": "",
        "label": "The whole organisation",
        "period": "2024-25",
        "period_label": "Reporting year 2024 to 2025 (April 2024 to March 2025)",
    }
    assert body["withheld"] == dict.fromkeys(STAGES, None)
    rows = {r["group"]: r["counts"] for r in body["rows"]}
    for group in ("white", "asian", "black", "mixed", "other"):
        assert rows[group] == {s: expected(s, group=group) for s in STAGES}, group
    assert rows["mixed"] == dict.fromkeys(STAGES, None)  # nobody: never a published 0
    assert body["not_stated"] == {s: expected(s, group="not_stated") for s in STAGES}
    assert body["prefer_not_to_say"]["applied"] == expected("applied", group="prefer_not_to_say")
    assert body["totals"] == {s: expected(s) for s in STAGES}
    assert body["stated"]["applied"] == expected(
        "applied", where=lambda r: r.ethnicity not in ("", "prefer_not_to_say")
    )
    # The true totals are 424 / 164 / 111 / 68 / 49; published figures stay within 2.
    true = [424, 164, 111, 68, 49]
    assert all(abs(body["totals"][s] - n) <= 2 for s, n in zip(STAGES, true, strict=True))


def test_rates_come_from_the_published_counts(hr, client_for, year):
    body = get(hr, client_for, "/api/v1/monitoring/funnel/?characteristic=ethnicity_group").json()
    white = {r["group"]: r["counts"] for r in body["rows"]}["white"]
    assert body["conversion"]["white"]["shortlisted"] == round(
        white["shortlisted"] / white["applied"], 4
    )
    assert body["declaration_rate"] == round(
        body["stated"]["applied"] / body["totals"]["applied"], 4
    )
    assert body["conversion"]["mixed"] == dict.fromkeys(STAGES[1:], None)


def test_relative_likelihood_impact_and_fisher_from_published_counts(hr, client_for, year):
    body = get(
        hr, client_for, "/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group"
    ).json()
    ref_hits, ref_base = (
        expected("appointed", group="white"),
        expected("shortlisted", group="white"),
    )
    others = lambda r: r.ethnicity in ("asian_indian", "black_african")  # noqa: E731
    cmp_hits = expected("appointed", where=others)
    cmp_base = expected("shortlisted", where=others)
    assert body["reference_rate"] == round(ref_hits / ref_base, 4)
    assert body["comparison_rate"] == round(cmp_hits / cmp_base, 4)
    assert body["relative_likelihood"] == round(
        round(ref_hits / ref_base, 4) / round(cmp_hits / cmp_base, 4), 4
    )
    _, p = fisher_exact([[ref_hits, ref_base - ref_hits], [cmp_hits, cmp_base - cmp_hits]])
    assert body["fisher_p"] == round(float(p), 4)
    assert body["comparison"] == "ethnic minority"
    # Black candidates: nobody appointed, so the figure is withheld, never "0".
    assert body["impact_ratios"]["black"] is None
    assert "black" not in body["adverse_impact"]
    assert body["direction"] == (
        "A relative likelihood above 1 means candidates in the group “White” are more likely "
        "to go from shortlisted to appointed than candidates in the group “ethnic minority”; "
        "below 1, less likely."
    )


def test_the_csv_matches_the_api_cell_for_cell_and_never_says_no_impact_where_withheld(
    hr, client_for, year
):
    path = "/api/v1/monitoring/funnel/?characteristic=ethnicity_group"
    body = get(hr, client_for, path).json()
    response = get(hr, client_for, path + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["group", *STAGES]
    cells = {row[0]: row[1:] for row in table[1:9]}
    for row in body["rows"]:
        assert cells[group_label("ethnicity_group", row["group"])] == [
            "*" if row["counts"][s] is None else str(row["counts"][s]) for s in STAGES
        ]
    assert cells["Total"] == [str(body["totals"][s]) for s in STAGES]

    rl = list(
        csv.reader(
            io.StringIO(
                get(
                    hr,
                    client_for,
                    "/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group"
                    "&preset=ons&format=csv",
                ).content.decode()
            )
        )
    )
    verdicts = {row[0]: row[2] for row in rl if len(row) == 4 and row[0] != "Group"}
    assert verdicts["Black, Black British, Caribbean or African"] == "[c]"  # withheld: not "no"
    assert verdicts["Mixed or Multiple"] == "[c]"
    assert verdicts["White"] in ("yes", "no")


def test_representation_shares_come_from_published_counts(hr, client_for, year):
    body = get(
        hr, client_for, "/api/v1/monitoring/representation/?characteristic=ethnicity_group"
    ).json()
    assert body["stage"] == "applied"
    stated = expected("applied", where=lambda r: r.ethnicity in GROUP_OF)
    assert body["stated"] == stated
    shares = {
        row["group"]: (row["count"], row["share"], row["benchmark_share"]) for row in body["rows"]
    }
    white = expected("applied", group="white")
    assert shares["white"] == (white, round(white / stated, 4), 0.817)
    assert shares["mixed"] == (None, None, 0.029)


def test_disability_follows_the_gss_definition(hr, client_for):
    v = VacancyFactory()
    people(v, {"disability_condition": "yes", "disability_impact": "a_lot"}, "applied", 15)
    people(v, {"disability_condition": "yes", "disability_impact": "a_little"}, "applied", 15)
    people(v, {"disability_condition": "yes", "disability_impact": "not_at_all"}, "applied", 12)
    people(v, {"disability_condition": "no"}, "applied", 30)
    people(v, {"disability_condition": "prefer_not_to_say"}, "applied", 11)
    finish(v)
    body = get(hr, client_for, "/api/v1/monitoring/funnel/?characteristic=disability").json()
    rows = {r["group"]: r["counts"]["applied"] for r in body["rows"]}
    disabled = lambda r: r.disability_impact in ("a_lot", "a_little")  # noqa: E731
    not_disabled = lambda r: r.disability_condition == "no" or r.disability_impact == "not_at_all"  # noqa: E731
    assert rows == {
        "disabled": expected("applied", where=disabled),
        "not_disabled": expected("applied", where=not_disabled),
    }
    assert abs(rows["disabled"] - 30) <= 2
    assert abs(rows["not_disabled"] - 42) <= 2
    assert body["prefer_not_to_say"]["applied"] == expected(
        "applied", where=lambda r: r.disability_condition == "prefer_not_to_say"
    )


def test_the_funnel_is_one_grouped_query_once_the_year_is_decided(
    hr, year, django_assert_num_queries
):
    from recruitment.monitoring import statistics
    from recruitment.monitoring.presets import PRESETS

    selection = release.select(period="2024-25")
    with django_assert_num_queries(1):
        release.cells("ethnicity", selection)
    with django_assert_num_queries(1):
        statistics.funnel("religion", PRESETS["nhs"], selection)


def test_the_funnel_endpoint_takes_a_constant_number_of_queries(
    hr, client_for, year, django_assert_max_num_queries
):
    client = client_for(hr)
    client.get("/api/v1/monitoring/funnel/?characteristic=sex")  # decides the year
    with django_assert_max_num_queries(7):
        client.get("/api/v1/monitoring/funnel/?characteristic=sex")
    for department in ("Adult Services", "Planning", "Housing"):
        more = VacancyFactory(department=department)
        people(more, WHITE, "applied", 100)
        finish(more, quarter=3)
    DecidedYear.objects.all().delete()
    client.get("/api/v1/monitoring/funnel/?characteristic=sex")
    # Four times the campaigns and units: the same number of queries.
    with django_assert_max_num_queries(7):
        client.get("/api/v1/monitoring/funnel/?characteristic=sex")
    with django_assert_max_num_queries(8):
        client.get("/api/v1/monitoring/funnel/?characteristic=sex&department=Planning")


def test_a_stage_counts_everyone_who_reached_it_even_if_later_rejected(hr, client_for):

    v = VacancyFactory()
    people(v, WHITE, "appointed", 25)
    people(v, WHITE, "interviewed", 30)  # rejected after interview: still counted at interview
    finish(v)
    cells = release.cells("ethnicity_group", release.select(period="2024-25"))
    assert cells.counts["white"] == [55, 55, 55, 25, 25]


# --- Periods, units and refusals ----------------------------------------------------------------


def test_a_year_that_has_not_finished_publishes_nothing_and_says_why(hr, client_for, year):
    late = VacancyFactory(reference="SW-LATE-1")
    finish(late, quarter=4, status="closed")  # closed in the year, not yet filled
    body = get(hr, client_for, "/api/v1/monitoring/funnel/?characteristic=sex").json()
    assert body["totals"] == dict.fromkeys(STAGES, None)
    assert body["withheld"]["applied"] == (
        "Reporting year 2024 to 2025 (April 2024 to March 2025) waits for 1 campaign to be "
        "filled or cancelled (SW-LATE-1): figures are published once they no longer change."
    )
    assert not DecidedYear.objects.exists()

    Vacancy.objects.filter(pk=late.pk).update(status="cancelled")
    body = get(hr, client_for, "/api/v1/monitoring/funnel/?characteristic=sex").json()
    assert body["withheld"] == dict.fromkeys(STAGES, None)
    assert DecidedYear.objects.get().year == "2024-25"


def test_the_current_year_is_not_published_before_it_ends(hr, client_for):
    from django.utils import timezone

    v = VacancyFactory()
    people(v, WHITE, "applied", 40)
    Vacancy.objects.filter(pk=v.pk).update(
        status="filled", closed_at=timezone.now() - timedelta(days=1), ended_at=timezone.now()
    )
    body = get(hr, client_for, "/api/v1/monitoring/funnel/?characteristic=sex").json()
    assert body["totals"]["applied"] is None
    assert "has not ended yet" in body["withheld"]["applied"]


def test_nothing_published_moves_when_the_rows_change_afterwards(hr, client_for, year):
    """Once decided, a year's figures come from its published copy: a stage recorded on a
    filled campaign afterwards (HR can) moves neither the plan nor any figure, exact or not."""
    client = client_for(hr)
    paths = [
        "/api/v1/monitoring/units/",
        "/api/v1/monitoring/funnel/?characteristic=ethnicity_group",
        "/api/v1/monitoring/relative-likelihood/?characteristic=sex",
        "/api/v1/monitoring/statutory-return/?year=2024-25",
    ]
    before = [client.get(p).json() for p in paths]
    decisions = list(ReleaseDecision.objects.values_list("kind", "key", "stage", "released"))
    EqualityAnswers.objects.filter(furthest_stage="offered").update(furthest_stage="appointed")
    EqualityAnswers.objects.filter(ethnicity="black_african").update(ethnicity="white_british")
    assert [client.get(p).json() for p in paths] == before
    assert list(ReleaseDecision.objects.values_list("kind", "key", "stage", "released")) == (
        decisions
    )


def test_the_units_endpoint_lists_years_and_units_with_reasons_but_no_figures(hr, client_for, year):
    small = VacancyFactory(department="Planning", grade="P9")
    people(small, WHITE, "applied", 3)
    finish(small, quarter=2)
    body = get(hr, client_for, "/api/v1/monitoring/units/").json()
    assert body["period"] == "2024-25"
    assert body["published"] is True
    assert body["years"] == [
        {
            "year": "2024-25",
            "label": "Reporting year 2024 to 2025 (April 2024 to March 2025)",
            "published": True,
            "reason": None,
        }
    ]
    units = {(u["kind"], u["key"]): u for u in body["units"]}
    assert units["department", "planning"]["stages"]["applied"] == {
        "released": False,
        "reason": "Fewer than 20 people reached this stage.",
    }
    assert units["organisation", ""]["stages"]["applied"]["released"] is True
    assert "count" not in str(body)
    assert "424" not in str(body)  # the true number of applications


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("closed_from=2024-01-01T00:00:00Z", "closed_from", "whole reporting periods only"),
        ("closed_to=2024-02-01", "closed_to", "whole reporting periods only"),
        ("period=2024", "period", "Give a reporting year like 2025-26"),
        ("period=2024-26", "period", "is not a reporting year"),
        ("department=A&grade=P3", "department", "one unit at a time"),
        ("vacancy=999999", "vacancy", "No vacancy has this id."),
        ("reference=purple", "reference", "Not a group of ethnicity_group"),
        ("from_stage=appointed&to_stage=applied", "to_stage", "later stage"),
    ],
)
def test_bad_selections_are_refused_naming_the_field(hr, client_for, query, field, message):
    response = client_for(hr).get(
        f"/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group&{query}"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert message in " ".join(body["errors"][field])


def test_a_small_campaign_is_counted_in_its_units_but_not_published_alone(hr, client_for, year):
    body = get(
        hr, client_for, f"/api/v1/monitoring/funnel/?characteristic=sex&vacancy={year.pk}"
    ).json()
    # 424 applications: a unit of its own (the same people as the organisation's year, each
    # unit adjusted with its own offset).
    assert body["unit"]["kind"] == "campaign"
    assert body["totals"]["applied"] == expected("applied", unit={"vacancy": year.pk})
    small = VacancyFactory(department="Children's Services")
    people(small, WHITE, "applied", 50)
    finish(small, quarter=2)
    DecidedYear.objects.all().delete()
    body = get(
        hr, client_for, f"/api/v1/monitoring/funnel/?characteristic=sex&vacancy={small.pk}"
    ).json()
    assert body["totals"] == dict.fromkeys(STAGES, None)
    assert body["withheld"]["applied"].startswith("A campaign is published on its own only with")


# --- The statutory return: the one exact output -------------------------------------------------


def test_the_statutory_return_is_exact_whole_year_and_recorded(hr, client_for, year):
    response = get(hr, client_for, "/api/v1/monitoring/statutory-return/?year=2024-25")
    body = response.json()
    assert body["applications"] == 424
    # 68 offered and 49 appointed: 19 apart, so the appointed column is withheld (offered
    # minus appointed would be the 19 who declined, exactly).
    assert body["counts"]["ethnicity_group"]["white"] == {
        "applied": 200,
        "shortlisted": 80,
        "interviewed": 50,
        "offered": 30,
        "appointed": None,
    }
    assert body["withheld"]["appointed"].startswith("Fewer than 20 people separate this stage")
    assert body["counts"]["ethnicity_group"]["mixed"] == {
        **dict.fromkeys(STAGES, 0),
        "appointed": None,
    }
    assert body["counts"]["ethnicity_group"]["prefer_not_to_say"]["applied"] == 10
    csv_response = get(
        hr, client_for, "/api/v1/monitoring/statutory-return/?year=2024-25&format=csv"
    )
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="statutory-return-2024-25.csv"'
    )
    assert "Ethnic group (5 groups),White,200,80,50,30,\r\n" in csv_response.content.decode()
    assert list(
        StatutoryReturnDownload.objects.values_list("user__username", "year", "format")
    ) == [
        (hr.username, "2024-25", "csv"),
        (hr.username, "2024-25", "json"),
    ]


def test_the_statutory_return_withholds_a_stage_too_few_people_reached(hr, client_for):
    """One appointee: their column would be their answers, exactly."""
    v = VacancyFactory()
    people(v, WHITE, "applied", 90)
    people(v, ASIAN, "interviewed", 30)
    people(v, {"ethnicity": "black_caribbean", "religion": "muslim"}, "appointed", 1)
    finish(v)
    body = get(hr, client_for, "/api/v1/monitoring/statutory-return/?year=2024-25").json()
    assert body["counts"]["ethnicity_group"]["asian"] == {
        "applied": 30,
        "shortlisted": 30,
        "interviewed": 30,
        "offered": None,
        "appointed": None,
    }
    assert body["counts"]["religion"]["muslim"]["appointed"] is None
    assert body["withheld"] == {
        "applied": None,
        "shortlisted": None,
        "interviewed": None,
        "offered": "Fewer than 20 people reached this stage.",
        "appointed": "Fewer than 20 people reached this stage.",
    }


def test_the_statutory_return_never_shows_two_stages_a_few_people_apart(hr, client_for):
    """130 applications, 31 offered and 30 appointed: offered minus appointed, exactly, would
    be the one candidate who declined the offer, whom HR knows. The later column goes."""
    v = VacancyFactory()
    people(v, WHITE, "applied", 100)
    people(v, ASIAN, "appointed", 30)
    people(v, {"ethnicity": "black_caribbean", "religion": "muslim"}, "offered", 1)
    finish(v)
    body = get(hr, client_for, "/api/v1/monitoring/statutory-return/?year=2024-25").json()
    assert body["counts"]["ethnicity_group"]["black"] == {
        "applied": 1,
        "shortlisted": 1,
        "interviewed": 1,
        "offered": 1,
        "appointed": None,
    }
    assert body["counts"]["ethnicity_group"]["asian"]["appointed"] is None
    assert body["withheld"] == {
        "applied": None,
        "shortlisted": None,
        "interviewed": None,
        "offered": None,
        "appointed": "Fewer than 20 people separate this stage from the offered stage: "
        "exact figures for both would identify them.",
    }
    # No two shown columns differ by 1 to 19 people, for any group.
    shown = [s for s in STAGES if body["withheld"][s] is None]
    totals = {s: sum(g[s] for g in body["counts"]["sex"].values()) for s in shown}
    gaps = [totals[a] - totals[b] for a, b in itertools.combinations(shown, 2)]
    assert not [gap for gap in gaps if 0 < gap < 20]


def test_the_statutory_return_is_refused_for_an_unfinished_or_small_year(hr, client_for, year):
    client = client_for(hr)
    response = client.get("/api/v1/monitoring/statutory-return/?year=2025-26")
    assert response.status_code == 409
    assert response.json()["code"] == "not_releasable"
    response = client.get("/api/v1/monitoring/statutory-return/?year=2024-25-Q1")
    assert response.status_code == 400
    assert response.json()["errors"]["year"] == ["The statutory return covers a whole year."]
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "MONITORING_STATUTORY_MINIMUM", 425)  # the year has 424
        response = client.get("/api/v1/monitoring/statutory-return/?year=2024-25")
    assert response.status_code == 409
    assert "fewer than 425 applications" in response.json()["detail"]
    assert not StatutoryReturnDownload.objects.exists()


def test_only_hr_gets_the_statutory_return(chair, client_for, year):
    response = client_for(chair).get("/api/v1/monitoring/statutory-return/?year=2024-25")
    assert response.status_code == 403
    assert not StatutoryReturnDownload.objects.exists()


def test_a_year_with_no_campaign_is_never_decided_by_asking(hr, client_for):
    client = client_for(hr)
    response = client.get("/api/v1/monitoring/statutory-return/?year=2003-04")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "No campaign closed in Reporting year 2003 to 2004 (April 2003 to March 2004): there is "
        "nothing to publish."
    )
    body = client.get("/api/v1/monitoring/funnel/?characteristic=sex&period=2010-11").json()
    assert body["withheld"]["applied"].startswith("No campaign closed in Reporting year 2010")
    assert not DecidedYear.objects.exists()
    assert client.get("/api/v1/monitoring/units/").json()["years"] == []
