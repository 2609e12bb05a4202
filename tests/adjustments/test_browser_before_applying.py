"""Asking for an adjustment to apply, and HR's home page, in Chromium: keyboard only, axe on
every page reached."""

import pytest
from playwright.sync_api import expect

from adjustments.models import PreApplicationRequest
from tests.support.browser import Keyboard, no_violations
from tests.support.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_someone_without_an_account_asks_and_hr_answers_from_their_home_page(
    page, live_server, vacancy, hr, eager
):
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/jobs/{vacancy.pk}/")
    keys.scan()
    keys.activate(page.get_by_role("link", name="Ask for an adjustment to apply"))
    keys.activate(page.get_by_role("button", name="Send your request"))  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your name")
    keys.type_into(page.get_by_label("Your name"), "Ola Ade")
    keys.type_into(page.get_by_label("Email address"), "ola@example.org")
    keys.choose("category", "alternative_format")
    keys.type_into(page.get_by_label("Tell us what you need"), "The form in large print.")
    keys.activate(page.get_by_role("button", name="Send your request"))
    expect(page.locator(".govuk-panel")).to_contain_text("Request sent")

    page.goto(live_server.url + "/accounts/login/")
    keys.type_into(page.get_by_label("Username"), hr.username)
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What is waiting for you")
    keys.activate(page.get_by_role("link", name="1 request made before applying to answer"))
    expect(page).to_have_url(f"{live_server.url}/staff/adjustments/#before-applying")
    keys.activate(page.get_by_role("link", name="Ola Ade"))
    keys.type_into(page.get_by_label("What did you arrange or tell them?"), "Posted one.")
    keys.activate(page.get_by_role("button", name="Record as answered"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recorded as answered.")
    assert PreApplicationRequest.objects.get().answered_by == hr
    no_violations(keys)
