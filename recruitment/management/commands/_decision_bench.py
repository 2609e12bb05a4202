"""``make bench-campaign``'s decision at scale: "shortlist everyone ranked 1 to N" over the
top of a campaign, on real Celery worker processes (Redis, PostgreSQL), the first killed
(SIGKILL, pool and all) halfway through, a second carrying on as the progress page's "Carry
on" makes it. Checks that nothing was lost or done twice, then puts the campaign back as it
was, so the benchmark can be run again on the same rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.db import connection
from django_fsm_log.models import StateLog

from recruitment.models import (
    Application,
    ApplicationState,
    DecisionRun,
    DecisionRunItem,
    Notification,
    ScoreStage,
)
from recruitment.scoring import decision_runs
from recruitment.scoring.assessment import shortlisted_count
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from vacancies.models import Vacancy

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper

    from accounts.models import User

ROOT = Path(settings.BASE_DIR)


class DecisionBench:
    def __init__(self, out: OutputWrapper, vacancy: Vacancy, chair: User) -> None:
        self.out = out
        self.vacancy = vacancy
        self.chair = chair
        # make bench-campaign names a queue of its own (CELERY_QUEUE), which only the
        # workers started here consume.
        self.queue = settings.CELERY_TASK_DEFAULT_QUEUE
        self.processes: list[subprocess.Popen[bytes]] = []

    def _worker(self) -> subprocess.Popen[bytes]:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        process = subprocess.Popen(  # noqa: S603 - this virtualenv's celery
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker",
             "--pool", "prefork", "--concurrency", "1", "--queues", self.queue,
             "--hostname", f"{self.queue}-{len(self.processes)}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def run(self, top: int) -> None:
        if not settings.REDIS_URL or connection.vendor != "postgresql" or self.queue == "celery":
            self.out.write("decide: skipped (needs PostgreSQL, REDIS_URL and a CELERY_QUEUE)")
            return
        ranking = VacancyRanking(self.vacancy, ScoreStage.SHORTLISTING)
        waiting = RankingFilter(state=ApplicationState.SUBMITTED)
        (last,) = ranking.rows(waiting, offset=top - 1, limit=1)
        if last.rank is None:
            raise SystemExit(f"decide: fewer than {top} applications have agreed scores")
        # Room under the campaign's interview limit for every one of them (a tie at the last
        # rank is taken whole, so they may be more than ``top``): the guard still runs for
        # each, as it does in a real campaign.
        limit = self.vacancy.interview_limit
        Vacancy.objects.filter(pk=self.vacancy.pk).update(
            interview_limit=shortlisted_count(self.vacancy) + ranking.count(waiting)
        )
        started = time.perf_counter()
        run = self._request(last.rank)
        asked = time.perf_counter() - started
        covered = list(
            DecisionRunItem.objects.filter(run=run).values_list("application_id", flat=True)
        )
        try:
            first = self._worker()
            self._wait(
                lambda: decision_runs.decision_run_progress(run).waiting <= len(covered) // 2
            )
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed_at = time.perf_counter() - started
            at_kill = decision_runs.decision_run_progress(run)
            whole = self._consistent(run)
            self._worker()
            decision_runs.decision_run_resume(run)  # "Carry on" (outside a transaction: now)
            self._wait(lambda: DecisionRun.objects.get(pk=run.pk).state == "done")
            finished = time.perf_counter() - started
            progress = decision_runs.decision_run_progress(run)
            once = StateLog.objects.filter(
                object_id__in=covered, transition="shortlist"
            ).count() == len(covered)
            self.out.write(
                f"decide: shortlist ranked 1 to {last.rank} ({len(covered)} applications): "
                f"asked in {asked * 1000:.0f} ms; first worker killed at {killed_at:.1f} s "
                f"with {at_kill.done} done (items and transitions agree: {whole}); "
                f"finished by the second in {finished:.1f} s in all, "
                f"{progress.done} done, {progress.refused} refused, each once: {once}; "
                f"{len(covered) / finished:.0f} applications/s"
            )
        finally:
            self._stop()
            self._put_back(run, covered)
            Vacancy.objects.filter(pk=self.vacancy.pk).update(interview_limit=limit)

    def _request(self, up_to_rank: int) -> DecisionRun:
        """As the chair asks on the ranking page: the run's task queued on commit."""
        return decision_runs.decision_run_request(
            vacancy_id=self.vacancy.pk,
            by=self.chair,
            action="shortlist",
            up_to_rank=up_to_rank,
            confirm=True,
        )

    @staticmethod
    def _wait(condition: Any, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit("decide: timed out")
            time.sleep(0.05)

    @staticmethod
    def _consistent(run: DecisionRun) -> bool:
        """Every item marked done is an application shortlisted, and the reverse."""
        done = set(
            DecisionRunItem.objects.filter(run=run, outcome="done").values_list(
                "application_id", flat=True
            )
        )
        moved = set(
            Application.objects.filter(
                pk__in=DecisionRunItem.objects.filter(run=run).values("application_id"),
                state=ApplicationState.SHORTLISTED,
            ).values_list("pk", flat=True)
        )
        return done == moved

    def _stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        broker = redis.Redis.from_url(settings.REDIS_URL)
        broker.delete(self.queue)
        for tag, payload in broker.hgetall("unacked").items():
            if self.queue.encode() in payload:
                broker.hdel("unacked", tag)
                broker.zrem("unacked_index", tag)

    def _put_back(self, run: DecisionRun, covered: list[int]) -> None:
        """The campaign as it was: the run's applications undecided again."""
        Application.objects.filter(pk__in=covered).update(
            state=ApplicationState.SUBMITTED, furthest_stage="applied"
        )
        StateLog.objects.filter(object_id__in=covered, transition="shortlist").delete()
        Notification.objects.filter(application_id__in=covered).delete()
        run.delete()
