"""The embedded default (SQLite, no services) takes a small burst of simultaneous writes.

The real server (``manage.py runserver``, threaded, as ``make run`` serves) on a SQLite file,
twelve candidates each applying to three vacancies, all at the same moment: before WAL,
immediate transactions and a busy timeout, some answered 500 "database is locked"."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.config.test_production_run import free_port, healthz

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = 12
VACANCIES = 3

SETUP = """
from datetime import timedelta
from django.utils import timezone
from knox.models import AuthToken
from accounts.models import Role, User
from vacancies import services
from vacancies.services import CriterionInput, VacancyInput
hr = User.objects.create_user("hr-burst", "hr@example.org", "x", role=Role.HR, full_name="HR")
vacancies = []
for n in range(%d):
    vacancy = services.vacancy_create(by=hr, data=VacancyInput(
        title="Burst", reference=f"BURST-{n}", department="D", grade="G", location="L",
        description="d", salary_min=1, salary_max=2,
        closing_date=timezone.now() + timedelta(days=5), hiring_manager=hr, panel=[],
        criteria=[CriterionInput(kind="essential", text="C")]))
    vacancies.append(services.vacancy_publish(vacancy_id=vacancy.pk, by=hr))
users = [User.objects.create_user(
    f"c{i}", f"c{i}@example.org", "x", role=Role.CANDIDATE, full_name=f"C {i}")
    for i in range(%d)]
tokens = [[AuthToken.objects.create(u)[1], u.pk] for u in users]
print(json.dumps({"vacancies": [[v.pk, v.criteria.get().pk] for v in vacancies],
                  "tokens": tokens}))
"""


MINE = """
from recruitment.models import Application
print(json.dumps({str(t.user_id): list(Application.objects.filter(candidate=t.user)
                                       .values_list("pk", flat=True))
                  for t in AuthToken.objects.all()}))
"""


def post(request):
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def manage(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        **kwargs,
    )


@pytest.mark.skipif(os.name != "posix", reason="runs the server as a subprocess")
def test_a_burst_of_simultaneous_submissions_on_the_embedded_default_all_succeed(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_LOG_LEVEL="WARNING")
    manage(env, "migrate", "--no-input", "-v0")
    made = json.loads(
        manage(
            env, "shell", "-c", "import json\n" + SETUP % (VACANCIES, CANDIDATES)
        ).stdout.splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while healthz(port) != 200:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        barrier = threading.Barrier(CANDIDATES)
        statuses: list[int] = []

        def submit(token_and_user):
            token = token_and_user[0]
            barrier.wait()
            for vacancy, criterion in made["vacancies"]:
                body = json.dumps(
                    {
                        "vacancy": vacancy,
                        "statement": "I would like this job." * 50,
                        "evidence": [{"criterion": criterion, "text": "Evidence." * 50}],
                        "equality": {"sex": "female", "age_band": "35-44"},
                    }
                ).encode()
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/applications/",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Token {token}",
                    },
                )
                statuses.append(post(request))

        threads = [threading.Thread(target=submit, args=(t,)) for t in made["tokens"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] * CANDIDATES * VACANCIES

        # Then every candidate asks for an adjustment on each application at once: each
        # request reads its application, then writes (the case deferred transactions lose).
        mine = json.loads(
            manage(env, "shell", "-c", "import json\n" + MINE).stdout.splitlines()[-1]
        )
        barrier = threading.Barrier(CANDIDATES)
        asked: list[int] = []

        def ask(token_and_user):
            token, user = token_and_user
            barrier.wait()
            for application in mine[str(user)]:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/applications/{application}/adjustments/",
                    data=json.dumps(
                        {"stage": "interview", "category": "extra_time", "details": "Time."}
                    ).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Token {token}",
                    },
                )
                asked.append(post(request))

        threads = [threading.Thread(target=ask, args=(t,)) for t in made["tokens"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(asked) == [201] * CANDIDATES * VACANCIES
    finally:
        server.terminate()
        server.wait(timeout=10)
    count = manage(
        env,
        "shell",
        "-c",
        "from recruitment.models import Application, EqualityAnswers;"
        "print(Application.objects.count(), EqualityAnswers.objects.count())",
    )
    made_rows = str(CANDIDATES * VACANCIES)
    assert count.stdout.splitlines()[-1].split() == [made_rows, made_rows]
