"""Named personas, one per role and relation, and service guards for CI."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ReviewerGrant, Role
from config.celery_app import app as celery_app
from tests.support.clients import api_client
from tests.support.factories import (
    ApplicationFactory,
    UserFactory,
    VacancyFactory,
    set_vacancy_status,
)

pytest_plugins = ("celery.contrib.pytest", "tests.support.workers")

IN_CI = os.environ.get("CI", "").lower() == "true"
# Playwright runs an event loop in the test thread; the ORM calls of the tests are synchronous
# and safe there, but Django refuses ORM calls beside a running event loop unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Under pytest-xdist (``make test`` runs two workers), each worker has its own test
    database (pytest-django adds the worker's suffix) and, here, its own Redis database: the
    cache (throttles, reports) and the Celery broker with it, so one worker's tasks are never
    taken by the other's Celery workers, nor its cache read by the other."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not settings.REDIS_URL:
        return
    base, _, last = settings.REDIS_URL.rstrip("/").rpartition("/")
    root = base if last.isdigit() else settings.REDIS_URL.rstrip("/")
    url = f"{root}/{int(worker.removeprefix('gw')) + 1}"
    settings.REDIS_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    celery_app.conf.broker_url = celery_app.conf.result_backend = url


def require(available: bool, what: str) -> None:
    """Skip locally when a service is missing; under CI=true, fail instead (never skip)."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def hr(db):
    return UserFactory(username="hr", full_name="Priya Shah", role=Role.HR)


@pytest.fixture
def chair(db):
    """The hiring manager of ``vacancy``."""
    return UserFactory(username="chair", full_name="Sam Okafor", role=Role.HIRING_MANAGER)


@pytest.fixture
def panel_member(db):
    """On ``vacancy``'s panel."""
    return UserFactory(username="panel", full_name="Alex Morgan", role=Role.PANEL_MEMBER)


@pytest.fixture
def other_panel_member(db):
    """On ``vacancy``'s panel too."""
    return UserFactory(username="panel2", full_name="Jo Chen", role=Role.PANEL_MEMBER)


@pytest.fixture
def outsider_panel(db):
    """A panel member of another vacancy only."""
    user = UserFactory(username="outsider", full_name="Kim Lee", role=Role.PANEL_MEMBER)
    VacancyFactory(panel=[user])
    return user


@pytest.fixture
def outsider_manager(db):
    """A hiring manager who does not chair ``vacancy``."""
    return UserFactory(username="othermanager", full_name="Lou Reed", role=Role.HIRING_MANAGER)


@pytest.fixture
def candidate(db):
    return UserFactory(
        username="amara", full_name="Amara Mensah", email="amara@example.org", role=Role.CANDIDATE
    )


@pytest.fixture
def other_candidate(db):
    return UserFactory(username="ben", full_name="Ben Hughes", role=Role.CANDIDATE)


@pytest.fixture
def network_reviewer(db, hr):
    """A staff network reviewer whose grant (from ``hr``) is live for 30 more days."""
    user = UserFactory(username="netrev", full_name="Robin Ali", role=Role.NETWORK_REVIEWER)
    ReviewerGrant.objects.create(
        user=user,
        network="Disabled staff network",
        granted_by=hr,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return user


@pytest.fixture
def vacancy(db, chair, panel_member, other_panel_member):
    return VacancyFactory(hiring_manager=chair, panel=[panel_member, other_panel_member])


@pytest.fixture
def application(vacancy, candidate):
    return ApplicationFactory(vacancy=vacancy, candidate=candidate)


@pytest.fixture
def closed(vacancy):
    """The vacancy, closed: its sift can start."""
    return set_vacancy_status(vacancy, "closed")


@pytest.fixture
def eager(monkeypatch):
    """Celery tasks run in this process, as in the embedded default: the on-commit → task →
    e-mail chain is then seen in ``mail.outbox`` (with ``django_capture_on_commit_callbacks``).
    The same chain on a real worker is tested in CI (tests marked ``redis``)."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def client_for():
    """An API client authenticated as a user (token auth, as integrations use)."""
    return api_client


@pytest.fixture
def anon():
    return APIClient()


# --- Browser tests (Debian's Chromium, never a downloaded browser) ---------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    require(
        (ROOT / "static/css/app.css").exists() and (ROOT / "node_modules/axe-core").exists(),
        "the front-end assets (npm ci && npm run build)",
    )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
