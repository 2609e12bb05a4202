"""The HR dashboard: the same released figures as the API, large reports in the background."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from recruitment.monitoring.groups import CHARACTERISTIC_LABELS, CHARACTERISTICS
from tests.recruitment.monitoring.test_statistics import (
    ASIAN,
    PAST,
    STAGES,
    WHITE,
    expected,
    finish,
    people,
)
from tests.support.browser import axe_violations
from tests.support.clients import page_client as browser
from tests.support.factories import PASSWORD, VacancyFactory

pytestmark = pytest.mark.django_db

FEWER = "Fewer than 20 people reached this stage."


def published_campaign():
    """A campaign of 2024-25 (a reporting year that has ended), filled, so the year is
    published: 55 applied; 22 (all white) reached the offer, 12 of them appointed, so the
    appointed stage (fewer than 20) is withheld; 3 Asian applicants, applied only."""
    v = VacancyFactory()
    people(v, WHITE, "appointed", 12)
    people(v, WHITE, "offered", 10)
    people(v, WHITE, "applied", 30)
    people(v, ASIAN, "applied", 3)
    return finish(v, year=PAST)


@pytest.fixture
def data(db):
    return published_campaign()


def shown(value, symbol="*"):
    return symbol if value is None else str(value)


def test_the_dashboard_shows_the_released_funnel_with_a_chart_table_and_summary(data, hr):
    page = browser(hr).get("/staff/monitoring/?characteristic=ethnicity_group&preset=nhs")

    assert page.status_code == 200
    html = page.content.decode()
    funnel = page.context["funnel"]
    assert (funnel.unit["kind"], funnel.unit["period"]) == ("organisation", "2024-25")
    assert funnel.withheld == {**dict.fromkeys(STAGES[:-1]), "appointed": FEWER}
    # Each published figure as computed by hand from the rows (perturbed by its cell key).
    assert [r["counts"]["applied"] for r in funnel.rows] == [
        expected("applied", group="white"),
        None,  # mixed: nobody, never a published 0
        expected("applied", group="asian"),  # 3 people: withheld, or published as 10
        None,
        None,
    ]
    white = funnel.rows[0]["counts"]
    assert white == {**{s: expected(s, group="white") for s in STAGES[:-1]}, "appointed": None}
    assert abs(white["offered"] - 22) <= 2
    for chart in ("conversion-chart", "likelihood-chart", "representation-chart"):
        assert (
            f'<svg role="img" aria-labelledby="{chart}-title" aria-describedby="{chart}-caption"'
            in html
        )
    conversion = page.context["charts"]["conversion"]
    white_bars = conversion.rows[0].bars  # White: the share of applicants reaching each stage
    assert [b.value for b in white_bars] == [
        f"{round(expected(s, group='white') / expected('applied', group='white') * 100)}%"
        if s != "appointed" else "not shown"
        for s in STAGES[1:]
    ]  # fmt: skip
    assert funnel.totals["applied"] == expected("applied")
    assert abs(funnel.totals["applied"] - 55) <= 2
    assert f"About {funnel.totals['applied']:,} people applied" in html
    assert "a number not shown were appointed" in html
    assert "Download this table (CSV)" in html
    asian = html.split('<th scope="row" class="govuk-table__header">Asian or Asian British</th>')[1]
    cells = re.findall(r">([^<]*)</td>", asian.split("</tr>")[0])
    assert cells == [shown(expected("applied", group="asian"), "–"), "–", "–", "–", "–"]
    withheld = html.split('id="withheld"')[1].split("</dl>")[0]
    assert "Appointed not shown" in withheld
    assert FEWER in withheld
    assert "Offered not shown" not in withheld


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_the_dashboard_is_for_hr_only(persona, request):
    user = request.getfixturevalue(persona)
    assert browser(user).get("/staff/monitoring/").status_code == 403


def test_a_large_selection_runs_in_the_background_and_is_kept_for_download(
    data, hr, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from config.celery_app import app as celery_app

    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    settings.MONITORING_ASYNC_THRESHOLD = 10
    client = browser(hr)
    # A first visit, with no query string: the page's own "Prepare the report" form starts it,
    # for the period the page is showing.
    page = client.get("/staff/monitoring/")
    assert page.context["large"] is True
    form = page.content.decode().split("Prepare the report")[0].rsplit("<form", 1)[1]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    assert fields == {
        "characteristic": "ethnicity_group",
        "period": "2024-25",
        "preset": "nhs",
        "run": "1",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/staff/monitoring/", fields)
    assert response.status_code == 302
    report_url = response["Location"]
    assert client.get(report_url + "?format=json").json() == {"status": "done", "progress": 100}
    assert "Your report is ready" in client.get(report_url).content.decode()

    download = client.get(report_url + "download.csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["Ethnicity (19 categories)", "Funnel"]
    funnels = [r[0] for r in rows if len(r) == 2 and r[1] == "Funnel"]
    assert funnels == [CHARACTERISTIC_LABELS[c] for c in CHARACTERISTICS]
    start = rows.index(["Ethnic group (5 groups)", "Funnel"])
    assert rows[start + 1] == ["group", *STAGES]
    groups = {row[0]: row[1:] for row in rows[start + 2 : start + 7]}
    # Appointed: withheld for the unit (fewer than 20 reached it), whatever its count.
    # A spreadsheet: the groups in words.
    assert groups["White"] == [*(shown(expected(s, group="white")) for s in STAGES[:-1]), "*"]
    assert groups["Asian or Asian British"] == [
        shown(expected("applied", group="asian")),
        "*",
        "*",
        "*",
        "*",
    ]
    assert ["unit", "The whole organisation"] in rows
    assert ["period", "Reporting year 2024 to 2025 (April 2024 to March 2025)"] in rows
    assert ["Withheld: appointed", FEWER] in rows
    assert ["Adjustment requests", "By kind and outcome"] in rows
    kinds = rows[rows.index(["Adjustment requests", "By kind and outcome"]) + 1]
    assert kinds[0] == "Kind"
    assert "Partially agreed" in kinds  # words, not codes
    # No code anywhere in the file but its header rows' keys.
    codes = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
    assert [c for row in rows for c in row if codes.search(c) and row[0] != "group"] == []


def test_someone_elses_report_is_not_found(data, hr, settings):
    from accounts.models import Role
    from recruitment.monitoring.reports import report_start
    from tests.support.factories import UserFactory

    report_id = report_start(owner_id=hr.pk, preset="nhs", selection={"period": "2024-25"})
    other_hr = UserFactory(role=Role.HR)
    assert browser(other_hr).get(f"/staff/monitoring/reports/{report_id}/").status_code == 404
    assert browser(hr).get(f"/staff/monitoring/reports/{report_id}/").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_is_axe_clean(page, live_server, hr):
    published_campaign()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(hr.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/staff/monitoring/?characteristic=ethnicity_group")

    assert page.locator("svg[role=img]").count() == 3
    assert page.locator("#withheld").count() == 1
    assert axe_violations(page) == []


def test_the_statutory_return_is_offered_only_for_a_published_year(data, hr):
    published = browser(hr).get("/staff/monitoring/?characteristic=sex&period=2024-25")
    assert 'id="statutory-link"' in published.content.decode()
    assert 'id="statutory-waiting"' not in published.content.decode()

    # A campaign closed this year (2026-27), not finished: the year is not published.
    VacancyFactory.create(status="closed", closed_at=timezone.now() - timedelta(days=1))
    current = browser(hr).get("/staff/monitoring/?characteristic=sex&period=2026-27")
    html = current.content.decode()
    assert 'id="statutory-link"' not in html
    assert "The exact figures for 2026-27 are not available yet." in html


def test_a_campaign_says_it_is_shown_over_the_quarter_it_closed_in(data, hr):
    page = browser(hr).get(
        f"/staff/monitoring/?characteristic=sex&period=2024-25&unit=campaign:{data.pk}"
    )
    html = page.content.decode()
    assert page.context["selection"].period.key == "2024-25-Q1"
    assert 'id="campaign-period"' in html
    assert "these figures are for" in html
