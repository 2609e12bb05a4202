"""Publishing slots, and booking, moving and cancelling an interview, in Debian's Chromium:
keyboard only, axe clean on every page reached."""

import pytest
from playwright.sync_api import expect

from adjustments import services as adjustments
from recruitment.models import Application, InterviewBooking, InterviewSlot
from tests.recruitment.interviews.conftest import at
from tests.support.browser import Keyboard, no_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_publishes_slots_and_the_candidate_books_moves_and_cancels_by_keyboard(
    page, live_server, invited, chair, panel_member, hr
):
    vacancy = invited.vacancy
    keys = Keyboard(page)
    day = at(9, 0).date()

    # The chair publishes three in-person slots at an accessible venue
    sign_in(keys, page, live_server.url, chair.username)
    page.goto(f"{live_server.url}/staff/vacancies/{vacancy.pk}/")
    keys.scan()
    keys.activate(page.get_by_role("button", name="Interview slots"))
    keys.type_into(page.get_by_label("Day"), str(day.day))
    keys.type_into(page.get_by_label("Month"), str(day.month))
    keys.type_into(page.get_by_label("Year"), str(day.year))
    keys.type_into(page.get_by_label("Start time of the first slot"), "09:30")
    keys.type_into(page.get_by_label("Length of each slot, in minutes"), "45")
    keys.type_into(page.get_by_label("How many slots, one after another"), "3")
    keys.type_into(page.get_by_label("Break between slots, in minutes"), "15")
    keys.choose("format", "in_person")
    keys.type_into(page.get_by_label("Where, or how to join"), "Room 2, Town Hall")
    keys.check(
        page.get_by_label("The venue is accessible (step-free, accessible toilet, hearing loop)")
    )
    keys.activate(page.get_by_role("button", name="Publish slots"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3 slots published.")
    slots = list(InterviewSlot.objects.order_by("starts_at"))
    assert [s.starts_at for s in slots] == [at(9, 9, 30), at(9, 10, 30), at(9, 11, 30)]
    assert all(s.accessible for s in slots)

    # An error names the field, and the title says so
    keys.activate(page.get_by_role("button", name="Publish slots"))
    expect(page).to_have_title(
        f"Error: Interview slots for {vacancy.reference} – Apply for a job with us"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a start time")

    # HR agrees extra time for the candidate's interview
    request, _ = adjustments.adjustment_request(
        application=invited, by=invited.candidate, stage="interview", category="extra_time",
        details="I need more time to answer.",
    )  # fmt: skip
    adjustments.adjustment_agree(
        adjustment_id=request.pk, by=hr, arrangement="20 extra minutes.", extra_minutes=20
    )

    # The candidate books the second slot, lengthened by their extra time
    sign_in(keys, page, live_server.url, invited.candidate.username)
    keys.activate(page.get_by_role("link", name="interview to book"))
    expect(page.locator("h1")).to_have_text("Book your interview")
    expect(page.locator("body")).to_contain_text("Each slot is shown with your extra time added")
    expect(page.locator("body")).to_contain_text("65 minutes.")
    keys.choose("slot", str(slots[1].pk))
    keys.activate(page.get_by_role("button", name="Book this time"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your interview is booked.")
    held = InterviewBooking.objects.live().get(application=invited)
    assert (held.slot_id, held.minutes) == (slots[1].pk, 65)

    # …moves it to the third
    keys.activate(page.get_by_role("button", name="Change your interview time"))
    keys.choose("slot", str(slots[2].pk))
    keys.activate(page.get_by_role("button", name="Change to this time"))
    assert InterviewBooking.objects.live().get(application=invited).slot_id == slots[2].pk

    # …and cancels it
    keys.activate(page.get_by_role("link", name="Cancel your interview"))
    keys.activate(page.get_by_role("button", name="Yes, cancel my interview"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("cancelled")
    assert Application.objects.get(pk=invited.pk).state == "shortlisted"
    assert not InterviewBooking.objects.live().exists()

    no_violations(keys)


def test_the_panel_member_sees_their_day_with_the_arrangements(
    page, live_server, invited, publish, panel_member, hr, agreed
):
    from recruitment.applications import services

    agreed(invited, "accessible_venue")
    (slot,) = publish(invited.vacancy, at(6, 10), accessible=True)
    services.take("book_interview", application_id=invited.pk, by=invited.candidate, slot=slot.pk)
    keys = Keyboard(page)
    sign_in(keys, page, live_server.url, panel_member.username)
    page.goto(f"{live_server.url}/staff/interviews/?date={at(6, 10).date():%Y-%m-%d}")
    keys.scan()
    expect(page.locator("tbody")).to_contain_text("10am to 10:45am")
    expect(page.locator("tbody")).to_contain_text("Accessible venue: Arranged.")
    expect(page.locator("body")).not_to_contain_text("What gets in the way")
    keys.activate(page.get_by_role("link", name="Next day"))
    expect(page.locator("tbody")).to_contain_text("No interviews booked for you on this day.")
    no_violations(keys)
