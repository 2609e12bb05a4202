"""Feedback from the scores in Debian's Chromium, keyboard only, with axe-core run on every page
reached: the candidate finds it from their application, reads the chart's text alternative and
its table; HR turns it off and the candidate is told it is not given."""

import pytest
from playwright.sync_api import expect

from tests.recruitment.scoring.test_feedback import build
from tests.support.browser import Keyboard, no_violations, sign_in
from vacancies.models import Vacancy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_reaches_their_feedback_by_keyboard_and_hr_can_turn_it_off(
    page, live_server, vacancy, candidate, hr
):
    rows = [(1, 2, 3)] * 12 + [(2, 3, 4)] * 12 + [(3, 1, 0)] * 6
    applications = build(vacancy, rows, candidate, mine=13)
    criteria = list(vacancy.criteria.all())
    keys = Keyboard(page)

    sign_in(keys, page, live_server.url, candidate.username)
    keys.activate(page.get_by_role("link", name="Your applications"))
    keys.activate(page.get_by_role("link", name=vacancy.title))
    expect(page.locator("h2")).to_contain_text(["Status: Not taken forward", "Feedback"])
    keys.activate(page.get_by_role("link", name="Feedback on your application"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback on your application")
    expect(page.get_by_role("heading", level=2, name="Shortlisting: your written application"))
    first = page.locator("#table-1-1")
    expect(first.locator("caption")).to_have_text(
        f"{criteria[0].text}: candidates with each agreed score"
    )
    expect(first.locator("tbody th")).to_contain_text(
        ["0: No evidence", "1: Limited evidence", "2: Meets the criterion Your score"]
    )
    chart = page.get_by_role("img", name=f"{criteria[0].text}: how many candidates got each score")
    expect(chart).to_have_count(1)
    expect(page.locator("#summary-1-1")).to_contain_text(
        "Your agreed score was 2 (Meets the criterion)."
    )
    keys.tab_to(page.locator("summary", has_text="How we protect the other candidates"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("numbers below 10 are not shown")).to_be_visible()
    keys.scan()
    no_violations(keys)  # before the same page is scanned again, turned off

    # HR turns it off from the vacancy's page; the candidate is told it is not given.
    sign_in(keys, page, live_server.url, hr.username)
    page.goto(f"{live_server.url}/staff/vacancies/{vacancy.pk}/")
    keys.scan()
    keys.activate(page.get_by_role("button", name="Turn off feedback from the scores"))
    expect(page.locator("#score-feedback")).to_have_text("Not given for this vacancy")
    assert Vacancy.objects.get(pk=vacancy.pk).score_feedback is False

    sign_in(keys, page, live_server.url, candidate.username)
    page.goto(f"{live_server.url}/applications/{applications[13].pk}/feedback/")
    keys.scan()
    expect(page.locator("#feedback-refusal")).to_have_text(
        "Feedback from the scores is not given for this job."
    )
    no_violations(keys)
    assert len(keys.scans) == 6  # sign-in, home, lists, the application, feedback, vacancy
