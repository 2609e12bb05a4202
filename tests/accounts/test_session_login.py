"""Session login for the web pages; the API accepts the same session."""

import pytest
from django.test import Client

from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_user_signs_in_with_a_session_and_the_api_knows_them(candidate):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value

    response = browser.post(
        "/accounts/login/",
        {"username": "amara", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    me = browser.get("/api/v1/auth/me/")
    assert me.json() == {
        "id": candidate.pk,
        "username": "amara",
        "full_name": "Amara Mensah",
        "email": "amara@example.org",
        "role": "candidate",
    }


def test_a_wrong_password_is_refused_and_says_so(candidate):
    response = Client().post("/accounts/login/", {"username": "amara", "password": "nope"})

    assert response.status_code == 200
    assert "Enter a correct username and password." in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
