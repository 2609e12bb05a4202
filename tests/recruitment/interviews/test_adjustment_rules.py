"""What agreed interview adjustments do to the slots a candidate is offered and books: extra
time, an accessible venue, a remote interview, communication support's lead time. Only an
agreed request for the interview counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kernel.errors import DomainError
from recruitment.applications import services
from recruitment.interviews import booking, rules
from recruitment.models import InterviewBooking
from tests.recruitment.interviews.conftest import at
from tests.support.factories import ApplicationFactory, UserFactory, set_state

pytestmark = pytest.mark.django_db


def offered(application):
    return [(o.slot.pk, o.minutes) for o in booking.offered_slots(application)]


def book(application, slot):
    return services.take(
        "book_interview", application_id=application.pk, by=application.candidate, slot=slot.pk
    )


def another(invited, username):
    candidate = UserFactory(username=username, role="candidate")
    return set_state(ApplicationFactory(vacancy=invited.vacancy, candidate=candidate),
                     "shortlisted", "shortlisted")  # fmt: skip


def test_agreed_extra_time_with_minutes_lengthens_the_booked_slot_by_them(invited, publish, agreed):
    agreed(invited, "extra_time", extra_minutes=20)
    (slot,) = publish(invited.vacancy, at(5, 10), minutes=45)
    assert offered(invited) == [(slot.pk, 65)]
    book(invited, slot)
    held = InterviewBooking.objects.get()
    assert (held.minutes, held.ends_at, held.extra_minutes) == (65, at(5, 11, 5), 20)
    assert invited.__class__.objects.get(pk=invited.pk).interview_minutes == 65


@pytest.mark.parametrize(("slot_minutes", "extra"), [(45, 15), (60, 15), (30, 10), (90, 25)])
def test_agreed_extra_time_without_minutes_adds_a_quarter_rounded_up_to_5(
    invited, publish, agreed, slot_minutes, extra
):
    agreed(invited, "extra_time")
    (slot,) = publish(invited.vacancy, at(5, 10), minutes=slot_minutes)
    assert offered(invited) == [(slot.pk, slot_minutes + extra)]


def test_declined_or_open_requests_change_nothing(invited, publish, agreed):
    agreed(invited, "extra_time", state="decline")
    agreed(invited, "remote_interview", state="decline")
    (slot,) = publish(invited.vacancy, at(5, 10), minutes=45)
    assert offered(invited) == [(slot.pk, 45)]
    assert booking.needs_for(invited) == rules.Needs()


def test_extra_time_that_would_run_into_a_booked_interview_of_the_same_panel_is_not_offered(
    invited, publish, agreed, chair, other_panel_member
):
    """Back-to-back slots: the first, lengthened, would overlap the second, which someone holds;
    the same time with another panel is fine."""
    agreed(invited, "extra_time", extra_minutes=20)
    first, second = publish(invited.vacancy, at(5, 10), count=2, minutes=45, gap=0)
    (elsewhere,) = publish(invited.vacancy, at(5, 10), minutes=45, panel=[other_panel_member.pk])
    book(another(invited, "zoe"), second)

    assert offered(invited) == [(elsewhere.pk, 65)]
    with pytest.raises(DomainError) as refused:
        book(invited, first)
    assert refused.value.code == "slot_not_offered"
    assert not InterviewBooking.objects.filter(application=invited).exists()


def test_a_lengthened_booking_keeps_the_next_slot_from_others(invited, publish, agreed):
    agreed(invited, "extra_time", extra_minutes=20)
    first, _second = publish(invited.vacancy, at(5, 10), count=2, minutes=45, gap=0)
    book(invited, first)  # 10:00 to 11:05: the panel is busy past 10:45, into the second
    assert offered(another(invited, "zoe")) == []


def test_an_accessible_venue_leaves_out_in_person_slots_elsewhere(invited, publish, agreed):
    agreed(invited, "accessible_venue")
    (plain,) = publish(invited.vacancy, at(5, 9))
    (step_free,) = publish(invited.vacancy, at(5, 11), accessible=True)
    (video,) = publish(invited.vacancy, at(5, 13), fmt="video")
    assert offered(invited) == [(step_free.pk, 45), (video.pk, 45)]
    with pytest.raises(DomainError) as refused:
        book(invited, plain)
    assert refused.value.code == "slot_not_offered"
    assert "not marked accessible" in refused.value.detail


def test_a_remote_interview_offers_video_slots_only(invited, publish, agreed):
    agreed(invited, "remote_interview")
    (in_person,) = publish(invited.vacancy, at(5, 9), accessible=True)
    (phone,) = publish(invited.vacancy, at(5, 11), fmt="phone")
    (video,) = publish(invited.vacancy, at(5, 13), fmt="video")
    assert offered(invited) == [(video.pk, 45)]
    for slot in (in_person, phone):
        with pytest.raises(DomainError):
            book(invited, slot)


def test_communication_support_needs_the_lead_time_and_prompts_access_to_work(
    invited, publish, agreed, settings
):
    settings.INTERVIEW_SUPPORT_LEAD_DAYS = 14
    agreed(invited, "communication_support")
    (soon,) = publish(invited.vacancy, at(13, 10))
    (later,) = publish(invited.vacancy, at(15, 10))
    assert offered(invited) == [(later.pk, 45)]
    with pytest.raises(DomainError) as refused:
        book(invited, soon)
    assert refused.value.code == "slot_not_offered"
    offer = booking.offer_for(invited)
    assert offer["access_to_work"] is True
    (said,) = offer["shaped_by"]
    assert said.startswith("Slots are shown from ")
    assert said.endswith(", so there is time to arrange your communication support.")


def test_the_lead_time_is_said_in_london_time_to_the_minute(settings):
    """At half past midnight in June (British Summer Time), 14 days on is said as it reads
    in London, with the time: nothing earlier is offered."""
    settings.INTERVIEW_SUPPORT_LEAD_DAYS = 14
    now = datetime(2027, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 June in London
    (said,) = rules.what_shapes_the_choice(rules.Needs(communication_support=True), now)
    assert said == (
        "Slots are shown from 16 June 2027 at 12:30am, so there is time to arrange your "
        "communication support."
    )


def test_no_slot_within_the_booking_notice_is_offered(invited, publish, settings):
    settings.INTERVIEW_NOTICE_HOURS = 24
    (tomorrow_soon,) = publish(invited.vacancy, timezone.now() + timedelta(hours=20))
    (later,) = publish(invited.vacancy, timezone.now() + timedelta(hours=30))
    assert [pk for pk, _ in offered(invited)] == [later.pk]
    with pytest.raises(DomainError) as refused:
        book(invited, tomorrow_soon)
    assert refused.value.code == "slot_not_offered"


def test_the_slots_offered_take_the_same_queries_however_many(
    invited, publish, agreed, django_assert_num_queries
):
    agreed(invited, "extra_time")
    publish(invited.vacancy, at(5, 9), count=3, gap=15)
    with django_assert_num_queries(5) as few:
        booking.offered_slots(invited)
    publish(invited.vacancy, at(6, 9), count=30, gap=5)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(booking.offered_slots(invited)) == 33
