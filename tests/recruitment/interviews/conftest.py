"""A closed vacancy whose sift is complete, a shortlisted (invited) candidate, and the way
to publish slots and agree adjustments for the interview tests."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from adjustments import services as adjustments
from recruitment.interviews import services
from recruitment.models import Notification
from tests.support.factories import ApplicationFactory, complete_sift, set_state


def at(days, hour, minute=0):
    """A London time ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def invited(closed, candidate):
    complete_sift(closed)
    application = ApplicationFactory(vacancy=closed, candidate=candidate)
    # Told when the sift was completed, as the service does (sent once only).
    Notification.objects.create(application=application, kind="shortlisted")
    return set_state(application, "shortlisted", furthest_stage="shortlisted")


@pytest.fixture
def publish(chair, panel_member):
    def run(vacancy, starts_at, count=1, minutes=45, gap=0, fmt="in_person", **more):
        place = more.pop("place", "Room 2, Town Hall" if fmt != "phone" else "")
        if fmt == "video" and "place" not in more:
            place = "https://video.example.org/panel"
        return services.slots_publish(
            vacancy_id=vacancy.pk,
            by=chair,
            run=services.SlotRun(
                starts_at=starts_at,
                minutes=minutes,
                format=fmt,
                place=place,
                panel=more.pop("panel", [chair.pk, panel_member.pk]),
                count=count,
                gap=gap,
                **more,
            ),
        )

    return run


@pytest.fixture
def agreed(hr):
    """Agree an interview adjustment for an application (HR, as the service does)."""

    def run(application, category, extra_minutes=None, state="agree"):
        request, _ = adjustments.adjustment_request(
            application=application,
            by=application.candidate,
            stage="interview",
            category=category,
            details="What gets in the way, and what would help.",
        )
        if state == "decline":
            return adjustments.adjustment_decline(adjustment_id=request.pk, by=hr, reason="No.")
        return adjustments.adjustment_agree(
            adjustment_id=request.pk, by=hr, arrangement="Arranged.", extra_minutes=extra_minutes
        )

    return run
