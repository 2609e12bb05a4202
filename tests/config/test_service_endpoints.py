"""/healthz and the OpenAPI schema."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(anon):
    response = anon.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "vendor": connection.vendor}
    expected_mode = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "worker"
    assert body["broker"] == {"status": "ok", "mode": expected_mode}


def test_healthz_answers_503_when_the_broker_is_unreachable(anon, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = anon.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["broker"]["status"] == "down"
    assert response.json()["database"]["status"] == "ok"


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/applications/{id}/actions/{action_name}/" in (tmp_path / "s.yml").read_text()


def test_schema_and_docs_are_served_without_a_cdn(anon):
    assert anon.get("/api/schema/").status_code == 200
    docs = anon.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn.jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html
