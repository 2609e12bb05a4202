"""The periodic closing task: eagerly (embedded default) and on a real worker with Redis."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_fsm_log.models import StateLog

from config.celery_app import app as celery_app
from tests.conftest import require
from tests.support.factories import VacancyFactory
from tests.support.workers import redis_available
from vacancies.models import Vacancy
from vacancies.services import vacancies_close_expired
from vacancies.tasks import close_expired_vacancies


def past_and_future_vacancies():
    due = VacancyFactory(closing_date=timezone.now() - timedelta(minutes=1))
    later = VacancyFactory(closing_date=timezone.now() + timedelta(days=1))
    draft = VacancyFactory(closing_date=timezone.now() - timedelta(minutes=1), status="draft")
    return due, later, draft


@pytest.mark.django_db
def test_closing_closes_only_open_vacancies_past_their_date_and_is_idempotent():
    due, later, draft = past_and_future_vacancies()

    assert vacancies_close_expired() == [due.pk]
    assert vacancies_close_expired() == []

    assert Vacancy.objects.get(pk=due.pk).status == "closed"
    assert Vacancy.objects.get(pk=due.pk).closed_at is not None
    assert Vacancy.objects.get(pk=later.pk).status == "open"
    assert Vacancy.objects.get(pk=draft.pk).status == "draft"
    log = StateLog.objects.get(object_id=due.pk, transition="close")
    assert (log.source_state, log.state, log.by, log.description) == (
        "open",
        "closed",
        None,
        "Closing date passed",
    )


def test_the_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["close-vacancies-past-closing-date"]
    assert (
        entry["task"] == close_expired_vacancies.name == "vacancies.tasks.close_expired_vacancies"
    )
    assert entry["schedule"] == timedelta(minutes=1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_closes_due_vacancies_once():
    require(redis_available(), "Redis (REDIS_URL)")
    assert celery_app.conf.task_always_eager is False
    from celery.contrib.testing.worker import start_worker

    due, later, _ = past_and_future_vacancies()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = close_expired_vacancies.delay().get(timeout=30)
        second = close_expired_vacancies.delay().get(timeout=30)

    assert (first, second) == ([due.pk], [])
    assert Vacancy.objects.get(pk=due.pk).status == "closed"
    assert Vacancy.objects.get(pk=later.pk).status == "open"
    assert StateLog.objects.filter(object_id=due.pk, transition="close").count() == 1
