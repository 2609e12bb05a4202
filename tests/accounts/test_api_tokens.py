"""API tokens (django-rest-knox): a new token at each sign-in, stored only as a digest,
expiring after API_TOKEN_DAYS, revoked by signing out (one or all) and by deactivation."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(username="amara"):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def as_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_after_thirty_days_and_is_stored_only_as_a_digest(candidate):
    before = timezone.now()
    answer = sign_in()

    token = answer["token"]
    assert len(token) == 64
    assert set(token) <= set("0123456789abcdef")
    stored = AuthToken.objects.get(user=candidate)
    expiry = stored.expiry
    assert before + timedelta(days=30) <= expiry <= timezone.now() + timedelta(days=30)
    assert answer["expiry"].startswith(expiry.date().isoformat())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        row = cursor.fetchone()
    assert token not in [str(v) for v in row]  # only the first 15 characters and a digest
    assert as_token(token).get("/api/v1/auth/me/").json()["username"] == "amara"


def test_an_expired_token_is_refused_and_deleted(candidate):
    token = sign_in()["token"]
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    response = as_token(token).get("/api/v1/auth/me/")

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert not AuthToken.objects.exists()


def test_signing_out_revokes_that_token_and_signing_out_everywhere_revokes_all(candidate):
    first, second, third = (sign_in()["token"] for _ in range(3))

    assert as_token(first).post("/api/v1/auth/logout/").status_code == 204
    assert as_token(first).get("/api/v1/auth/me/").status_code == 401
    assert as_token(second).get("/api/v1/auth/me/").status_code == 200
    assert as_token(second).post("/api/v1/auth/logout-all/").status_code == 204

    assert as_token(second).get("/api/v1/auth/me/").status_code == 401
    assert as_token(third).get("/api/v1/auth/me/").status_code == 401
    assert AuthToken.objects.count() == 0


def test_a_deactivated_account_s_tokens_stop_at_once(candidate):
    token = sign_in()["token"]
    type(candidate).objects.filter(pk=candidate.pk).update(is_active=False)

    assert as_token(token).get("/api/v1/auth/me/").status_code == 401


def test_the_readme_s_first_call_still_works(candidate, vacancy):
    """``POST /auth/token/``, then ``Authorization: Token <token>``."""
    token = sign_in()["token"]

    response = as_token(token).get("/api/v1/vacancies/")

    assert response.status_code == 200
    assert vacancy.reference in [v["reference"] for v in response.json()["results"]]
