"""The accounts pages in Chromium, keyboard only, axe on every page: confirming an address,
resetting a forgotten password (the same words whatever the address), HR inviting, changing
a role and deactivating, and setting up a second factor."""

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role, User
from tests.support.browser import Keyboard, no_violations
from tests.support.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(message):
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def sign_in(page, live_server, keys, username, password=PASSWORD):
    page.goto(live_server.url + "/accounts/login/")
    keys.type_into(page.get_by_label("Username"), username)
    keys.type_into(page.get_by_label("Password"), password)
    keys.activate(page.get_by_role("button", name="Sign in"))


def test_a_candidate_confirms_their_address_from_the_emailed_link(page, live_server, eager):
    keys = Keyboard(page)
    page.goto(live_server.url + "/accounts/register/")
    keys.type_into(page.get_by_label("Full name"), "Ben Okoro")
    keys.type_into(page.get_by_label("Email address"), "ben@example.org")
    keys.type_into(page.get_by_label("Username"), "ben")
    keys.type_into(page.get_by_label("Password"), "a-long-unusual-passphrase")
    keys.activate(page.get_by_role("button", name="Create account"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text("We have sent an email to ben@example.org.")
    keys.activate(page.get_by_role("link", name="Continue"))
    expect(page.locator("#confirm-banner")).to_contain_text("Confirm your email address")

    page.goto(live_server.url + link_in(mail.outbox[-1]))
    keys.scan()
    keys.activate(page.get_by_role("button", name="Confirm my email address"))
    expect(page.locator(".govuk-panel")).to_contain_text("Email address confirmed")
    expect(page.locator("#confirm-banner")).to_have_count(0)
    assert User.objects.get(username="ben").email_confirmed
    no_violations(keys)


def test_a_forgotten_password_is_reset_and_no_page_says_whether_an_address_has_an_account(
    page, live_server, eager, candidate
):
    keys = Keyboard(page)
    page.goto(live_server.url + "/accounts/login/")
    keys.scan()
    keys.activate(page.get_by_role("link", name="Forgotten your password?"))

    said = []
    for email in ("nobody@example.org", candidate.email):
        page.goto(live_server.url + "/accounts/password-reset/")
        keys.type_into(page.get_by_label("Email address"), email)
        keys.activate(page.get_by_role("button", name="Send the link"))
        said.append(page.locator("main").inner_text().replace(email, "ADDRESS"))
    assert said[0] == said[1]
    assert "If ADDRESS is the email address of an account, we have sent a link" in said[0]
    assert [m.to for m in mail.outbox] == [[candidate.email]]

    page.goto(live_server.url + link_in(mail.outbox[0]))
    keys.scan()
    keys.type_into(page.get_by_label("New password"), "a-brand-new-passphrase-5")
    keys.activate(page.get_by_role("button", name="Change your password"))
    expect(page.locator(".govuk-panel")).to_contain_text("Your password has been changed")
    sign_in(page, live_server, keys, candidate.username, "a-brand-new-passphrase-5")
    expect(page.get_by_role("link", name="Your applications")).to_be_visible()
    no_violations(keys)


def test_hr_invites_changes_a_role_and_deactivates_with_the_keyboard_only(
    page, live_server, eager, hr
):
    keys = Keyboard(page)
    sign_in(page, live_server, keys, hr.username)
    keys.activate(page.get_by_role("link", name="Staff accounts"))
    keys.activate(page.get_by_role("link", name="Invite someone"))
    keys.activate(page.get_by_role("button", name="Send the invitation"))  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their full name")
    keys.type_into(page.get_by_label("Full name"), "Nia Jones")
    keys.type_into(page.get_by_label("Work email address"), "nia@council.example")
    keys.choose("role", "panel_member")
    keys.activate(page.get_by_role("button", name="Send the invitation"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to nia@council.example."
    )

    keys.choose("role", "hiring_manager")
    keys.activate(page.get_by_role("button", name="Change role"))
    expect(page.locator("#history")).to_contain_text(
        "Role changed from panel member to hiring manager"
    )
    keys.activate(page.get_by_role("button", name="Deactivate account"))  # a link, as a button
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate this account?")
    assert User.objects.get(email="nia@council.example").is_active  # nothing yet
    keys.activate(page.get_by_role("button", name="Deactivate account"))
    expect(page.locator("#account")).to_contain_text("Deactivated")

    nia = User.objects.get(email="nia@council.example")
    assert (nia.role, nia.is_active) == (Role.HIRING_MANAGER, False)
    no_violations(keys)


def test_staff_set_up_an_authenticator_app_before_anything_else(page, live_server, settings):
    settings.STAFF_SECOND_FACTOR = True
    chair = UserFactory(username="sam", role=Role.HIRING_MANAGER)
    keys = Keyboard(page)

    sign_in(page, live_server, keys, "sam")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.locator("svg[role=img] title")).to_have_text(
        "QR code of your key for an authenticator app"
    )
    device = TOTPDevice.objects.get(user=chair)
    keys.type_into(
        page.get_by_label("Code from your authenticator app"), f"{totp(device.bin_key):06d}"
    )
    keys.activate(page.get_by_role("button", name="Continue"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your authenticator app is set up."
    )
    page.goto(live_server.url + "/staff/vacancies/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/accounts/two-factor/" not in page.url
    no_violations(keys)
