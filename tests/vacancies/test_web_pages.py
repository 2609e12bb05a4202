"""The vacancy pages reached the wrong way."""

import pytest

from tests.support.clients import page_client

pytestmark = pytest.mark.django_db


def test_an_action_s_address_opened_in_the_browser_says_so_and_changes_nothing(hr, vacancy):
    response = page_client(hr).get(f"/staff/vacancies/{vacancy.pk}/close/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This page cannot be opened directly" in response.content.decode()
    assert "Nothing has been changed." in response.content.decode()
    assert type(vacancy).objects.get(pk=vacancy.pk).status == vacancy.status


def test_the_api_keeps_its_own_405(hr, client_for):
    response = client_for(hr).delete("/api/v1/vacancies/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
