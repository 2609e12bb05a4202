"""The HR dashboard: the same suppressed figures as the API, large reports in the background."""

import csv
import io

import pytest
from django.test import Client

from tests.browser import axe_violations
from tests.factories import PASSWORD, VacancyFactory
from tests.test_statistics import ASIAN, WHITE, people

pytestmark = pytest.mark.django_db


def browser(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def data(db):
    v = VacancyFactory()
    people(v, WHITE, "appointed", 12)
    people(v, WHITE, "applied", 30)
    people(v, ASIAN, "applied", 3)
    return v


def test_the_dashboard_shows_the_suppressed_funnel_with_a_chart_table_and_summary(data, hr):
    page = browser(hr).get("/staff/monitoring/?characteristic=ethnicity_group&preset=nhs")

    assert page.status_code == 200
    html = page.content.decode()
    funnel = page.context["funnel"]
    assert [r["counts"]["applied"] for r in funnel.rows] == [40, None, None, 0, 0]
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in html
    assert "About 45 people applied" in html  # 45 is 45 rounded
    assert "Download this table (CSV)" in html
    asian = html.split('<th scope="row" class="govuk-table__header">Asian</th>')[1].split("</tr>")[
        0
    ]
    assert asian.count(">*<") == 1  # applied: 3, hidden


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
    page = client.get("/staff/monitoring/?characteristic=sex&preset=nhs")
    assert page.context["large"] is True

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/staff/monitoring/?characteristic=sex&preset=nhs&run=1")
    assert response.status_code == 302
    report_url = response["Location"]
    assert client.get(report_url + "?format=json").json() == {"status": "done", "progress": 100}
    assert "Your report is ready" in client.get(report_url).content.decode()

    download = client.get(report_url + "download.csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["characteristic: ethnicity"]
    group_rows = rows[rows.index(["characteristic: ethnicity_group"]) + 2 :][:5]
    assert group_rows[0] == ["white", "40", "10", "10", "10", "10"]
    assert group_rows[2] == ["asian", "*", "0", "0", "0", "0"]


def test_someone_elses_report_is_not_found(data, hr, settings):
    from accounts.models import Role
    from recruitment.monitoring_reports import report_start
    from tests.factories import UserFactory

    report_id = report_start(owner_id=hr.pk, preset="nhs", filters={})
    other_hr = UserFactory(role=Role.HR)
    assert browser(other_hr).get(f"/staff/monitoring/reports/{report_id}/").status_code == 404
    assert browser(hr).get(f"/staff/monitoring/reports/{report_id}/").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_is_axe_clean(page, live_server, hr):
    v = VacancyFactory()
    people(v, WHITE, "appointed", 12)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(hr.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/staff/monitoring/?characteristic=ethnicity_group")

    assert page.locator("svg[role=img]").count() == 1
    assert axe_violations(page) == []
