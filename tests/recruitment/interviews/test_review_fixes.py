"""What the insider review of interview slots found, each kept fixed: who sees slots, dates
at the calendar's ends, a cancelled campaign, interviews the recruitment team arranged, a slot
removed while booked or after, messages on withdrawal and after a later booking, adjustments
agreed after booking, and everyone invited told at once that booking is open."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kernel.errors import DomainError
from recruitment.applications import services
from recruitment.applications.notifications import interview_reminders_send, notify
from recruitment.interviews import booking
from recruitment.interviews import services as slot_services
from recruitment.models import Application, InterviewBooking, Notification
from recruitment.scoring import decisions
from tests.recruitment.interviews.conftest import at
from tests.support.factories import (
    ApplicationFactory,
    UserFactory,
    agree,
    set_state,
    set_vacancy_status,
)

pytestmark = pytest.mark.django_db


def book(application, slot):
    return services.take(
        "book_interview", application_id=application.pk, by=application.candidate, slot=slot.pk
    )


def candidate_in(vacancy, state, name):
    user = UserFactory(username=name, role="candidate")
    reached = "applied" if state in ("submitted", "not_shortlisted") else "shortlisted"
    return set_state(ApplicationFactory(vacancy=vacancy, candidate=user), state, reached)


@pytest.mark.parametrize("state", ["not_shortlisted", "withdrawn", "submitted"])
def test_only_a_candidate_invited_to_interview_sees_the_slots(invited, publish, client_for, state):
    publish(invited.vacancy, at(5, 10), fmt="video")
    other = candidate_in(invited.vacancy, state, "zoe")

    answer = client_for(other.candidate).get(f"/api/v1/applications/{other.pk}/interview-slots/")

    assert answer.status_code == 200
    assert answer.json()["slots"] == []
    assert "video.example.org" not in answer.content.decode()
    page = Client()
    page.force_login(other.candidate)
    assert (
        "video.example.org" not in page.get(f"/applications/{other.pk}/interview/").content.decode()
    )


def test_slots_more_than_the_horizon_ahead_are_refused_naming_the_field(closed, publish, settings):
    settings.INTERVIEW_SLOT_HORIZON_DAYS = 365
    with pytest.raises(ValidationError) as refused:
        publish(closed, timezone.now() + timedelta(days=366))
    assert refused.value.message_dict == {"starts_at": ["The first slot must be within 365 days."]}


def test_the_far_future_is_a_400_not_a_500(closed, chair, client_for):
    answer = client_for(chair).post(
        f"/api/v1/vacancies/{closed.pk}/interview-slots/",
        {"starts_at": "9999-12-31T20:00:00Z", "minutes": 480, "format": "phone",
         "panel": [chair.pk], "count": 2},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert "starts_at" in answer.json()["errors"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "yesterday"])
def test_the_day_page_takes_any_date_without_failing(panel_member, day):
    page = Client()
    page.force_login(panel_member)
    answer = page.get(f"/staff/interviews/?date={day}")
    assert answer.status_code == 200
    assert timezone.localdate().strftime("%-d %B %Y") in answer.content.decode()


def test_a_cancelled_campaign_takes_no_booking_and_sends_no_reminder(invited, publish):
    tomorrow, later = publish(invited.vacancy, at(2, 10), count=2)
    book(invited, tomorrow)
    other = candidate_in(invited.vacancy, "shortlisted", "zoe")
    set_vacancy_status(invited.vacancy, "cancelled")
    mail.outbox.clear()

    with pytest.raises(DomainError) as refused:
        book(other, later)

    assert refused.value.code == "invalid_transition"
    assert "cancelled" in refused.value.detail
    assert interview_reminders_send(now=at(1, 9)) == []
    assert mail.outbox == []


def test_an_interview_the_team_arranged_is_not_replaced_by_a_booking_and_keeps_the_panel_busy(
    invited, publish, chair
):
    services.take(
        "schedule_interview", application_id=invited.pk, by=chair, interview_at=at(5, 10),
        interview_format="in_person", interview_place="Room 9", interview_minutes=90,
    )  # fmt: skip
    (overlapping,) = publish(invited.vacancy, at(5, 11))  # inside 10:00 to 11:30
    (after,) = publish(invited.vacancy, at(5, 11, 45))

    with pytest.raises(DomainError) as refused:
        book(invited, after)
    assert refused.value.code == "invalid_transition"
    assert Application.objects.get(pk=invited.pk).interview_place == "Room 9"

    other = candidate_in(invited.vacancy, "shortlisted", "zoe")
    assert [o.slot.pk for o in booking.offered_slots(other)] == [after.pk]
    with pytest.raises(DomainError) as clash:
        book(other, overlapping)
    assert clash.value.code == "slot_not_offered"


def test_a_removed_slot_cannot_be_booked(invited, publish, chair):
    (slot,) = publish(invited.vacancy, at(5, 10))
    slot_services.slot_remove(slot_id=slot.pk, by=chair)
    with pytest.raises(ValidationError) as refused:
        book(invited, slot)
    assert refused.value.message_dict == {"slot": ["Choose one of the interview slots offered."]}
    assert booking.offered_slots(invited) == []


def test_the_calendar_sequence_only_goes_up_after_freed_slots_are_removed(invited, publish, chair):
    a, b, c, d = publish(invited.vacancy, at(5, 9), count=4, gap=15)
    for slot in (a, b, c):
        book(invited, slot)
    for slot in (a, b):
        slot_services.slot_remove(slot_id=slot.pk, by=chair)
    book(invited, d)
    assert list(InterviewBooking.objects.order_by("pk").values_list("sequence", flat=True)) == [
        0, 1, 2, 3,
    ]  # fmt: skip


def test_withdrawing_with_a_booking_sends_the_calendar_cancellation(
    invited, publish, eager, django_capture_on_commit_callbacks
):
    (slot,) = publish(invited.vacancy, at(5, 10))
    book(invited, slot)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.take("withdraw", application_id=invited.pk, by=invited.candidate)

    (message,) = mail.outbox
    assert message.subject == f"Interview cancelled: {invited.vacancy.title}"
    assert "You have withdrawn your application" in message.body
    assert "Book another time" not in message.body
    assert "METHOD:CANCEL" in message.attachments[0][1]


def test_a_cancellation_is_not_sent_once_a_later_booking_exists(invited, publish):
    first, second = publish(invited.vacancy, at(5, 9), count=2, gap=15)
    book(invited, first)
    services.take("cancel_interview", application_id=invited.pk, by=invited.candidate)
    book(invited, second)
    cancelled = InterviewBooking.objects.get(slot=first)
    mail.outbox.clear()

    assert notify(invited.pk, f"interview_cancelled:{cancelled.pk}") is False
    assert mail.outbox == []


def test_extra_time_agreed_after_booking_lengthens_it_where_the_panel_is_free(
    invited, publish, agreed
):
    (slot,) = publish(invited.vacancy, at(5, 9), minutes=45)
    book(invited, slot)
    agreed(invited, "extra_time", extra_minutes=30)
    held = InterviewBooking.objects.live().get()
    assert (held.minutes, held.ends_at) == (75, at(5, 10, 15))
    assert Application.objects.get(pk=invited.pk).interview_minutes == 75
    assert booking.suits(invited, held)


def test_extra_time_agreed_after_booking_that_the_panel_has_no_room_for_is_flagged(
    invited, publish, agreed, hr
):
    first, second = publish(invited.vacancy, at(5, 9), count=2, minutes=45, gap=0)
    book(invited, first)
    book(candidate_in(invited.vacancy, "shortlisted", "zoe"), second)
    request = agreed(invited, "extra_time", extra_minutes=30)

    held = InterviewBooking.objects.live().get(application=invited)
    assert held.minutes == 45  # not run into the next candidate's interview
    assert not booking.suits(invited, held)
    page = Client()
    page.force_login(hr)
    assert 'id="booking-unsuited"' in page.get(f"/staff/adjustments/{request.pk}/").content.decode()
    page.force_login(invited.candidate)
    assert (
        "does not suit the adjustments agreed since"
        in page.get(f"/applications/{invited.pk}/interview/").content.decode()
    )


def test_completing_the_sift_tells_everyone_invited_in_the_same_words_at_once(
    closed, chair, publish, eager, django_capture_on_commit_callbacks
):
    """Shortlisted on merit or invited by the guarantee: the same message, in the same
    commit, so declaring never means hearing first."""
    from tests.support.factories import GuaranteeDeclarationFactory

    type(closed).objects.filter(pk=closed.pk).update(interview_guarantees=["disability_confident"])
    merit, guaranteed = (
        ApplicationFactory(vacancy=closed, candidate=UserFactory(username=n, role="candidate"))
        for n in ("m1", "g1")
    )
    GuaranteeDeclarationFactory(application=guaranteed, scheme="disability_confident")
    criteria = closed.criteria.count()
    agree(merit, [4] * criteria)
    agree(guaranteed, [3] * criteria)
    services.take("shortlist", application_id=merit.pk, by=chair)
    services.take("reject", application_id=guaranteed.pk, by=chair, reason="Fewer marks.")
    publish(closed, at(5, 9), count=2)
    Notification.objects.create(application=merit, kind="shortlisted")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decisions.sift_complete(vacancy_id=closed.pk, by=chair, confirm=True)

    opened = [m for m in mail.outbox if m.subject.startswith("Choose a time for your interview")]
    assert sorted(m.to[0] for m in opened) == sorted(
        [merit.candidate.email, guaranteed.candidate.email]
    )
    people = {a.candidate.email: a for a in (merit, guaranteed)}
    bodies = {
        re.sub(r"/applications/\d+/", "/applications/ID/", m.body)
        .replace(people[m.to[0]].reference, "REF")
        .replace(people[m.to[0]].candidate.full_name, "NAME")
        for m in opened
    }
    assert len(bodies) == 1


def test_cancelling_the_campaign_cancels_its_booked_interviews_and_tells_the_candidates(
    invited, publish, hr, eager, django_capture_on_commit_callbacks
):
    from vacancies import services as vacancies

    (slot,) = publish(invited.vacancy, at(5, 10))
    book(invited, slot)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        vacancies.vacancy_cancel(vacancy_id=invited.vacancy.pk, by=hr, reason="Post withdrawn.")

    assert not InterviewBooking.objects.live().exists()
    (message,) = mail.outbox
    assert message.subject == f"Interview cancelled: {invited.vacancy.title}"
    assert "We have cancelled the recruitment to this job" in message.body
    assert "Book another time" not in message.body
    assert "METHOD:CANCEL" in message.attachments[0][1]
