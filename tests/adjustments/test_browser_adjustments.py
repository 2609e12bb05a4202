"""Asking for and deciding adjustments in Debian's Chromium, keyboard only, axe clean."""

import pytest
from playwright.sync_api import expect

from adjustments.models import AdjustmentRequest
from tests.support.browser import Keyboard
from tests.support.factories import PASSWORD, ApplicationFactory, set_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(keys, page, base, username):
    page.goto(base + "/accounts/login/")
    keys.scan()
    keys.type_into(page.get_by_label("Username"), username)
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))


def test_a_candidate_asks_and_the_coordinator_agrees_and_the_panel_sees_the_arrangement(
    page, live_server, vacancy, candidate, hr, panel_member
):
    application = set_state(
        ApplicationFactory(vacancy=vacancy, candidate=candidate),
        "interview_scheduled",
        "shortlisted",
    )
    type(application).objects.filter(pk=application.pk).update(interview_at=vacancy.closing_date)
    keys = Keyboard(page)

    # The candidate asks for a BSL interpreter
    sign_in(keys, page, live_server.url, candidate.username)
    keys.activate(page.get_by_role("link", name="Your applications"))
    keys.activate(page.get_by_role("link", name=vacancy.title))
    expect(page.locator(".govuk-inset-text")).to_contain_text("adjustments for your interview")
    expect(page.get_by_role("link", name="Apply to Access to Work")).to_be_visible()
    keys.activate(page.get_by_role("button", name="Ask for an adjustment"))
    keys.choose("stage", "interview")
    keys.choose("category", "communication_support")
    keys.type_into(page.get_by_label("Tell us what you need"), "I am Deaf and use BSL.")
    keys.activate(page.get_by_role("button", name="Send request"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your request has been sent")
    expect(page.locator(".govuk-summary-card")).to_contain_text("Requested")
    adjustment = AdjustmentRequest.objects.get(application=application)
    assert (adjustment.stage, adjustment.category, adjustment.details) == (
        "interview",
        "communication_support",
        "I am Deaf and use BSL.",
    )

    # The coordinator finds it in the queue and agrees it
    page.context.clear_cookies()
    sign_in(keys, page, live_server.url, hr.username)
    keys.activate(page.get_by_role("link", name="Adjustment requests"))
    keys.activate(page.get_by_role("link", name=f"for {application.reference}"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("I am Deaf and use BSL.")
    keys.activate(page.get_by_role("button", name="Start review"))
    keys.type_into(page.get_by_label("What has been arranged"), "BSL interpreter booked.")
    keys.activate(page.get_by_role("button", name="Agree", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Request agreed")
    assert AdjustmentRequest.objects.get(pk=adjustment.pk).state == "agreed"

    # The panel sees what to arrange, and nothing of what the candidate wrote
    page.context.clear_cookies()
    sign_in(keys, page, live_server.url, panel_member.username)
    page.goto(f"{live_server.url}/staff/vacancies/{vacancy.pk}/interviews/")
    keys.scan()
    expect(page.locator("tbody")).to_contain_text("BSL interpreter booked.")
    expect(page.locator("body")).not_to_contain_text("Deaf")

    failing = {p: v for p, v in keys.scans.items() if v}
    assert failing == {}, failing
