"""Transitions and scoring under contention, on the real PostgreSQL (row locks)."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django_fsm_log.models import StateLog

from config.errors import DomainError
from recruitment.models import Application, Score
from recruitment.services import ScoreInput, application_shortlist, scores_submit
from tests.conftest import require
from tests.factories import ApplicationFactory, set_vacancy_status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(n, action):
    """Run ``action`` in ``n`` threads released together; return what each one got."""
    barrier = threading.Barrier(n)
    results = []
    lock = threading.Lock()

    def run():
        barrier.wait()
        try:
            outcome = action()
        except DomainError as exc:
            outcome = exc.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_ten_threads_racing_to_shortlist_one_application_let_exactly_one_through(
    vacancy, chair, candidate
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)

    results = race(
        10, lambda: application_shortlist(application_id=application.pk, by=chair) and "ok"
    )

    assert Counter(results) == {"ok": 1, "invalid_transition": 9}
    assert Application.objects.get(pk=application.pk).state == "shortlisted"
    assert StateLog.objects.filter(object_id=application.pk, transition="shortlist").count() == 1


def test_concurrent_scoring_by_one_member_keeps_one_row_per_criterion(
    vacancy, panel_member, candidate
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    criteria = list(vacancy.criteria.all())

    def score(value):
        return lambda: (
            scores_submit(
                application_id=application.pk,
                by=panel_member,
                stage="shortlisting",
                scores=[ScoreInput(c.pk, value) for c in criteria],
            )
            or "ok"
        )

    values = iter(range(10))
    results = race(10, lambda: score(next(values) % 5)())

    assert results == ["ok"] * 10
    rows = Score.objects.filter(application=application, scorer=panel_member)
    assert rows.count() == len(criteria)
    # Each submission wrote all criteria together: the last one wins whole, never a mix.
    assert len({row.score for row in rows}) == 1


def test_ten_threads_racing_for_the_last_interview_place_let_exactly_one_through(vacancy, chair):
    require(connection.vendor == "postgresql", "PostgreSQL")
    from vacancies.models import Vacancy

    set_vacancy_status(vacancy, "closed")
    Vacancy.objects.filter(pk=vacancy.pk).update(
        interview_limit=1, interview_limit_reason="Peak season."
    )
    ids = iter([ApplicationFactory(vacancy=vacancy).pk for _ in range(10)])
    lock = threading.Lock()

    def shortlist_one():
        with lock:
            pk = next(ids)
        return application_shortlist(application_id=pk, by=chair) and "ok"

    results = race(10, shortlist_one)

    assert Counter(results) == {"ok": 1, "interview_limit_reached": 9}
    assert Application.objects.filter(vacancy=vacancy, state="shortlisted").count() == 1
