"""Pay at offer and the starting-pay figures in Debian's Chromium, keyboard only and axe
clean: the chair offers above the bottom of the range (refused without a reason, then
recorded), the application shows the salary, and HR reads the starting pay of a grade band
on the dashboard, on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

from recruitment.models import OfferDecision
from tests.recruitment.monitoring.test_starting_pay import cohort  # noqa: F401 - a fixture
from tests.support.browser import Keyboard, no_violations, sign_in
from tests.support.factories import ApplicationFactory, agree, set_state, set_vacancy_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_offers_above_the_bottom_with_a_reason_by_keyboard(page, live_server, vacancy):
    set_vacancy_status(vacancy, "closed")
    application = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    agree(application, [3, 3, 3], stage="interview")
    keys = Keyboard(page)
    sign_in(keys, page, live_server.url, vacancy.hiring_manager.username)

    page.goto(f"{live_server.url}/staff/applications/{application.pk}/offer-decision/")
    keys.scan()
    salary = page.get_by_label("Salary offered (£ a year)")
    expect(salary).to_have_value("41000")
    keys.type_into(salary, "43500")
    keys.activate(page.get_by_role("button", name="Offer the job"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give the reason for offering more than the bottom")
    expect(summary.locator("a")).to_have_attribute("href", "#id_salary_reason")
    assert not OfferDecision.objects.exists()

    keys.type_into(
        page.get_by_label("Why is the salary above the bottom of the range?"),
        "Matches the candidate's current salary.",
    )
    keys.activate(page.get_by_role("button", name="Offer the job"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Job offered to {application.reference} at £43,500 a year."
    )
    expect(page.locator("#offer-pay")).to_contain_text("£43,500 a year")
    assert OfferDecision.objects.get().salary == 43_500
    no_violations(keys)


def test_hr_reads_a_grade_band_s_starting_pay_by_keyboard(page, live_server, hr, cohort):  # noqa: F811
    keys = Keyboard(page)
    sign_in(keys, page, live_server.url, hr.username)
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(
        f"{live_server.url}/staff/monitoring/?characteristic=ethnicity_group&period=2024-25"
        "&unit=grade:band 5"
    )
    keys.scan()
    table = page.locator("#starting-pay")
    expect(table.locator("tbody tr")).to_have_count(7)  # 5 groups, not stated, everyone
    expect(table.locator("tbody tr").first).to_contain_text("At the bottom of the range")
    keys.tab_to(page.locator(".app-table-scroll", has=table))  # the table scrolls by keyboard
    details = page.locator("summary", has_text="How small numbers are handled")
    keys.tab_to(details)
    page.keyboard.press("Enter")
    expect(page.get_by_text("The median is not anyone's salary")).to_be_visible()
    keys.scan()

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    keys.scan()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    no_violations(keys)
