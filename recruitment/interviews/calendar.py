"""Calendar invitations (iCalendar, RFC 5545) for a booked interview, made with the
``icalendar`` library. One event per application (its UID), so a calendar that holds the
invitation replaces it when the interview moves (a higher SEQUENCE) and removes it when it
is cancelled (METHOD:CANCEL)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

if TYPE_CHECKING:
    from recruitment.interviews.models import InterviewBooking

FILENAME = "interview.ics"
CONTENT_TYPE = "text/calendar"


def event_uid(application_id: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "recruitment.invalid"
    return f"interview-{application_id}@{host}"


def invitation(booking: InterviewBooking, *, cancelled: bool = False) -> bytes:
    """The .ics for a booking (``cancelled``: the cancellation of that same event)."""
    slot, application = booking.slot, booking.application
    vacancy = application.vacancy
    calendar = Calendar()
    calendar.add("prodid", "-//Inclusive recruitment service//Interview booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", event_uid(application.pk))
    # Each booking of the application numbers one more; its cancellation one more again.
    event.add("sequence", 2 * booking.sequence + (1 if cancelled else 0))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.starts_at + timedelta(minutes=booking.minutes))
    event.add("summary", f"Interview: {vacancy.title} ({application.reference})")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if slot.place:
        event["location"] = vText(slot.place)
    how = slot.get_format_display() + (f": {slot.place}" if slot.place else "")
    event.add(
        "description",
        f"{how}. {booking.minutes} minutes.\n"
        f"Your application: {settings.SITE_URL.rstrip('/')}/applications/{application.pk}/",
    )
    # RFC 5546: a REQUEST or CANCEL names its organiser (the recruitment team's address).
    organiser = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organiser.params["cn"] = vText("Recruitment team")
    event.add("organizer", organiser, encode=False)
    if application.candidate is not None and application.candidate.email:
        attendee = vCalAddress(f"mailto:{application.candidate.email}")
        attendee.params["cn"] = vText(application.candidate.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
