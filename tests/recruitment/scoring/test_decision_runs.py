"""Decisions at scale: "shortlist everyone ranked 1 to N" as one recorded run, each
application through its own action, resumable and idempotent if the worker dies."""

import os
import signal
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_fsm_log.models import StateLog

from recruitment.applications.services import application_shortlist
from recruitment.models import Application, DecisionRun, DecisionRunItem
from recruitment.scoring import decision_runs
from recruitment.scoring.decision_runs import (
    decision_run_advance,
    decision_run_progress,
    decision_run_request,
)
from recruitment.tasks import advance_decision_run, resume_decision_runs
from tests.conftest import require
from tests.support.clients import banner, page_client
from tests.support.factories import ApplicationFactory, agree, set_state, set_vacancy_status
from tests.support.workers import wait_for

pytestmark = pytest.mark.django_db


def ranked(vacancy, totals):
    """Applications with agreed scores giving these totals, in the order given."""
    apps = []
    for total in totals:
        application = ApplicationFactory(vacancy=vacancy)
        if total is not None:
            agree(application, [total // 3 + (1 if i < total % 3 else 0) for i in range(3)])
        apps.append(application)
    return apps


def states(apps):
    by_pk = dict(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("pk", "state"))
    return [by_pk[a.pk] for a in apps]


def transitions(application):
    return list(
        StateLog.objects.for_(application).order_by("pk").values_list("transition", flat=True)
    )


def test_shortlisting_everyone_ranked_1_to_n_takes_a_tie_at_n_whole_and_records_each(closed, chair):
    apps = ranked(closed, [12, 10, 9, 9, 7, None])
    set_state(apps[1], "shortlisted")  # decided by hand already: not in the run

    run = decision_run_request(
        vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=3, confirm=True
    )
    items = list(DecisionRunItem.objects.filter(run=run).values_list("application_id", "position"))
    assert states(apps) == [
        "submitted",
        "shortlisted",
        "submitted",
        "submitted",
        "submitted",
        "submitted",
    ]

    progress = decision_run_advance(run.pk)

    # Ranks: 12 → 1, 10 → 2 (decided already), 9 and 9 → 3 (shared, in reference order),
    # 7 → 5.
    assert items[0] == (apps[0].pk, 0)
    assert {pk for pk, _ in items[1:]} == {apps[2].pk, apps[3].pk}
    assert [position for _, position in items] == [0, 1, 2]
    assert states(apps) == ["shortlisted"] * 4 + ["submitted", "submitted"]
    assert (progress.total, progress.done, progress.refused, progress.waiting) == (3, 3, 0, 0)
    assert DecisionRun.objects.get(pk=run.pk).state == "done"
    assert transitions(apps[2]) == ["shortlist"]
    log = StateLog.objects.for_(apps[0]).get()
    assert (log.by_id, log.description) == (chair.pk, "Shortlisted from the ranking.")


def test_a_worker_that_dies_midway_loses_nothing_and_a_rerun_repeats_nothing(closed, chair):
    apps = ranked(closed, [12, 11, 10, 9, 8, 7])
    run = decision_run_request(
        vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=6, confirm=True
    )

    first = decision_run_advance(run.pk, chain="line-1", limit=2)  # the worker dies after two

    assert (first.done, first.waiting) == (2, 4)
    assert states(apps) == ["shortlisted"] * 2 + ["submitted"] * 4
    assert DecisionRun.objects.get(pk=run.pk).state == "running"

    # Another line of tasks (the button pressed, the sweep) takes nothing from a live run...
    other = decision_run_advance(run.pk, chain="line-2")
    assert (other.done, other.chain) == (2, None)
    # ...and the dead worker's message, delivered again, carries on as its own line.
    second = decision_run_advance(run.pk, chain="line-1")
    again = decision_run_advance(run.pk, chain="line-1")  # delivered once more

    assert (second.done, second.waiting) == (6, 0)
    assert (again.done, again.refused, again.chain) == (6, 0, None)
    assert states(apps) == ["shortlisted"] * 6
    assert all(transitions(a) == ["shortlist"] for a in apps)


def test_a_run_that_would_split_a_tie_at_the_interview_limit_is_refused_and_says_what_fits(
    closed, chair
):
    closed.interview_limit = 3
    closed.interview_limit_reason = "High-volume campaign."
    closed.save()
    apps = ranked(closed, [12, 11, 10, 10, 9])  # the tie at 10 would take places 3 and 4

    with pytest.raises(ValidationError) as refused:
        decision_run_request(
            vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=3, confirm=True
        )

    assert refused.value.message_dict == {
        "up_to_rank": [
            "The interview limit leaves 3 places, and ranks 1 to 3 hold 4 undecided "
            "applications: a tie would be split. Ranks 1 to 2 fit whole."
        ]
    }
    assert not DecisionRun.objects.exists()
    assert states(apps) == ["submitted"] * 5
    # Not shortlisting is not limited.
    decision_run_request(
        vacancy_id=closed.pk, by=chair, action="reject", up_to_rank=5, reason="Below the "
        "standard on the agreed scores.", confirm=True,
    )  # fmt: skip


def test_a_place_taken_by_hand_meanwhile_is_refused_in_the_run_and_recorded(closed, chair):
    closed.interview_limit = 2
    closed.interview_limit_reason = "High-volume campaign."
    closed.save()
    apps = ranked(closed, [12, 11, 10])
    run = decision_run_request(
        vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=2, confirm=True
    )
    application_shortlist(application_id=apps[2].pk, by=chair)  # before the worker starts

    progress = decision_run_advance(run.pk)

    assert states(apps) == ["shortlisted", "submitted", "shortlisted"]
    assert (progress.done, progress.refused) == (1, 1)
    refused = DecisionRunItem.objects.get(run=run, outcome="refused")
    assert (refused.application_id, refused.code) == (apps[1].pk, "interview_limit_reached")
    assert refused.detail == "The interview limit of 2 is reached: 2 shortlisted."


def test_not_shortlisting_by_rank_needs_a_reason_and_agreed_scores(closed, chair):
    apps = ranked(closed, [3, 2, 1])

    with pytest.raises(Exception) as refused:  # noqa: PT011 - Django's ValidationError
        decision_run_request(
            vacancy_id=closed.pk, by=chair, action="reject", up_to_rank=3, confirm=True
        )
    assert "reason" in refused.value.message_dict
    assert not DecisionRun.objects.exists()

    run = decision_run_request(
        vacancy_id=closed.pk,
        by=chair,
        action="reject",
        up_to_rank=3,
        reason="Below the standard on the agreed scores.",
        confirm=True,
    )
    decision_run_advance(run.pk)

    assert states(apps) == ["not_shortlisted"] * 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "shortlist", "up_to_rank": 0, "confirm": True}, "up_to_rank"),
        ({"action": "shortlist", "up_to_rank": "5", "confirm": True}, "up_to_rank"),
        ({"action": "promote", "up_to_rank": 5, "confirm": True}, "action"),
        ({"action": "shortlist", "up_to_rank": 5}, "confirm"),
        ({"action": "shortlist", "up_to_rank": 50, "confirm": True}, "up_to_rank"),  # none
    ],
)
def test_bad_requests_are_a_400_naming_the_field_and_change_nothing(
    closed, chair, client_for, body, field
):
    apps = ranked(closed, [12, 11])
    set_state(apps[0], "shortlisted")
    set_state(apps[1], "shortlisted")

    response = client_for(chair).post(
        f"/api/v1/vacancies/{closed.pk}/ranked-decisions/", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not DecisionRun.objects.exists()


def test_the_api_answers_202_with_progress_and_refuses_a_second_run_while_one_is_open(
    closed, chair, hr, client_for, panel_member, outsider_manager
):
    apps = ranked(closed, [12, 11, 10])
    url = f"/api/v1/vacancies/{closed.pk}/ranked-decisions/"
    body = {"action": "shortlist", "up_to_rank": 2, "confirm": True}

    assert client_for(panel_member).post(url, body, format="json").status_code == 403
    assert client_for(outsider_manager).post(url, body, format="json").status_code == 404
    created = client_for(chair).post(url, body, format="json")  # not eager: stays queued
    second = client_for(hr).post(url, body, format="json")

    assert created.status_code == 202
    assert {k: created.json()[k] for k in ("action", "up_to_rank", "state", "total", "done")} == {
        "action": "shortlist",
        "up_to_rank": 2,
        "state": "queued",
        "total": 2,
        "done": 0,
    }
    assert second.status_code == 409
    assert second.json()["code"] == "decision_run_open"
    assert DecisionRun.objects.count() == 1
    run_id = created.json()["id"]
    decision_run_advance(run_id)
    progress = client_for(hr).get(f"/api/v1/decision-runs/{run_id}/")
    assert progress.status_code == 200
    assert (progress.json()["state"], progress.json()["done"]) == ("done", 2)
    assert client_for(outsider_manager).get(f"/api/v1/decision-runs/{run_id}/").status_code == 404
    assert states(apps) == ["shortlisted", "shortlisted", "submitted"]


def test_from_the_ranking_page_the_run_completes_in_process_and_shows_its_progress(
    closed, chair, eager, django_capture_on_commit_callbacks
):
    apps = ranked(closed, [12, 11, 10])
    client = page_client(chair)

    page = client.get(f"/staff/vacancies/{closed.pk}/ranking/shortlisting/").content.decode()
    assert "Decide by rank" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/vacancies/{closed.pk}/ranked-decisions/",
            {"by-rank-decision": "shortlist", "by-rank-up_to_rank": "2", "confirm": "yes"},
        )
    run = DecisionRun.objects.get()

    assert response.status_code == 302
    assert response["Location"] == f"/staff/decision-runs/{run.pk}/"
    progress = client.get(response["Location"]).content.decode()
    assert "2 of 2 applications decided (100%): 2 done, 0 refused, 0 waiting" in progress
    assert states(apps) == ["shortlisted", "shortlisted", "submitted"]


def test_the_page_form_names_what_is_missing(closed, chair):
    ranked(closed, [12])

    page = page_client(chair).post(
        f"/staff/vacancies/{closed.pk}/ranked-decisions/", {"by-rank-decision": "shortlist"}
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "Enter the last rank to decide" in body
    assert "<title>Error: " in body
    assert not DecisionRun.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_run_take_each_item_once_in_ranking_order(vacancy, chair):
    require(connection.vendor == "postgresql", "PostgreSQL")
    vacancy = set_vacancy_status(vacancy, "closed")
    vacancy.interview_limit = 5
    vacancy.interview_limit_reason = "High-volume campaign."
    vacancy.save()
    apps = ranked(vacancy, [12, 11, 10, 9, 8, 7, 6, 5])
    run = decision_run_request(
        vacancy_id=vacancy.pk, by=chair, action="shortlist", up_to_rank=5, confirm=True
    )
    # One place taken by hand (the lowest ranked) before the workers start: the run has
    # four places for its five.
    application_shortlist(application_id=apps[7].pk, by=chair)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        barrier.wait()
        try:
            decision_run_advance(run.pk)
        except Exception as exc:  # noqa: BLE001 - shown, not lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    # The four places left went to the four best-ranked, each shortlisted once.
    assert states(apps) == ["shortlisted"] * 4 + ["submitted"] * 3 + ["shortlisted"]
    assert all(transitions(a) == ["shortlist"] for a in apps[:4])
    progress = decision_run_progress(DecisionRun.objects.get(pk=run.pk))
    assert (progress.done, progress.refused, progress.run.state) == (4, 1, "done")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_midway_loses_nothing_and_the_next_finishes_the_run(
    workers, vacancy, chair, monkeypatch
):
    """A real worker process, killed (SIGKILL, pool and all) in the middle of a run: every
    application it had decided is recorded, item and transition together; the message
    stays unacknowledged, and the next worker takes the run up where it stopped."""
    vacancy = set_vacancy_status(vacancy, "closed")
    apps = ranked(vacancy, [12 - i % 13 for i in range(150)])
    # The run's task goes to this test's own queue (its workers' only one).
    monkeypatch.setattr(
        decision_runs,
        "_queue",
        lambda run_id: advance_decision_run.apply_async((run_id, "line-1"), queue=workers.queue),
    )
    run = decision_run_request(
        vacancy_id=vacancy.pk, by=chair, action="shortlist", up_to_rank=150, confirm=True
    )
    mail = "django.core.mail.backends.locmem.EmailBackend"

    first = workers.start("first", mail=mail)
    wait_for(lambda: decision_run_progress(run).done >= 10, "the first worker to decide ten")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    at_kill = decision_run_progress(run)
    shortlisted = Application.objects.filter(pk__in=[a.pk for a in apps], state="shortlisted")
    done = DecisionRunItem.objects.filter(run=run, outcome="done")
    assert 10 <= at_kill.done < 150
    # Nothing half-done: an item is marked exactly when its application moved.
    assert set(shortlisted.values_list("pk", flat=True)) == set(
        done.values_list("application_id", flat=True)
    )
    assert len(workers.unacked()) == 1  # the run's message: taken, not acknowledged

    second = workers.start("second", visibility_timeout=2, mail=mail)
    wait_for(
        lambda: DecisionRun.objects.get(pk=run.pk).state == "done",
        "the second worker to finish the run",
        timeout=60,
    )
    workers.stop(second)

    progress = decision_run_progress(DecisionRun.objects.get(pk=run.pk))
    assert (progress.total, progress.done, progress.refused) == (150, 150, 0)
    assert shortlisted.count() == 150
    assert (
        StateLog.objects.filter(object_id__in=[a.pk for a in apps], transition="shortlist").count()
        == 150
    )


def test_a_stalled_run_is_offered_to_carry_on_and_the_sweep_queues_only_stalled_runs(
    closed, chair, eager, django_capture_on_commit_callbacks
):
    apps = ranked(closed, [12, 11, 10])
    run = decision_run_request(
        vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=3, confirm=True
    )
    decision_run_advance(run.pk, limit=1)  # then the worker is lost
    client = page_client(chair)
    url = f"/staff/decision-runs/{run.pk}/"

    recent = client.get(url).content.decode()
    assert decision_runs.decision_runs_resume() == []  # still making progress: left alone
    assert "Carry on" not in recent
    with django_capture_on_commit_callbacks(execute=True):
        pressed_anyway = client.post(url)  # a live run: nothing is queued
    assert (
        banner(pressed_anyway)[-1] == "This decision is still running: it needs nothing from you."
    )
    assert states(apps) == ["shortlisted", "submitted", "submitted"]
    assert "1 of 3 applications decided (33%): 1 done, 0 refused, 2 waiting" in recent

    DecisionRun.objects.filter(pk=run.pk).update(
        progressed_at=timezone.now() - timedelta(minutes=6)
    )
    stalled = client.get(url).content.decode()
    assert "has made no progress for a few minutes" in stalled
    assert "Carry on" in stalled
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert banner(response)[-1] == "The decision will carry on from where it stopped."
    assert states(apps) == ["shortlisted"] * 3
    assert all(transitions(a) == ["shortlist"] for a in apps)
    assert DecisionRun.objects.get(pk=run.pk).state == "done"
    finished = client.post(url)
    assert banner(finished)[-1] == "This decision has finished: there is nothing to carry on."


def test_the_periodic_sweep_resumes_a_run_whose_worker_was_lost(closed, chair, eager):
    apps = ranked(closed, [12, 11])
    run = decision_run_request(
        vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=2, confirm=True
    )  # its message lost: nothing taken
    DecisionRun.objects.filter(pk=run.pk).update(requested_at=timezone.now() - timedelta(minutes=6))

    assert resume_decision_runs() == [run.pk]

    assert states(apps) == ["shortlisted", "shortlisted"]
    assert resume_decision_runs() == []  # finished: nothing to resume


def test_the_task_takes_a_slice_then_queues_the_rest_as_a_task_of_its_own(
    closed, chair, eager, monkeypatch
):
    """Each task stays well inside Celery's time limit: past its slice it queues the rest
    (here a slice of nothing: one application a task)."""
    apps = ranked(closed, [12, 11, 10])
    run = decision_run_request(
        vacancy_id=closed.pk, by=chair, action="shortlist", up_to_rank=3, confirm=True
    )
    monkeypatch.setattr(decision_runs, "SLICE", timedelta(0))
    calls = []
    monkeypatch.setattr(
        decision_runs,
        "decision_run_advance",
        lambda run_id, **kw: calls.append(kw) or decision_run_advance(run_id, **kw),
    )

    advance_decision_run.delay(run.pk, "line-1")

    # One line of tasks from start to end, each a slice.
    assert calls == [{"chain": "line-1", "seconds": 0.0}] * 3
    assert states(apps) == ["shortlisted"] * 3
    assert DecisionRun.objects.get(pk=run.pk).state == "done"


def test_the_page_shows_what_a_run_covers_and_decides_nothing_until_confirmed(closed, chair):
    closed.interview_limit = 10
    closed.interview_limit_reason = "High-volume campaign."
    closed.save()
    apps = ranked(closed, [12, 11, 3, 2])  # pass mark 2 for each of three criteria: 6
    client = page_client(chair)
    url = f"/staff/vacancies/{closed.pk}/ranked-decisions/"

    page = client.post(url, {"by-rank-decision": "shortlist", "by-rank-up_to_rank": "3"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Shortlist 3 applications?" in body
    assert "Every undecided application ranked 1 to 3: 3" in body
    assert "2 meet them; 1 does not" in body
    assert "10 places left before this decision" in body
    assert "1 of them does not meet the minimum criteria on their agreed scores." in body
    assert not DecisionRun.objects.exists()
    assert states(apps) == ["submitted"] * 4


def test_the_form_is_offered_only_on_a_closed_vacancy_before_the_sift_is_complete(vacancy, chair):
    page = page_client(chair).get(f"/staff/vacancies/{vacancy.pk}/ranking/shortlisting/")
    assert "Decide by rank" not in page.content.decode()  # open: nothing to decide yet


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_202_says_the_run_finished_in_the_request(
    vacancy, chair, client_for, eager
):
    vacancy = set_vacancy_status(vacancy, "closed")
    ranked(vacancy, [12, 11])

    response = client_for(chair).post(  # committed, so the task runs in the request
        f"/api/v1/vacancies/{vacancy.pk}/ranked-decisions/",
        {"action": "shortlist", "up_to_rank": 2, "confirm": True},
        format="json",
    )

    assert response.status_code == 202
    answer = response.json()
    assert (answer["state"], answer["done"], answer["waiting"]) == ("done", 2, 0)
    assert answer["finished_at"] is not None
