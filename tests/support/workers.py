"""Celery workers as separate processes, on the test database and Redis, for the tests of
what survives a worker killed midway (tests/kernel/test_task_faults.py and the decisions
from the ranking)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from typing import IO
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app
from tests.conftest import ROOT, require


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


CELERY = str(ROOT / ".venv/bin/celery")


def shared_database_url():
    """The test database, for a worker process to share."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"])
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Workers:
    """Celery workers as separate processes (``celery -A config worker``, prefork, one
    pool process), on the test database and Redis, consuming one queue of their own."""

    def __init__(self, directory):
        self.directory = directory
        self.queue = f"faults-{uuid.uuid4().hex[:12]}"
        self.processes: list[subprocess.Popen] = []
        self.logs: list[IO[str]] = []
        self.redis = redis.Redis.from_url(settings.REDIS_URL)

    def start(
        self, name, visibility_timeout=None, mail="tests.support.mail_backends.StuckOnceBackend"
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.support.worker_settings",
            "DATABASE_URL": shared_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_EMAIL_BACKEND": mail,
            "TEST_MAIL_DIR": str(self.directory),
            "PYTHONPATH": str(ROOT),
            # What the worker queues itself (the messages a decision sends) stays on this
            # queue too, never on the shared default one.
            "CELERY_QUEUE": self.queue,
        }
        env.pop("CELERY_VISIBILITY_TIMEOUT", None)
        if visibility_timeout is not None:
            env["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        log = (self.directory / f"{name}.log").open("w")
        self.logs.append(log)
        process = subprocess.Popen(  # noqa: S603 (our own venv's celery)
            [CELERY, "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
             "--queues", self.queue, "--hostname", f"{name}-{self.queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def unacked(self):
        """The task messages of this queue delivered to a worker and not acknowledged."""
        return [
            tag
            for tag, payload in self.redis.hgetall("unacked").items()
            if json.loads(payload)[2] == self.queue
        ]

    def waiting(self):
        return self.redis.llen(self.queue)

    def stop(self, process):
        """Warm shutdown, as a deployment stops a worker."""
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)

    def kill_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for log in self.logs:
            log.close()

    def log(self, name):
        return (self.directory / f"{name}.log").read_text()


@pytest.fixture
def workers(tmp_path):
    require(connection.vendor == "postgresql", "PostgreSQL (a worker process shares its rows)")
    require(redis_available(), "Redis (REDIS_URL)")
    assert celery_app.conf.task_always_eager is False
    workers = Workers(tmp_path)
    yield workers
    workers.kill_all()
    for tag in workers.unacked():
        workers.redis.hdel("unacked", tag)
        workers.redis.zrem("unacked_index", tag)
    workers.redis.delete(
        workers.queue,
        f"_kombu.binding.{workers.queue}",
        f"_kombu.binding_permanent.{workers.queue}",
    )
