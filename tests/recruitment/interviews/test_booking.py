"""Booking, moving and cancelling an interview slot: through the one action, with the state,
the booking rows, the history and the messages (with their calendar invitation) before and
after, and refusals that change nothing."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_fsm_log.models import StateLog

from kernel.audit import LogEntry
from kernel.errors import ActionForbidden, DomainError
from recruitment.applications import services
from recruitment.applications.notifications import interview_reminders_send
from recruitment.interviews import booking
from recruitment.interviews import services as slot_services
from recruitment.models import Application, InterviewBooking, InterviewSlot, Notification
from tests.recruitment.interviews.conftest import at
from tests.support.factories import ApplicationFactory, VacancyFactory, set_state

pytestmark = pytest.mark.django_db


def book(application, slot, by=None):
    return services.take(
        "book_interview", application_id=application.pk, by=by or application.candidate,
        slot=slot.pk,
    )  # fmt: skip


def state_of(application):
    a = Application.objects.get(pk=application.pk)
    return (a.state, a.interview_at, a.interview_format, a.interview_place, a.interview_minutes)


# --- Publishing ---------------------------------------------------------------------------------


def test_a_run_of_slots_is_published_one_after_another_with_its_panel_and_audited(
    closed, chair, panel_member, publish
):
    made = publish(closed, at(5, 9, 30), count=3, minutes=45, gap=15, accessible=True)

    assert [s.starts_at for s in made] == [at(5, 9, 30), at(5, 10, 30), at(5, 11, 30)]
    assert {(s.minutes, s.format, s.place, s.accessible) for s in made} == {
        (45, "in_person", "Room 2, Town Hall", True)
    }
    assert all(sorted(s.panel.values_list("pk", flat=True)) == sorted([chair.pk, panel_member.pk])
               for s in made)  # fmt: skip
    created = LogEntry.objects.get_for_objects(InterviewSlot.objects.all()).filter(action=0)
    assert created.count() == 3
    assert set(created.values_list("actor_id", flat=True)) == {chair.pk}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": -1}, "starts_at"),
        ({"place": ""}, "place"),
        ({"fmt": "video", "accessible": True}, "accessible"),
        ({"count": 41}, "count"),
        ({"gap": 241}, "gap"),
        ({"minutes": 5}, "minutes"),
        ({"panel": []}, "panel"),
    ],
)
def test_a_slot_run_with_a_wrong_field_is_refused_naming_it_and_nothing_is_made(
    closed, publish, changes, field
):
    changes = dict(changes)
    starts = at(changes.pop("starts_at", 5), 9)
    with pytest.raises(ValidationError) as refused:
        publish(closed, starts, **changes)
    assert field in refused.value.message_dict
    assert InterviewSlot.objects.count() == 0


def test_a_panel_from_outside_the_vacancy_is_refused(closed, publish, outsider_panel):
    with pytest.raises(ValidationError) as refused:
        publish(closed, at(5, 9), panel=[outsider_panel.pk])
    assert refused.value.message_dict == {
        "panel": ["Choose the panel from the vacancy's chair and panel members."]
    }


def test_slots_wait_for_the_vacancy_to_close_and_only_the_chair_or_hr_publish(
    vacancy, chair, panel_member, publish
):
    with pytest.raises(DomainError) as refused:
        publish(vacancy, at(5, 9))
    assert refused.value.code == "vacancy_open"
    closed = type(vacancy).objects.get(pk=vacancy.pk)
    closed.__class__.objects.filter(pk=vacancy.pk).update(status="closed")
    with pytest.raises(ActionForbidden):
        slot_services.slots_publish(
            vacancy_id=vacancy.pk, by=panel_member,
            run=slot_services.SlotRun(starts_at=at(5, 9), minutes=45, format="phone",
                                      panel=[panel_member.pk]),
        )  # fmt: skip
    assert InterviewSlot.objects.count() == 0


# --- Booking, moving, cancelling ----------------------------------------------------------------


def test_the_candidate_books_a_slot_and_is_sent_the_details_with_a_calendar_invitation(
    invited, publish, eager, django_capture_on_commit_callbacks
):
    (slot,) = publish(invited.vacancy, at(5, 10), minutes=45)
    assert state_of(invited)[0] == "shortlisted"

    with django_capture_on_commit_callbacks(execute=True):
        book(invited, slot)

    assert state_of(invited) == ("interview_scheduled", at(5, 10), "in_person",
                                 "Room 2, Town Hall", 45)  # fmt: skip
    held = InterviewBooking.objects.get()
    assert (held.slot_id, held.minutes, held.ends_at, held.sequence, held.cancelled_at) == (
        slot.pk, 45, at(5, 10, 45), 0, None,
    )  # fmt: skip
    assert StateLog.objects.for_(invited).latest("timestamp").transition == "book_interview"
    (message,) = mail.outbox
    assert message.subject == f"Interview booked: {invited.vacancy.title}"
    assert "is booked for" in message.body
    assert "It lasts 45 minutes." in message.body
    assert f"/applications/{invited.pk}/interview.ics" in message.body
    ((name, ics, mimetype),) = message.attachments
    assert (name, mimetype) == ("interview.ics", "text/calendar")
    text = ics  # Django keeps a text/* attachment as text
    assert "METHOD:REQUEST" in text
    assert f"UID:interview-{invited.pk}@127.0.0.1" in text
    assert "SEQUENCE:0" in text
    assert "LOCATION:Room 2\\, Town Hall" in text
    start = at(5, 10).astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in text
    assert Notification.objects.filter(
        application=invited, kind=f"interview_booked:{held.pk}"
    ).exists()


def test_moving_frees_the_first_slot_and_the_calendar_event_is_replaced(
    invited, publish, eager, django_capture_on_commit_callbacks, other_candidate
):
    first, second = publish(invited.vacancy, at(5, 10), count=2, gap=15)
    book(invited, first)
    with django_capture_on_commit_callbacks(execute=True):
        book(invited, second)

    assert state_of(invited)[:2] == ("interview_scheduled", at(5, 11))
    old, new = InterviewBooking.objects.order_by("pk")
    assert old.cancelled_at is not None
    assert new.cancelled_at is None
    assert (new.slot_id, new.sequence) == (second.pk, 1)
    (message,) = mail.outbox  # the first booking's message was never sent: it was superseded
    assert message.subject.startswith("Interview moved")
    assert "SEQUENCE:2" in message.attachments[0][1]
    # The first slot is free again: offered to the next candidate.
    other = set_state(ApplicationFactory(vacancy=invited.vacancy, candidate=other_candidate),
                      "shortlisted", "shortlisted")  # fmt: skip
    assert [o.slot.pk for o in booking.offered_slots(other)] == [first.pk]


def test_cancelling_frees_the_slot_returns_to_invited_and_sends_the_cancellation(
    invited, publish, eager, django_capture_on_commit_callbacks
):
    (slot,) = publish(invited.vacancy, at(5, 10))
    book(invited, slot)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.take("cancel_interview", application_id=invited.pk, by=invited.candidate)

    assert state_of(invited) == ("shortlisted", None, "", "", None)
    assert InterviewBooking.objects.live().count() == 0
    (message,) = mail.outbox
    assert message.subject == f"Interview cancelled: {invited.vacancy.title}"
    text = message.attachments[0][1]
    assert "METHOD:CANCEL" in text
    assert "STATUS:CANCELLED" in text
    assert "SEQUENCE:1" in text
    assert [o.slot.pk for o in booking.offered_slots(invited)] == [slot.pk]


def test_a_slot_someone_else_holds_is_refused_and_nothing_changes(
    invited, publish, other_candidate
):
    (slot,) = publish(invited.vacancy, at(5, 10))
    other = set_state(ApplicationFactory(vacancy=invited.vacancy, candidate=other_candidate),
                      "shortlisted", "shortlisted")  # fmt: skip
    book(other, slot)
    before = state_of(invited)
    with pytest.raises(DomainError) as refused:
        book(invited, slot)
    assert refused.value.code == "slot_taken"
    assert state_of(invited) == before
    assert InterviewBooking.objects.filter(application=invited).count() == 0


def test_booking_waits_for_the_sift_to_be_complete(closed, candidate, publish):
    """Everyone invited, the guaranteed candidates included, gets the same choice of times:
    nobody books before the sift is complete."""
    application = set_state(ApplicationFactory(vacancy=closed, candidate=candidate),
                            "shortlisted", "shortlisted")  # fmt: skip
    (slot,) = publish(closed, at(5, 10))
    with pytest.raises(DomainError) as refused:
        book(application, slot)
    assert refused.value.code == "sift_incomplete"
    assert state_of(application)[0] == "shortlisted"
    assert InterviewBooking.objects.count() == 0


def test_a_slot_of_another_vacancy_is_a_bad_request(invited, publish, chair):
    elsewhere = VacancyFactory(hiring_manager=chair, status="closed")
    (slot,) = publish(elsewhere, at(5, 10), panel=[chair.pk])
    with pytest.raises(ValidationError) as refused:
        book(invited, slot)
    assert refused.value.message_dict == {"slot": ["Choose one of the interview slots offered."]}


def test_within_the_notice_nothing_can_be_moved_or_cancelled_by_the_candidate(
    invited, publish, settings
):
    (slot,) = publish(invited.vacancy, at(5, 10))
    (later,) = publish(invited.vacancy, at(6, 10))
    book(invited, slot)
    InterviewSlot.objects.filter(pk=slot.pk).update(starts_at=at(0, 0) + timedelta(hours=47))
    Application.objects.filter(pk=invited.pk).update(interview_at=at(0, 0) + timedelta(hours=47))
    settings.INTERVIEW_NOTICE_HOURS = 72
    before = state_of(invited)
    for action, extra in (("book_interview", {"slot": later.pk}), ("cancel_interview", {})):
        with pytest.raises(DomainError) as refused:
            services.take(action, application_id=invited.pk, by=invited.candidate, **extra)
        assert refused.value.code == "too_late_to_change"
    assert state_of(invited) == before
    assert InterviewBooking.objects.live().get().slot_id == slot.pk


def test_only_the_candidate_books_their_own_interview(invited, publish, chair, hr):
    (slot,) = publish(invited.vacancy, at(5, 10))
    for someone in (chair, hr):
        with pytest.raises(ActionForbidden):
            book(invited, slot, by=someone)
    assert InterviewBooking.objects.count() == 0


def test_withdrawing_frees_the_booked_slot(invited, publish):
    (slot,) = publish(invited.vacancy, at(5, 10))
    book(invited, slot)
    services.take("withdraw", application_id=invited.pk, by=invited.candidate)
    assert InterviewBooking.objects.live().count() == 0
    with pytest.raises(ActionForbidden):
        slot_services.slot_remove(slot_id=slot.pk, by=invited.candidate)
    slot_services.slot_remove(slot_id=slot.pk, by=invited.vacancy.hiring_manager)
    assert not InterviewSlot.objects.published().exists()
    # Kept, with the booking it had: the history of the candidate's interview.
    assert InterviewSlot.objects.get(pk=slot.pk).bookings.count() == 1


def test_a_booked_slot_cannot_be_removed(invited, publish, chair):
    (slot,) = publish(invited.vacancy, at(5, 10))
    book(invited, slot)
    with pytest.raises(DomainError) as refused:
        slot_services.slot_remove(slot_id=slot.pk, by=chair)
    assert refused.value.code == "slot_taken"
    assert InterviewSlot.objects.filter(pk=slot.pk).exists()


# --- Reminders ----------------------------------------------------------------------------------


def test_the_day_before_the_candidate_is_reminded_once(invited, publish, other_candidate):
    tomorrow, later = publish(invited.vacancy, at(2, 10), count=2, gap=0, minutes=60)
    InterviewSlot.objects.filter(pk=later.pk).update(starts_at=at(3, 10))
    book(invited, tomorrow)
    other = set_state(ApplicationFactory(vacancy=invited.vacancy, candidate=other_candidate),
                      "shortlisted", "shortlisted")  # fmt: skip
    book(other, later)
    mail.outbox.clear()

    sent = interview_reminders_send(now=at(1, 9))
    again = interview_reminders_send(now=at(1, 15))

    held = InterviewBooking.objects.get(application=invited)
    assert (sent, again) == ([held.pk], [])
    (message,) = mail.outbox
    assert message.subject == f"Your interview tomorrow: {invited.vacancy.title}"
    assert message.to == [invited.candidate.email]
    assert message.attachments[0][0] == "interview.ics"


def test_slots_never_booked_are_offered_in_time_order_and_a_held_one_is_not(
    invited, publish, other_candidate
):
    first, second, third = publish(invited.vacancy, at(5, 9), count=3, gap=15)
    assert [o.slot.pk for o in booking.offered_slots(invited)] == [first.pk, second.pk, third.pk]
    other = set_state(ApplicationFactory(vacancy=invited.vacancy, candidate=other_candidate),
                      "shortlisted", "shortlisted")  # fmt: skip
    book(other, second)
    assert [o.slot.pk for o in booking.offered_slots(invited)] == [first.pk, third.pk]
