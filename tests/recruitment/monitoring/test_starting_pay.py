"""Starting pay by group (recruitment/monitoring/pay.py), against a cohort worked out here by
hand: true counts and record keys of the appointees paid at most each step up their range,
perturbed with the service's table, and the median read off those counts step by step.
Also: the offer records the salary and where it sits in the range; a small group is
withheld; nothing of it reaches anyone but HR; the pack reports it for each grade band."""

from decimal import Decimal

import pytest

from recruitment.models import EqualityAnswers, ReleaseDecision
from recruitment.monitoring import disclosure, pay, release
from tests.recruitment.monitoring.test_statistics import ASIAN, BLACK, WHITE, finish, people
from tests.support.factories import VacancyFactory

pytestmark = pytest.mark.django_db

STEPS = (0, 250, 500, 750, 1000)
APPOINTED_BYTE = 4  # the appointment stage's byte of a record key
#: In the cohort below, everyone paid at most three quarters up the range, and everyone with
#: a salary recorded, are all the appointees: the same people as the funnel's appointed
#: column, so their cells take its offset (the same people, the same figure).
SAME_AS = {"le:1000": "appointed", "le:750": "appointed"}


def paid(apps, position):
    """Record where these appointees' salaries sit in their range (thousandths)."""
    EqualityAnswers.objects.filter(application__in=apps).update(pay_position=position)


@pytest.fixture
def cohort(db):
    """A finished year with two campaigns in one grade band (Band 5: ranges £30,000 to
    £34,000 and £31,000 to £35,000), 150 applicants each, and these appointees:

    - White, 46: 26 at the bottom, 20 at 60%;
    - Asian, 64: 24 at the bottom, 20 at 20%, 20 at 40%;
    - Black, 6: all at the bottom (a group too small to publish).

    So the band's columns (everyone paid at most each step up the range) hold 56, 76, 96,
    116 and 116 people, and 60 started above the bottom: each released, being at least 20
    and at least 20 apart."""
    a = VacancyFactory(grade="Band 5", salary_min=30_000, salary_max=34_000)
    b = VacancyFactory(grade="Band 5", salary_min=31_000, salary_max=35_000)
    for vacancy, rest in ((a, 80), (b, 70)):
        people(vacancy, WHITE, "applied", rest)
        people(vacancy, ASIAN, "applied", 150 - rest - 58)
    for vacancy, answers, n, position in [
        (a, WHITE, 26, 0), (a, WHITE, 20, 600),
        (a, ASIAN, 24, 0), (b, ASIAN, 20, 200), (b, ASIAN, 20, 400),
        (b, BLACK, 6, 0),
    ]:  # fmt: skip
        paid(people(vacancy, answers, "appointed", n), position)
    return finish(a), finish(b)


def published(selection, ethnicity, cell):
    """A starting-pay cell worked out by hand from the rows: the true count and key sum of the
    appointees in the group paid at most ``cell``'s step (or above the bottom), perturbed
    with the unit's secret offset for the cell."""
    rows = [
        r
        for r in EqualityAnswers.objects.filter(furthest_stage="appointed").exclude(
            pay_position=None
        )
        if ethnicity is None or r.ethnicity in ethnicity
    ]
    if cell == "above_bottom":
        rows = [r for r in rows if r.pay_position > 0]
    else:
        rows = [r for r in rows if r.pay_position <= int(cell[3:])]
    keys = sum((r.record_key >> (8 * APPOINTED_BYTE)) & 255 for r in rows)
    return disclosure.perturb(len(rows), keys + selection.salt(SAME_AS.get(cell, f"pay:{cell}")))


def median_by_hand(counts):
    """The median's place from cumulative counts (step → count; None withheld; every column
    of the cohort is released), by hand: the first step whose count reaches half the total;
    within it, the straight line from the step below, where both counts are at least 20."""
    total = counts[1000]
    if total is None or total < 20:
        return None, None
    half = Decimal(total) / 2
    previous = None
    for step in STEPS:
        n = counts[step]
        if n is not None and n >= half:
            if step == 0:
                return 0.0, 0
            low_step, low_n = previous
            if low_n is None or low_n < 20 or n < 20:
                return None, step
            within = (half - low_n) / (n - low_n)
            return round(float((low_step + (step - low_step) * within) / 1000), 3), step
        previous = (step, n)
    raise AssertionError("the total reaches half")


def test_starting_pay_matches_the_cohort_worked_out_by_hand(hr, client_for, cohort):
    body = client_for(hr).get(
        "/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&grade=Band 5"
        "&period=2024-25"
    )
    assert body.status_code == 200, body.content
    body = body.json()
    selection = release.select(period="2024-25", grade="Band 5")
    assert selection.released["appointed"] is True
    assert body["unit"]["label"] == "Grade band: Band 5"
    assert body["typical_range"] == [30_500, 34_500]  # the medians of the two ranges' ends
    rows = {r["group"]: r for r in body["rows"]}

    for group, answers in (("white", "white_british"), ("asian", "asian_indian")):
        counts = {s: published(selection, {answers}, f"le:{s}") for s in STEPS}
        above = published(selection, {answers}, "above_bottom")
        position, step = median_by_hand(counts)
        row = rows[group]
        assert row["appointed"] == counts[1000], group
        assert row["above_bottom"] == above, group
        assert row["above_bottom_share"] == (
            None
            if above is None or above < 20 or counts[1000] < 20
            else min(1.0, round(above / counts[1000], 4))
        ), group
        assert (row["median_position"], row["median_step"]) == (position, step), group
        assert row["median_pounds"] == (
            None if position is None else round((30_500 + position * 4_000) / 100) * 100
        ), group

    # What the cohort is, read loosely: the published figures stay near the true ones.
    white, asian = rows["white"], rows["asian"]
    assert abs(white["appointed"] - 46) <= 3
    assert abs(asian["appointed"] - 64) <= 3
    assert white["median_step"] == 0  # 26 of 46 started at the bottom
    assert white["median_words"] == "at the bottom of the range"
    assert white["median_pounds"] == 30_500
    assert asian["median_step"] == 250  # 24 at the bottom, 20 more by a fifth of the way
    assert 0.05 <= asian["median_position"] <= 0.15  # 0.1 with the true counts
    assert asian["gap_points"] == round((0.0 - asian["median_position"]) * 100, 1)
    assert white["gap_points"] is None  # the reference group itself
    # Everyone in the band is the funnel's appointed column: the same people, the same figure.
    funnel = (
        client_for(hr)
        .get(
            "/api/v1/monitoring/funnel/?characteristic=ethnicity_group&grade=Band 5&period=2024-25"
        )
        .json()
    )
    assert body["all"]["appointed"] == funnel["totals"]["appointed"]
    assert [r["appointed"] for r in body["rows"]] == [
        r["counts"]["appointed"] for r in funnel["rows"]
    ]


def test_a_group_too_small_to_publish_shows_no_median_or_share(hr, client_for, cohort):
    body = (
        client_for(hr)
        .get(
            "/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&period=2024-25"
            "&grade=Band 5"
        )
        .json()
    )
    selection = release.select(period="2024-25", grade="Band 5")
    black = next(r for r in body["rows"] if r["group"] == "black")
    # Six appointees, all at the bottom. Their count is published as the cell key method
    # publishes any count (adjusted; below 10 not at all), worked out here by hand; a share
    # or a median needs at least 20, so none is published, in words or in pounds.
    assert black["appointed"] == published(selection, {"black_african"}, "le:1000")
    assert {k: v for k, v in black.items() if k not in ("group", "label", "appointed")} == {
        "above_bottom": None,  # nobody is above the bottom: an empty cell is never a 0
        "above_bottom_share": None,
        "median_position": None,
        "median_step": None,
        "median_from_step": None,
        "median_words": None,
        "median_pounds": None,
        "gap_points": None,
        "above_bottom_gap_points": None,
    }
    mixed = next(r for r in body["rows"] if r["group"] == "mixed")
    assert mixed["appointed"] is None  # nobody: never a published 0


def test_the_median_is_read_off_the_cumulative_counts():
    # 20 at the bottom, 40 by a quarter, 60 by half: half of 60 is 30, half way between the
    # bottom (20) and the quarter step (40), so an eighth of the way up.
    assert pay.median_position(60, [20, 40, 60, 60, 60]) == {
        "position": 0.125,
        "step": 250,
        "from": None,
        "span": False,
    }
    # Most at the bottom: the median is the bottom itself.
    assert pay.median_position(40, [24, 32, 32, 40, 40]) == {
        "position": 0.0,
        "step": 0,
        "from": None,
        "span": False,
    }
    # The count below the median's step is withheld, or below 20: its step is known, its
    # point (a rate of sorts) is not.
    assert pay.median_position(26, [None, 16, 26, 26, 26]) == {
        "position": None,
        "step": 250,
        "from": None,
        "span": False,
    }
    assert pay.median_position(30, [10, 20, 30, 30, 30]) == {
        "position": None,
        "step": 250,
        "from": None,
        "span": False,
    }
    # Below the minimum population for a rate (20): nothing.
    assert pay.median_position(19, [10, 19, 19, 19, 19]) == {
        "position": None,
        "step": None,
        "from": None,
        "span": False,
    }
    assert pay.median_position(None, [None] * 5) == {
        "position": None,
        "step": None,
        "from": None,
        "span": False,
    }
    # Noise made a count fall from one step to the next: the median's step is still the
    # first to reach half (20), and its point on the line from the step below (it needs
    # both counts at least 20, so here none).
    assert pay.median_position(40, [12, 11, 30, 40, 40]) == {
        "position": None,
        "step": 500,
        "from": None,
        "span": False,
    }
    # (250 + 250 × (40 − 21) / (60 − 21) = 371.8 thousandths)
    assert pay.median_position(80, [22, 21, 60, 80, 80]) == {
        "position": 0.372,
        "step": 500,
        "from": None,
        "span": False,
    }
    # A column withheld for everyone below the median's step could hold the median.
    known = [True, False, True, True, True]
    # (it is somewhere above the bottom, up to half way: the span is given instead)
    assert pay.median_position(60, [20, None, 60, 60, 60], known) == {
        "position": None,
        "step": 500,
        "from": 0,
        "span": True,
    }
    assert pay.median_words({"step": 500, "from": 0, "span": True}) == (
        "above the bottom, at most 50% of the way up the range"
    )
    # The bottom's own column withheld: the median may be the bottom itself.
    known = [False, False, True, True, True]
    assert pay.median_position(60, [None, None, 60, 60, 60], known) == {
        "position": None,
        "step": 500,
        "from": None,
        "span": True,
    }
    assert pay.median_words({"step": 500, "from": None, "span": True}) == (
        "at most 50% of the way up the range"
    )
    # Withheld for everyone, then released below the median: the step and point stand.
    known = [False, True, True, True, True]
    assert pay.median_position(80, [None, 30, 60, 80, 80], known) == {
        "position": 0.333,
        "step": 500,
        "from": None,
        "span": False,
    }


def test_one_known_appointee_above_the_bottom_is_never_told_apart(hr, client_for):
    """The insider's attack (found in review): 36 appointees at the bottom of the range and
    one, P, above it. HR knows who P is. A column of one person, shown as 10 in one group,
    would name P's group, so no column P alone makes the difference in is released: only
    the appointees as a whole, which are the funnel's appointed figures."""
    v = VacancyFactory(department="Highways", grade="G1", salary_min=30_000, salary_max=34_000)
    people(v, WHITE, "applied", 60)
    paid(people(v, WHITE, "appointed", 20), 0)
    paid(people(v, ASIAN, "appointed", 16), 0)
    (target,) = people(v, {}, "appointed", 1)
    paid([target], 500)
    finish(v)
    from tests.recruitment.monitoring.test_insider import ANSWERS

    for answers in ANSWERS:
        EqualityAnswers.objects.filter(application=target).update(**answers)
        for unit in ("", "&department=Highways", "&grade=G1"):
            for characteristic in ("ethnicity_group", "sex", "disability", "sexual_orientation"):
                body = (
                    client_for(hr)
                    .get(
                        f"/api/v1/monitoring/starting-pay/?characteristic={characteristic}"
                        f"&period=2024-25{unit}"
                    )
                    .json()
                )
                funnel = (
                    client_for(hr)
                    .get(
                        f"/api/v1/monitoring/funnel/?characteristic={characteristic}"
                        f"&period=2024-25{unit}"
                    )
                    .json()
                )
                for row in [*body["rows"], body["not_stated"], body["all"]]:
                    assert row["above_bottom"] is None, (unit, characteristic, row)
                    assert row["median_position"] is None
                assert [r["appointed"] for r in body["rows"]] == [
                    r["counts"]["appointed"] for r in funnel["rows"]
                ]


def test_pay_is_withheld_when_too_few_salaries_are_recorded(hr, client_for):
    """The year pay recording starts: 36 appointees offered before it and one after. The one
    with a salary recorded is a column of one known person: nothing of the pay is
    published, and the page says why."""
    v = VacancyFactory(grade="G2", salary_min=30_000, salary_max=34_000)
    people(v, WHITE, "applied", 60)
    people(v, WHITE, "appointed", 20)
    people(v, ASIAN, "appointed", 16)
    paid(people(v, BLACK, "appointed", 1), 0)
    finish(v)
    body = (
        client_for(hr)
        .get("/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&period=2024-25")
        .json()
    )
    assert body["withheld"].startswith("Fewer than 20 appointees here have a starting salary")
    assert all(r["appointed"] is None for r in [*body["rows"], body["all"]])


def test_a_unit_whose_appointments_are_withheld_publishes_no_pay(hr, client_for, cohort):
    small = VacancyFactory(grade="Band 9", salary_min=60_000, salary_max=70_000)
    people(small, WHITE, "applied", 5)
    paid(people(small, WHITE, "appointed", 1), 500)
    finish(small)
    body = (
        client_for(hr)
        .get("/api/v1/monitoring/starting-pay/?characteristic=sex&grade=Band 9&period=2024-25")
        .json()
    )
    assert body["withheld"]
    assert body["all"]["appointed"] is None
    assert all(r["appointed"] is None and r["median_pounds"] is None for r in body["rows"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("characteristic=shoe_size", "characteristic"),
        ("", "characteristic"),
        ("characteristic=sex&period=2024", "period"),
        ("characteristic=sex&grade=Band 5&department=Finance", "grade"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(hr, client_for, cohort, query, field):
    response = client_for(hr).get(f"/api/v1/monitoring/starting-pay/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"] or field in response.json()


def test_only_hr_reads_the_starting_pay(client_for, cohort, chair, panel_member, candidate):
    for user in (chair, panel_member, candidate):
        response = client_for(user).get("/api/v1/monitoring/starting-pay/?characteristic=sex")
        assert response.status_code == 403, user.role
    assert (
        client_for(None).get("/api/v1/monitoring/starting-pay/?characteristic=sex").status_code
        == 401
    )


def test_the_csv_matches_the_api(hr, client_for, cohort):
    query = "characteristic=ethnicity_group&period=2024-25&grade=Band 5&preset=ons"
    body = client_for(hr).get(f"/api/v1/monitoring/starting-pay/?{query}").json()
    text = client_for(hr).get(f"/api/v1/monitoring/starting-pay/?{query}&format=csv")
    assert text["Content-Type"].startswith("text/csv")
    import csv
    import io

    lines = list(csv.reader(io.StringIO(text.content.decode())))
    by_label = {line[0]: line for line in lines[1:] if line}
    white = next(r for r in body["rows"] if r["group"] == "white")
    assert by_label["White"][1] == str(white["appointed"])
    assert by_label["White"][5] == "at the bottom of the range"
    assert by_label["Black, Black British, Caribbean or African"][4] == "[c]"  # no median
    assert "£30,500 to £34,500" in text.content.decode()


def test_the_dashboard_shows_the_same_figures_as_the_api(hr, client_for, cohort):
    from tests.support.clients import page_client

    api = (
        client_for(hr)
        .get(
            "/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&period=2024-25"
            "&grade=Band 5"
        )
        .json()
    )
    white = next(r for r in api["rows"] if r["group"] == "white")
    asian = next(r for r in api["rows"] if r["group"] == "asian")
    html = (
        page_client(hr)
        .get("/staff/monitoring/?characteristic=ethnicity_group&period=2024-25&unit=grade:band 5")
        .content.decode()
    )
    table = html[
        html.index('id="starting-pay"') : html.index("</table>", html.index('id="starting-pay"'))
    ]
    assert (
        f'<td class="govuk-table__cell govuk-table__cell--numeric">{white["appointed"]}</td>'
        in table
    )
    assert "At the bottom of the range" in table
    assert (
        f"In the lowest quarter of the range ({round(asian['median_position'] * 100)}% of the way up)"
        in table
    )
    assert f"£{asian['median_pounds']:,}" in table
    assert "The band's typical range is £30,500 to £34,500" in html
    assert "How small numbers are handled" in html


def test_the_yearly_report_has_starting_pay_for_each_grade_band(cohort, settings):
    from recruitment.monitoring import publication

    figures = publication.pack_figures("2024-25")
    assert [p["characteristic"] for p in figures["pay"]] == ["ethnicity_group", "disability", "sex"]
    (band,) = figures["pay"][0]["bands"]
    assert band["unit"]["label"] == "Grade band: Band 5"
    api_like = pay.pay_figures("ethnicity_group", release.select(period="2024-25", grade="Band 5"))
    assert {k: v for k, v in band.items() if k != "id"} == api_like
    html = publication.render_pack(figures, draft=True)
    assert 'id="starting-pay"' in html
    assert "Starting pay: Band 5" in html
    assert "<strong>Starting pay.</strong>" in html  # the method, in the methods section


def test_one_appointee_s_salary_is_never_published(hr, client_for, cohort):
    """HR knows every appointee's salary. A group of one must not show it: no median, no
    share, no pounds, whatever their count is published as."""
    lone = VacancyFactory(grade="Band 5", salary_min=30_000, salary_max=34_000)
    people(lone, WHITE, "applied", 30)
    paid(people(lone, {"ethnicity": "other_arab"}, "appointed", 1), 875)
    finish(lone)
    body = (
        client_for(hr)
        .get(
            "/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&period=2024-25"
            "&grade=Band 5"
        )
        .json()
    )
    other = next(r for r in body["rows"] if r["group"] == "other")
    assert other["median_position"] is None
    assert other["median_step"] is None
    assert other["median_pounds"] is None
    assert other["above_bottom_share"] is None


def test_the_starting_pay_takes_a_constant_number_of_queries(
    hr, client_for, cohort, django_assert_max_num_queries
):
    client = client_for(hr)
    url = "/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&period=2024-25"
    client.get(url)  # the year is decided on the first read
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(f"{url}&grade=Band 5").status_code == 200


@pytest.fixture
def one_apart(db):
    """The second review's attack: campaign A (Q1) has 30 appointees at the bottom and 20 at
    60%; campaign B (Q2) has the known appointee X a fifth of the way up and 20 others at 90%.
    The year's column "at most a quarter up" holds 31 people, Q1's 30: X alone apart."""
    a = VacancyFactory(department="Parks", grade="G7", salary_min=30_000, salary_max=34_000)
    b = VacancyFactory(department="Parks", grade="G7", salary_min=30_000, salary_max=34_000)
    people(a, WHITE, "applied", 60)
    people(b, WHITE, "applied", 60)
    paid(people(a, WHITE, "appointed", 15), 0)
    paid(people(a, ASIAN, "appointed", 15), 0)
    paid(people(a, WHITE, "appointed", 20), 600)
    (x,) = people(b, BLACK, "appointed", 1)
    paid([x], 200)
    paid(people(b, WHITE, "appointed", 20), 900)
    finish(a, quarter=1)
    finish(b, quarter=2)
    return x


def test_no_pay_column_is_a_few_known_people_from_another_unit_s(hr, client_for, one_apart):
    client_for(hr).get("/api/v1/monitoring/starting-pay/?characteristic=sex")  # decides
    year = release.pay_cells("sex", release.select(period="2024-25"))
    q1 = release.pay_cells("sex", release.select(period="2024-25-Q1"))
    # The plan released the year's column and withheld Q1's, 1 person apart.
    assert year.released("le:250") is True
    assert q1.released("le:250") is False
    decision = ReleaseDecision.objects.get(
        year__year="2024-25", period="2024-25-Q1", kind="organisation", stage="pay:le:250"
    )
    assert decision.released is False
    assert "differs from the whole organisation (2024-25) by fewer than 20" in decision.reason
    # Q1 holds 30 at the bottom and 20 more at 60%: its columns at the bottom, a quarter and
    # half up are the same 30 people (one figure), and all 50 are the appointed column.
    assert q1.columns["le:0"] == "pay:le:0"
    assert q1.columns.get("le:500", "pay:le:0") == "pay:le:0"


def test_those_above_the_bottom_go_only_with_those_at_the_bottom(hr, client_for, one_apart):
    """Those above the bottom are everyone less those at the bottom: a released "above"
    column beside a withheld "at the bottom" one would publish it all the same."""
    client_for(hr).get("/api/v1/monitoring/starting-pay/?characteristic=sex")
    for params in ({"period": "2024-25"}, {"period": "2024-25-Q1"}, {"period": "2024-25-Q2"}):
        cells = release.pay_cells("sex", release.select(**params))
        assert cells.released("above_bottom") == (
            cells.released("le:0")
            or cells.columns.get("above_bottom") == cells.columns.get("le:1000")
        ), params


def test_the_same_people_in_two_columns_get_the_same_figure(hr, client_for, cohort):
    """In the cohort nobody is above three quarters up: that column is everyone, the same
    people as the appointed column, so all three give one figure for every group."""
    body = (
        client_for(hr)
        .get(
            "/api/v1/monitoring/starting-pay/?characteristic=ethnicity_group&grade=Band 5"
            "&period=2024-25"
        )
        .json()
    )
    selection = release.select(period="2024-25", grade="Band 5")
    cells = release.pay_cells("ethnicity_group", selection)
    assert cells.columns["le:750"] == cells.columns["le:1000"] == "appointed"
    for group in ("white", "asian"):
        assert cells.value([group], "le:750") == cells.value([group], "le:1000")
    assert body["all"]["appointed"] == cells.value(
        ["white", "mixed", "asian", "black", "other", "not_stated", "prefer_not_to_say"], "le:1000"
    )
