"""A staff network reviewer's journey in Chromium, keyboard only, axe on every page: HR grants
access (a date input), the reviewer sets a password from the invitation, reads the dashboard
and the draft report, comments; HR answers; the reviewer reads the answer; HR reads what the
reviewer read and withdraws their access; the reviewer reads that it has ended."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ReviewerGrant, StatisticsView
from recruitment.models import PackComment
from tests.recruitment.monitoring.test_publication import campaign
from tests.support.browser import Keyboard, no_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(message):
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def test_hr_grants_the_reviewer_reads_and_comments_hr_answers_then_withdraws_by_keyboard(
    page, live_server, eager, hr
):
    campaign()  # a finished reporting year, 2024-25: its report is a draft
    keys = Keyboard(page)
    base = live_server.url
    last_day = timezone.localdate() + timedelta(days=60)

    # HR grants access from the staff accounts page.
    sign_in(keys, page, base, hr.username)
    page.goto(base + "/staff/people/")
    keys.activate(page.get_by_role("link", name="Staff network reviewers"))
    keys.activate(page.get_by_role("link", name="Grant access to a reviewer"))
    keys.activate(page.get_by_role("button", name="Grant access"))  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    keys.type_into(page.get_by_label("Full name"), "Sam Ade")
    keys.type_into(page.get_by_label("Email address"), "sam@network.example")
    keys.type_into(page.get_by_label("Staff network"), "Disabled staff network")
    keys.type_into(page.get_by_label("Day"), str(last_day.day))
    keys.type_into(page.get_by_label("Month"), str(last_day.month))
    keys.type_into(page.get_by_label("Year"), str(last_day.year))
    keys.activate(page.get_by_role("button", name="Grant access"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Sam Ade can read the statistics until {last_day.day} {last_day:%B %Y}."
    )
    grant = ReviewerGrant.objects.get()

    # The reviewer sets a password from the invitation and signs in.
    page.context.clear_cookies()
    page.goto(base + link_in(mail.outbox[-1]))
    keys.scan()
    keys.type_into(page.get_by_label("New password"), "a-long-passphrase-2031")
    keys.activate(page.get_by_role("button", name="Set your password"))
    sign_in(keys, page, base, "sam@network.example", "a-long-passphrase-2031")
    expect(page.locator("#access")).to_contain_text(f"until {last_day.day} {last_day:%B %Y}")
    keys.activate(
        page.locator("#reviewer-links").get_by_role("link", name="Equality monitoring statistics")
    )
    expect(page.locator("#funnel-table")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Statutory returns")
    keys.activate(page.get_by_role("link", name="The yearly equality report"))
    keys.activate(
        page.get_by_role("link", name="Reporting year 2024-25: read and comment on the draft")
    )
    expect(page.locator("#draft-note")).to_be_visible()
    expect(page.get_by_role("button", name="Publish the report")).to_have_count(0)
    keys.activate(page.get_by_role("button", name="Send your comment"))  # empty
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your comment")
    keys.type_into(
        page.get_by_label("Your comment on this draft"), "Please add the change from last year."
    )
    keys.activate(page.get_by_role("button", name="Send your comment"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your comment is sent.")
    comment = PackComment.objects.get()

    # HR answers the comment on the year's page.
    sign_in(keys, page, base, hr.username)
    page.goto(base + "/staff/monitoring/publication/2024-25/")
    keys.scan()
    keys.type_into(page.get_by_label("Your answer"), "It is in the table of earlier years.")
    keys.activate(page.get_by_role("button", name="Send the answer to this comment"))
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text(
        "It is in the table of earlier years."
    )

    # The reviewer reads the answer.
    sign_in(keys, page, base, "sam@network.example", "a-long-passphrase-2031")
    page.goto(base + "/staff/monitoring/publication/2024-25/")
    keys.scan()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Answer from Priya Shah (HR)")

    # HR reads what they read, and withdraws their access.
    assert list(StatisticsView.objects.order_by("pk").values_list("what", flat=True)) == [
        "dashboard", "report_list", "report", "report", "report", "report",
    ]  # fmt: skip
    sign_in(keys, page, base, hr.username)
    page.goto(base + f"/staff/people/network-reviewers/{grant.pk}/")
    keys.scan()
    expect(page.locator("#view-history tbody tr")).to_have_count(6)
    keys.activate(page.get_by_role("link", name="Withdraw access"))
    keys.type_into(page.get_by_label("Why is access withdrawn?"), "Left the network.")
    keys.activate(page.get_by_role("button", name="Withdraw access"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("access is withdrawn")

    sign_in(keys, page, base, "sam@network.example", "a-long-passphrase-2031")
    expect(page.locator("#access-ended")).to_contain_text("ended on")
    page.goto(base + "/staff/monitoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    no_violations(keys)
