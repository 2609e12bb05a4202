"""The charts of rates on the dashboard and the yearly equality report, in Debian's Chromium:
keyboard only, axe clean, no chart label outside its drawing, screenshots kept for review
(test-artefacts/publication/)."""

import pytest
from playwright.sync_api import expect

from recruitment.models import PublicationPack
from tests.recruitment.monitoring.test_publication import ARTEFACTS, campaign
from tests.support.browser import Keyboard, no_violations
from tests.support.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Every text of every chart, with its drawing's width: a label that runs past either edge
#: is clipped on the page.
OUTSIDE = """() => [...document.querySelectorAll("figure.app-chart svg")].flatMap(svg => {
  const width = svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll("text")].map(t => t.getBBox())
    .filter(b => b.x < 0 || b.x + b.width > width + 0.5)
    .map(b => ({svg: svg.getAttribute("aria-labelledby"), x: b.x, right: b.x + b.width, width}));
})"""


def test_hr_reads_the_charts_then_checks_and_publishes_the_year_s_report_by_keyboard(
    page, live_server, hr
):
    campaign()
    keys = Keyboard(page)
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    keys.type_into(page.get_by_label("Username"), hr.username)
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))

    page.goto(live_server.url + "/staff/monitoring/?characteristic=ethnicity_group")
    keys.scan()
    expect(page.locator("figure.app-chart svg[role=img]")).to_have_count(3)
    expect(page.locator("#likelihood-direction")).to_contain_text("times as likely as")
    assert page.evaluate(OUTSIDE) == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / "dashboard.png", full_page=True)

    keys.activate(page.get_by_role("link", name="The yearly equality report"))
    keys.activate(page.get_by_role("link", name="Reporting year 2024-25: check the draft"))
    expect(page.locator("#draft-note")).to_be_visible()
    expect(page.locator("figure.app-chart")).to_have_count(21)  # 3 charts, 7 characteristics
    assert page.evaluate(OUTSIDE) == []
    keys.check(page.get_by_label("I have checked this report and it is ready to publish"))
    keys.activate(page.get_by_role("button", name="Publish the report"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is published")
    expect(page.locator("#published-note")).to_be_visible()
    page.screenshot(path=ARTEFACTS / "report.png", full_page=True)
    assert PublicationPack.objects.get().published_by == hr

    # A phone: the charts scale down with the page, their labels still inside.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    keys.scan()
    assert page.evaluate(OUTSIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    no_violations(keys)
