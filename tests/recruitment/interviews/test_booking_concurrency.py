"""Booking under contention, on the real PostgreSQL (row locks and the partial unique
constraint): first come, first served, and never two interviews in one slot."""

import pytest
from django.db import connection

from recruitment.applications import services
from recruitment.models import Application, InterviewBooking
from tests.conftest import require
from tests.recruitment.applications.test_concurrency import race_all
from tests.recruitment.interviews.conftest import at
from tests.support.factories import ApplicationFactory, UserFactory, set_state

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def invite(vacancy, n):
    return [
        set_state(
            ApplicationFactory(
                vacancy=vacancy, candidate=UserFactory(username=f"c{i}", role="candidate")
            ),
            "shortlisted",
            "shortlisted",
        )
        for i in range(n)
    ]


def booker(application, slot):
    def run():
        services.take(
            "book_interview", application_id=application.pk, by=application.candidate,
            slot=slot.pk,
        )  # fmt: skip
        return "booked"

    return run


def test_five_candidates_racing_for_the_last_slot_one_gets_it(invited, publish):
    require(connection.vendor == "postgresql", "PostgreSQL")
    (slot,) = publish(invited.vacancy, at(5, 10))
    others = invite(invited.vacancy, 4)
    racers = [invited, *others]

    results = race_all([booker(a, slot) for a in racers])

    assert sorted(results) == ["booked"] + ["slot_taken"] * 4
    winner = racers[results.index("booked")]
    (held,) = InterviewBooking.objects.all()
    assert (held.application_id, held.slot_id, held.cancelled_at) == (winner.pk, slot.pk, None)
    states = dict(Application.objects.filter(vacancy=invited.vacancy).values_list("pk", "state"))
    assert states == {a.pk: ("interview_scheduled" if a == winner else "shortlisted")
                      for a in racers}  # fmt: skip


def test_two_moves_into_one_slot_and_a_booking_of_the_freed_one_stay_whole(invited, publish):
    """A and B move from their slots into the same free slot while C asks for A's: the
    panel's locks order them; one move wins, and no slot or application is held twice."""
    require(connection.vendor == "postgresql", "PostgreSQL")
    first, second, free = publish(invited.vacancy, at(5, 9), count=3, gap=15)
    b, c = invite(invited.vacancy, 2)
    booker(invited, first)()
    booker(b, second)()

    results = race_all([booker(invited, free), booker(b, free), booker(c, first)])

    live = list(InterviewBooking.objects.live().values_list("application_id", "slot_id"))
    assert len(live) == len({s for _, s in live}) == len({a for a, _ in live})
    assert sorted(results[:2]) == ["booked", "slot_taken"]
    # C gets A's old slot only if A's move committed first: first come, first served.
    assert results[2] in {"booked", "slot_taken"}
    assert ((c.pk, first.pk) in live) is (results[2] == "booked")
    mover = (invited, b)[results.index("booked")]
    assert (mover.pk, free.pk) in live
