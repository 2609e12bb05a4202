"""The production run: the Procfile's three processes, their JSON logs, and ``honcho start``
end to end against PostgreSQL and Redis (web answers /healthz, the worker runs a task sent
from here, beat starts, and SIGTERM stops all three)."""

import io
import json
import logging
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.log import log_response
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.glogging import SafeAtoms

from config.celery_app import app as celery_app
from config.logs import ACCESS_LOG_FORMAT, JsonFormatter, logging_config
from tests.conftest import ROOT, require
from tests.support.factories import VacancyFactory
from vacancies.models import Vacancy
from vacancies.tasks import close_expired_vacancies

BIN = Path(sys.executable).parent

PROCFILE = {
    "web": "exec gunicorn config.wsgi --config python:config.gunicorn",
    "worker": "exec celery --app config --quiet worker",
    "beat": "exec celery --app config --quiet beat",
}

# --- The Procfile and gunicorn's settings ------------------------------------------------------


def test_the_procfile_runs_web_worker_and_beat():
    lines = [
        line
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert dict(line.split(": ", 1) for line in lines) == PROCFILE
    assert len(lines) == 3


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    conf = runpy.run_path(str(ROOT / "config/gunicorn.py"))

    assert conf["bind"] == "0.0.0.0:9123"
    assert conf["workers"] == 4
    assert conf["forwarded_allow_ips"] == "10.0.0.5"
    assert conf["graceful_timeout"] > 0
    assert conf["access_log_format"] == ACCESS_LOG_FORMAT
    # The same logging as Django's, so gunicorn's lines come out like every other line.
    assert conf["logconfig_dict"] == settings.LOGGING


# --- JSON log lines ------------------------------------------------------------------------------

PERSONAL = ("amara", "203.0.113.9", "Mozilla", "secret-token", "sessionid", "my statement")


def formatted(record: logging.LogRecord) -> dict:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    for leak in PERSONAL:
        assert leak not in line.lower(), f"{leak!r} in {line}"
    return json.loads(line)


def test_the_format_is_chosen_by_name():
    assert logging_config("json")["handlers"]["stdout"]["formatter"] == "json"
    assert logging_config("json")["formatters"]["json"]["()"] == "config.logs.JsonFormatter"
    assert logging_config("plain")["handlers"]["stdout"]["formatter"] == "plain"
    with pytest.raises(ValueError, match="DJANGO_LOG_FORMAT"):
        logging_config("xml")


def test_a_json_line_has_timestamp_level_logger_and_message():
    record = logging.LogRecord(
        "recruitment.applications.notifications",
        logging.INFO,
        __file__,
        1,
        "sent %d reminders",
        (3,),
        None,
    )
    line = formatted(record)

    assert set(line) == {"timestamp", "level", "logger", "message"}
    assert (line["level"], line["logger"], line["message"]) == (
        "INFO",
        "recruitment.applications.notifications",
        "sent 3 reminders",
    )
    assert datetime.fromisoformat(line["timestamp"]).utcoffset() == timedelta(0)


def test_an_exception_is_kept_on_its_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = formatted(record)
    assert "RuntimeError: boom" in line["exc_info"]


def test_gunicorns_access_line_has_method_path_status_and_duration_only():
    """gunicorn's own atoms for a request carrying personal data in its query string, cookie,
    authorization, referrer, user agent and address: only method, path, status and time."""
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/api/v1/applications/?email=amara@example.org",
        "PATH_INFO": "/api/v1/applications/",
        "QUERY_STRING": "email=amara@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_USER_AGENT": "Mozilla/5.0",
        "HTTP_REFERER": "https://example.org/?name=amara",
    }
    request = SimpleNamespace(
        headers=[("AUTHORIZATION", "Token secret-token"), ("COOKIE", "sessionid=abc")]
    )
    response = SimpleNamespace(status="201 Created", headers=[("Content-Type", "x")], sent=99)
    took = timedelta(milliseconds=12, microseconds=345)
    stub = SimpleNamespace(_get_user=lambda environ: None, now=lambda: "[now]")
    atoms = SafeAtoms(GunicornLogger.atoms(stub, response, request, environ, took))
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, ACCESS_LOG_FORMAT, (atoms,), None
    )

    line = formatted(record)

    assert line["message"] == "POST /api/v1/applications/ 201 12ms"
    assert {k: line[k] for k in ("method", "path", "status", "duration_ms")} == {
        "method": "POST",
        "path": "/api/v1/applications/",
        "status": 201,
        "duration_ms": 12.3,
    }


def test_djangos_request_log_has_method_path_and_status_but_no_body_or_query():
    request = RequestFactory().post(
        "/api/v1/applications/?email=amara@example.org",
        data={"statement": "my statement"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token secret-token",
    )
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("tests.production_run.django_request")
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        log_response(
            "Bad Request: %s",
            request.path,
            response=HttpResponse(status=400),
            request=request,
            logger=logger,
        )
    finally:
        logger.removeHandler(handler)

    line = formatted(records[0])
    assert line["message"] == "Bad Request: /api/v1/applications/"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/api/v1/applications/", 400)


def test_a_celery_task_line_has_its_name_and_id_but_not_its_arguments():
    context = {
        "id": "7d1c",
        "name": "recruitment.tasks.send_notification",
        "args": "('amara@example.org',)",
        "kwargs": "{'statement': 'my statement'}",
        "eta": None,
    }
    record = logging.LogRecord(
        "celery.worker.strategy",
        logging.INFO,
        __file__,
        1,
        "Task %(name)s[%(id)s] received",
        (context,),
        None,
    )
    record.data = context

    line = formatted(record)
    assert line["message"] == "Task recruitment.tasks.send_notification[7d1c] received"
    assert (line["task"], line["task_id"]) == ("recruitment.tasks.send_notification", "7d1c")


def test_a_dict_message_does_not_leak_its_contents():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, {"email": "amara@example.org"}, (), None
    )
    assert formatted(record)["message"] == ""


def test_json_lines_through_the_real_configuration():
    """The dictConfig as built, on a stream of our own (the root logger is left alone)."""
    from logging.config import DictConfigurator

    stream = io.StringIO()
    config = logging_config("json")
    formatter = DictConfigurator(config).configure_formatter(config["formatters"]["json"])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.production_run.real")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("first %s", "line")
        logger.info("second line")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(x["level"], x["message"]) for x in lines] == [
        ("WARNING", "first line"),
        ("INFO", "second line"),
    ]


# --- honcho start, end to end ----------------------------------------------------------------


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Honcho:
    """``honcho start`` in its own process group, its output collected line by line."""

    LINE = re.compile(r"^\d\d:\d\d:\d\d (\S+)\s*\| (.*)$")

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - the virtualenv's honcho
            # No .env: this environment only.
            [str(BIN / "honcho"), "start", "--no-colour", "--env", os.devnull],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[tuple[str, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            match = self.LINE.match(raw.rstrip("\n"))
            if match:
                self.lines.append((match[1], match[2]))

    def output(self) -> str:
        return "\n".join(f"{name} | {text}" for name, text in self.lines)

    def json_lines(self, process: str) -> list[dict]:
        return [
            json.loads(text) for name, text in self.lines if name == process and text[:1] == "{"
        ]

    def wait_for(self, predicate, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            assert self.proc.poll() is None, f"honcho exited while waiting for {what}:\n"
            time.sleep(0.2)
        raise AssertionError(f"no {what} within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise
        self._reader.join(timeout=5)


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return int(r.status)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def gone(pid: int) -> bool:
    """Whether the process group honcho started for a process (and its children) is gone."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_honcho_runs_web_worker_and_beat_with_json_logs_and_stops_them_on_sigterm():
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    require(redis_available(), "Redis (REDIS_URL)")
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "config.production",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "INFO",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    due = VacancyFactory(closing_date=timezone.now() - timedelta(minutes=1))
    honcho = Honcho(env)
    try:
        honcho.wait_for(lambda: healthz(port) == 200, "200 from /healthz", timeout=25)
        # A real task, sent from here through Redis, run by the Procfile's worker on the
        # same database.
        closed = close_expired_vacancies.delay().get(timeout=15)
        assert due.pk in closed
        # Stop only once the worker has acknowledged it: an unacknowledged message would be
        # put back on the queue at shutdown (late acks) and run again by the next worker.
        broker = redis.Redis.from_url(settings.REDIS_URL)
        honcho.wait_for(lambda: broker.hlen("unacked") == 0, "the acknowledgement", timeout=10)
        honcho.wait_for(
            lambda: any(x["message"] == "beat: Starting..." for x in honcho.json_lines("beat.1")),
            "'beat: Starting...' from beat",
            timeout=15,
        )
    finally:
        honcho.stop()
        celery_app.control.purge()  # anything beat sent meanwhile is not left for other tests

    output = honcho.output()
    assert Vacancy.objects.get(pk=due.pk).status == "closed"
    # All three started, and all three stopped on SIGTERM without being killed.
    pids = {m[1]: int(m[2]) for m in re.finditer(r"(\w+)\.1 started \(pid=(\d+)\)", output)}
    assert set(pids) == {"web", "worker", "beat"}, output
    for name, pid in pids.items():
        assert re.search(rf"{name}\.1 stopped \(rc=", output), output
        assert gone(pid), f"{name} (pid {pid}) is still running"
    assert "SIGKILL" not in output
    assert honcho.proc.returncode is not None

    # JSON lines from each: gunicorn's access line for the health check, the worker's task,
    # beat's start; every line gunicorn and beat wrote is JSON.
    access = [
        x
        for x in honcho.json_lines("web.1")
        if x["logger"] == "gunicorn.access" and x["path"] == "/healthz" and x["status"] == 200
    ]
    assert access, output
    assert access[0]["method"] == "GET"
    assert access[0]["duration_ms"] >= 0
    assert {"timestamp", "level", "logger", "message", "process"} <= set(access[0])
    assert any(
        x.get("task") == "vacancies.tasks.close_expired_vacancies"
        for x in honcho.json_lines("worker.1")
    ), output
    for process in ("web.1", "beat.1"):
        texts = [text for name, text in honcho.lines if name == process]
        assert texts
        assert all(text[:1] == "{" for text in texts), output


# --- The load test's own pieces ----------------------------------------------------------------


def test_the_framework_floor_endpoint_is_only_in_the_load_tests_urls():
    from django.urls import Resolver404, resolve

    from config.bench_urls import FloorView

    with pytest.raises(Resolver404):
        resolve("/bench/floor/", urlconf="config.urls")
    assert resolve("/bench/floor/", urlconf="config.bench_urls").func.view_class is FloorView
    # Everything else answers as in production.
    assert resolve("/healthz", urlconf="config.bench_urls").url_name == "healthz"


@pytest.mark.django_db
def test_seed_load_test_adds_open_vacancies_once():
    from django.core.management import call_command

    call_command("seed_load_test", vacancies=3, stdout=io.StringIO())
    call_command("seed_load_test", vacancies=3, stdout=io.StringIO())

    vacancies = Vacancy.objects.filter(reference__startswith="LOAD-")
    assert vacancies.count() == 3
    assert {v.status for v in vacancies} == {"open"}
    assert all(v.criteria.filter(kind="essential").count() == 2 for v in vacancies)
