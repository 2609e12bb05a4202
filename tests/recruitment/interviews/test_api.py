"""Interview slots through the API: publishing, reading, the slots offered to a candidate,
booking by the application's action, removing; answers and refusals exactly."""

from datetime import datetime

import pytest

from recruitment.models import InterviewBooking, InterviewSlot
from tests.recruitment.interviews.conftest import at

pytestmark = pytest.mark.django_db


def run_body(chair, **changes):
    return {"starts_at": at(5, 9).isoformat(), "minutes": 45, "format": "video",
            "place": "https://video.example.org/p", "panel": [chair.pk], "count": 2, "gap": 15,
            **changes}  # fmt: skip


def test_the_chair_publishes_a_run_and_the_panel_reads_it(closed, chair, panel_member, client_for):
    made = client_for(chair).post(
        f"/api/v1/vacancies/{closed.pk}/interview-slots/", run_body(chair), format="json"
    )
    assert made.status_code == 201, made.json()
    first, second = InterviewSlot.objects.order_by("starts_at")
    answered = made.json()
    assert [datetime.fromisoformat(s.pop("starts_at")) for s in answered] == [at(5, 9), at(5, 10)]
    assert answered == [
        {"id": s.pk, "minutes": 45, "format": "video", "place": "https://video.example.org/p",
         "accessible": False, "panel": [chair.pk], "booking": None}
        for s in (first, second)
    ]  # fmt: skip
    assert [s.starts_at for s in (first, second)] == [at(5, 9), at(5, 10)]

    listed = client_for(panel_member).get(f"/api/v1/vacancies/{closed.pk}/interview-slots/")
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["results"]] == [first.pk, second.pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": "next week"}, "starts_at"),
        ({"format": "carrier_pigeon"}, "format"),
        ({"minutes": 5}, "minutes"),
        ({"count": 0}, "count"),
        ({"panel": []}, "panel"),
        ({"place": ""}, "place"),
        ({"starts_at": at(-1, 9).isoformat()}, "starts_at"),
    ],
)
def test_a_bad_run_is_a_400_naming_the_field_and_nothing_is_made(
    closed, chair, client_for, changes, field
):
    answer = client_for(chair).post(
        f"/api/v1/vacancies/{closed.pk}/interview-slots/", run_body(chair, **changes),
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert field in answer.json()["errors"], answer.json()
    assert InterviewSlot.objects.count() == 0


def test_the_candidate_reads_the_slots_offered_with_their_extra_time_and_books_one(
    invited, publish, agreed, client_for
):
    agreed(invited, "extra_time", extra_minutes=15)
    agreed(invited, "communication_support")
    (soon,) = publish(invited.vacancy, at(5, 10))
    (later,) = publish(invited.vacancy, at(20, 10), fmt="video")
    api = client_for(invited.candidate)

    offered = api.get(f"/api/v1/applications/{invited.pk}/interview-slots/")

    assert offered.status_code == 200
    body = offered.json()
    assert [(s["id"], s["minutes"], s["format"]) for s in body["slots"]] == [
        (later.pk, 60, "video")
    ]
    assert body["access_to_work"] is True
    assert body["booked_slot"] is None
    assert len(body["shaped_by"]) == 2
    refused = api.post(f"/api/v1/applications/{invited.pk}/actions/book_interview/",
                       {"slot": soon.pk}, format="json")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (409, "slot_not_offered")
    booked = api.post(f"/api/v1/applications/{invited.pk}/actions/book_interview/",
                      {"slot": later.pk}, format="json")  # fmt: skip
    assert booked.status_code == 200
    assert booked.json()["state"] == "interview_scheduled"
    assert booked.json()["interview_minutes"] == 60
    assert booked.json()["interview_format"] == "video"
    assert (
        api.get(f"/api/v1/applications/{invited.pk}/interview-slots/").json()["booked_slot"]
        == later.pk
    )


def test_booking_without_a_slot_is_a_400_naming_it(invited, client_for):
    answer = client_for(invited.candidate).post(
        f"/api/v1/applications/{invited.pk}/actions/book_interview/", {}, format="json"
    )
    assert answer.status_code == 400
    assert "slot" in answer.json()["errors"]
    assert InterviewBooking.objects.count() == 0


def test_agreeing_extra_minutes_on_another_kind_of_request_is_a_400(invited, hr, client_for):
    from adjustments import services as adjustments

    request, _ = adjustments.adjustment_request(
        application=invited, by=invited.candidate, stage="interview", category="rest_breaks",
        details="Breaks, please.",
    )  # fmt: skip
    answer = client_for(hr).post(
        f"/api/v1/adjustments/{request.pk}/actions/agree/",
        {"arrangement": "A break halfway.", "extra_minutes": 10}, format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["errors"] == {
        "extra_minutes": ["Extra minutes are given only for extra time."]
    }
    request.refresh_from_db()
    assert (request.state, request.extra_minutes, request.arrangement) == ("requested", None, "")
