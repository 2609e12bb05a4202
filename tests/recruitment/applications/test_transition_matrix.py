"""Every application state × every action × every role, over the HTTP API.

The expected outcome of each cell comes from the table in docs/api.md, written out again
below; nothing here asks the application's own code what should happen. Precedence, as the
contract's error table reads: a caller who may not see the application gets 404; one who sees
it but may never take this action gets 403; an action the state does not allow gets 409
``invalid_transition``; otherwise 200 and the new state.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from recruitment.applications import workflow
from recruitment.models import Application, InterviewBooking, InterviewSlot
from tests.support.factories import agree, complete_sift, set_state

pytestmark = pytest.mark.django_db

# --- The contract, written out (docs/api.md, "Applications") --------------------------

STATES = [
    "submitted",
    "shortlisted",
    "not_shortlisted",
    "interview_scheduled",
    "interviewed",
    "not_appointed",
    "offered",
    "appointed",
    "offer_declined",
    "withdrawn",
]
FINAL = {"not_shortlisted", "not_appointed", "appointed", "offer_declined", "withdrawn"}
NON_FINAL = [s for s in STATES if s not in FINAL]

#: Persona fixture (tests/conftest.py) → does it see the application of ``candidate`` to
#: ``vacancy`` (chaired by ``chair``, ``panel_member`` on its panel)?
PERSONAS = {
    "candidate": True,  # the owner
    "other_candidate": False,
    "panel_member": True,  # on this vacancy's panel
    "outsider_panel": False,  # on another vacancy's panel only
    "chair": True,  # this vacancy's hiring manager
    "outsider_manager": False,  # a hiring manager who does not chair this vacancy
    "hr": True,
}

#: action → ({from state: to state}, the personas allowed to take it).
TABLE = {
    "shortlist": ({"submitted": "shortlisted"}, {"chair", "hr"}),
    "reject": (
        {"submitted": "not_shortlisted", "interviewed": "not_appointed"},
        {"chair", "hr"},
    ),
    "schedule_interview": ({"shortlisted": "interview_scheduled"}, {"chair", "hr"}),
    # A published slot, booked by the candidate once the sift is complete; booking again
    # moves to another slot. Cancelling frees the slot booked, and they are invited again.
    "book_interview": (
        {"shortlisted": "interview_scheduled", "interview_scheduled": "interview_scheduled"},
        {"candidate"},
    ),
    "cancel_interview": ({"interview_scheduled": "shortlisted"}, {"candidate"}),
    "record_interview": (
        {"interview_scheduled": "interviewed"},
        {"chair", "hr", "panel_member"},
    ),
    "offer": ({"interviewed": "offered"}, {"chair", "hr"}),
    "accept_offer": ({"offered": "appointed"}, {"candidate", "hr"}),
    "decline_offer": ({"offered": "offer_declined"}, {"candidate", "hr"}),
    "withdraw": (dict.fromkeys(NON_FINAL, "withdrawn"), {"candidate"}),
}
ACTIONS = list(TABLE)


def test_the_matrix_covers_exactly_the_actions_of_the_workflow_table():
    """The actions come from the one table (recruitment/applications/workflow.py); what each
    should do is written out here, from docs/api.md, not read back from the code."""
    assert list(workflow.ACTIONS) == ACTIONS
    assert {a: workflow.ACTIONS[a].transitions for a in ACTIONS} == {
        "shortlist": ("shortlist",),
        "reject": ("reject_at_sift", "reject_after_interview"),
        "schedule_interview": ("schedule_interview",),
        "book_interview": ("book_interview",),
        "cancel_interview": ("cancel_interview",),
        "record_interview": ("record_interview",),
        "offer": ("offer",),
        "accept_offer": ("accept_offer",),
        "decline_offer": ("decline_offer",),
        "withdraw": ("withdraw",),
    }


#: The furthest stage a realistic application in each state has reached (set-up).
FURTHEST_BEFORE = {
    "submitted": "applied",
    "shortlisted": "shortlisted",
    "not_shortlisted": "applied",
    "interview_scheduled": "shortlisted",
    "interviewed": "interviewed",
    "not_appointed": "interviewed",
    "offered": "offered",
    "appointed": "appointed",
    "offer_declined": "offered",
    "withdrawn": "shortlisted",
}
STAGE_ORDER = ["applied", "shortlisted", "interviewed", "offered", "appointed"]
#: Entering one of these states records that stage as reached (the monitoring funnel).
STAGE_REACHED_BY = {
    "shortlisted": "shortlisted",
    "interviewed": "interviewed",
    "offered": "offered",
    "appointed": "appointed",
}


def expected(state: str, action: str, persona: str) -> tuple[int, str]:
    """(HTTP status, the new state on 200 or the error code otherwise)."""
    moves, allowed = TABLE[action]
    if not PERSONAS[persona]:
        return 404, "not_found"
    if persona not in allowed:
        return 403, "permission_denied"
    if state not in moves:
        return 409, "invalid_transition"
    return 200, moves[state]


def expected_furthest(state: str, target: str) -> str:
    before = FURTHEST_BEFORE[state]
    reached = STAGE_REACHED_BY.get(target, before)
    return max(before, reached, key=STAGE_ORDER.index)


def test_the_written_table_is_what_the_contract_says():
    """A guard on the table itself: the counts the contract implies."""
    cells = [(s, a, p) for s in STATES for a in ACTIONS for p in PERSONAS]
    outcomes = [expected(*cell)[0] for cell in cells]
    assert len(cells) == 700
    assert outcomes.count(404) == 10 * 10 * 3
    # 4 visible personas × 10 actions = 40 pairs; allowed: shortlist 2, reject 2, schedule 2,
    # book 1, cancel 1, record 3, offer 2, accept 2, decline 2, withdraw 1 = 18, so 22
    # forbidden in each state.
    assert outcomes.count(403) == 10 * 22
    # Allowed (state, action, persona) triples that move: shortlist 2, reject 2×2,
    # schedule 2, book 2, cancel 1, record 3, offer 2, accept 2, decline 2, withdraw 5 = 25.
    assert outcomes.count(200) == 25
    assert outcomes.count(409) == 700 - 300 - 220 - 25


# --- Helpers --------------------------------------------------------------------------------

INTERVIEW_AT = timezone.now().replace(microsecond=0) + timedelta(days=30)


def body_for(action: str, slots) -> dict[str, str | int]:
    body: dict[str, str | int] = {"reason": f"Matrix: {action}."}
    if action == "schedule_interview":
        body["interview_at"] = INTERVIEW_AT.isoformat()
    if action == "book_interview":
        body["slot"] = slots["free"].pk
    return body


@pytest.fixture
def slots(closed, chair):
    """Two published slots a month ahead: one booked by an application whose interview is
    scheduled (``in_state``), one free."""
    made = {
        name: InterviewSlot.objects.create(
            vacancy=closed,
            starts_at=INTERVIEW_AT + timedelta(hours=i),
            minutes=45,
            format="phone",
            created_by=chair,
        )
        for i, name in enumerate(("booked", "free"))
    }
    for slot in made.values():
        slot.panel.set([chair])
    return made


def snapshot(application: Application, hr_client) -> dict:
    row = Application.objects.get(pk=application.pk)
    history = hr_client.get(f"/api/v1/applications/{application.pk}/history/")
    assert history.status_code == 200
    return {
        "state": row.state,
        "furthest_stage": row.furthest_stage,
        "interview_at": row.interview_at,
        "updated_at": row.updated_at,
        "history": history.json(),
    }


def in_state(application, state, slots=None):
    """The application in ``state`` as a real campaign has it: the shortlisting and interview
    scores agreed (so a rejection at sift and an offer rest on them: their refusals are
    tested in tests/recruitment/scoring/test_guarantee.py and tests/recruitment/scoring/test_decision_record.py), the interview with
    no time set (so recording it is open), and the sift complete once anything is decided (a
    candidate not shortlisted has been told; tests/recruitment/scoring/test_shortlisting.py covers the time
    before)."""
    application = set_state(application, state, furthest_stage=FURTHEST_BEFORE[state])
    criteria = application.vacancy.criteria.count()
    agree(application, [3] * criteria, stage="shortlisting")
    agree(application, [3] * criteria, stage="interview")
    if state != "submitted":
        complete_sift(application.vacancy)
    if state == "interview_scheduled" and slots is not None:
        # Booked by the candidate (the interview's time is left unset, as for one arranged
        # by staff with no time yet, so recording it as held stays open).
        InterviewBooking.objects.create(
            slot=slots["booked"], application=application, minutes=45,
            ends_at=slots["booked"].ends_at,
        )  # fmt: skip
    return application


# --- The matrix -----------------------------------------------------------------------------

CELLS = [
    pytest.param(state, action, persona, id=f"{state}-{action}-{persona}")
    for state in STATES
    for action in ACTIONS
    for persona in PERSONAS
]


@pytest.mark.parametrize(("state", "action", "persona"), CELLS)
def test_transition_matrix(state, action, persona, request, closed, application, hr, client_for):
    # Slots only where a booking is involved: most cells never read them.
    needs_slots = action in ("book_interview", "cancel_interview") or state == "interview_scheduled"
    slots = request.getfixturevalue("slots") if needs_slots else None
    application = in_state(application, state, slots)
    actor = request.getfixturevalue(persona)
    hr_client = client_for(hr)
    before = snapshot(application, hr_client)
    status, outcome = expected(state, action, persona)

    response = client_for(actor).post(
        f"/api/v1/applications/{application.pk}/actions/{action}/",
        body_for(action, slots),
        format="json",
    )

    assert response.status_code == status, response.json()
    after = snapshot(application, hr_client)
    if status != 200:
        body = response.json()
        assert body["code"] == outcome
        assert isinstance(body["detail"], str)
        assert body["detail"].strip()
        # A refused action changes nothing and writes no history.
        assert after == before
        return

    body = response.json()
    assert body["id"] == application.pk
    assert body["state"] == outcome
    assert after["state"] == outcome
    assert after["furthest_stage"] == expected_furthest(state, outcome)
    if action == "schedule_interview":
        assert after["interview_at"] == INTERVIEW_AT
        assert datetime.fromisoformat(body["interview_at"]) == INTERVIEW_AT
    elif action == "book_interview":
        assert after["interview_at"] == slots["free"].starts_at
        assert InterviewBooking.objects.live().get(application=application).slot == slots["free"]
    elif action == "cancel_interview":
        assert after["interview_at"] is None
        assert not InterviewBooking.objects.live().filter(application=application).exists()
    else:
        assert after["interview_at"] == before["interview_at"]
    # Exactly one new history row: who, from, to, reason.
    assert after["history"][: len(before["history"])] == before["history"]
    assert len(after["history"]) == len(before["history"]) + 1
    entry = after["history"][-1]
    assert (entry["from"], entry["to"]) == (state, outcome)
    assert entry["reason"] == f"Matrix: {action}."
    if persona == "candidate":
        assert entry["by"] == {"role": "candidate"}
    else:
        assert entry["by"] == {"id": actor.pk, "full_name": actor.full_name, "role": actor.role}


# --- available_actions agrees with the matrix ----------------------------------------------


@pytest.mark.parametrize(
    ("state", "persona"),
    [pytest.param(s, p, id=f"{s}-{p}") for s in STATES for p in PERSONAS],
)
def test_available_actions_are_exactly_the_ones_that_succeed(
    state, persona, request, closed, application, client_for
):
    slots = request.getfixturevalue("slots") if state == "interview_scheduled" else None
    application = in_state(application, state, slots)
    actor = request.getfixturevalue(persona)

    response = client_for(actor).get(f"/api/v1/applications/{application.pk}/")

    if not PERSONAS[persona]:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        return
    assert response.status_code == 200
    actions = response.json()["available_actions"]
    assert len(actions) == len(set(actions))
    assert set(actions) == {a for a in ACTIONS if expected(state, a, persona)[0] == 200}
