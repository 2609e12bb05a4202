"""HR manages staff accounts in pages: invite by e-mail with a one-time link, change a role,
deactivate (access and tokens end at once) and reactivate, each change in the account's
history; nobody else reaches these pages; and the second factor staff with a password use."""

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests.support.clients import banner, page_client
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db


def link_in(message):
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def changes_to(user):
    return [
        (entry.actor_id, entry.changes_dict)
        for entry in LogEntry.objects.filter(
            content_type__model="user", object_pk=str(user.pk), action=LogEntry.Action.UPDATE
        ).order_by("pk")
    ]


def test_hr_invites_someone_who_sets_a_password_with_the_one_time_link_and_signs_in(
    hr, eager, django_capture_on_commit_callbacks
):
    client = page_client(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/people/invite/",
            {
                "full_name": "Nia Jones",
                "email": "Nia.Jones@council.example",
                "role": "panel_member",
            },
        )
    nia = User.objects.get(email="Nia.Jones@council.example")

    assert response.status_code == 302
    assert (nia.username, nia.role, nia.has_usable_password()) == (
        "nia.jones@council.example",
        Role.PANEL_MEMBER,
        False,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["Nia.Jones@council.example"], "You have been invited to the recruitment service")
    ]
    people = client.get("/staff/people/?status=invited").content.decode()
    assert "Nia Jones" in people
    assert "Never" in people

    link = link_in(mail.outbox[0])
    browser = Client()
    assert "Set up your account" in browser.get(link).content.decode()
    browser.post(link, {"password": "a-long-passphrase-2031"})
    again = browser.post(link, {"password": "another-long-passphrase-2032"})

    nia.refresh_from_db()
    assert nia.check_password("a-long-passphrase-2031")
    assert nia.email_confirmed
    assert again.status_code == 400  # the link worked once
    signed_in = Client().post(
        "/accounts/login/",
        {"username": "nia.jones@council.example", "password": "a-long-passphrase-2031"},
    )
    assert signed_in.status_code == 302


def test_a_role_change_is_made_by_hr_and_kept_in_the_account_s_history(hr, panel_member):
    client = page_client(hr)

    client.post(f"/staff/people/{panel_member.pk}/role/", {"role": "hiring_manager"})

    assert User.objects.get(pk=panel_member.pk).role == Role.HIRING_MANAGER
    assert changes_to(panel_member) == [(hr.pk, {"role": ["panel_member", "hiring_manager"]})]
    page = client.get(f"/staff/people/{panel_member.pk}/").content.decode()
    assert "Role changed from panel member to hiring manager" in page
    assert hr.full_name in page


def test_deactivating_asks_first_then_ends_the_session_and_the_tokens_at_once(hr, chair):
    their_browser = page_client(chair)
    token = (
        APIClient()
        .post(
            "/api/v1/auth/token/", {"username": chair.username, "password": PASSWORD}, format="json"
        )
        .json()["token"]
    )
    client = page_client(hr)

    asked = client.post(f"/staff/people/{chair.pk}/deactivate/")
    assert "Deactivate this account?" in asked.content.decode()
    assert User.objects.get(pk=chair.pk).is_active  # nothing yet
    done = client.post(f"/staff/people/{chair.pk}/deactivate/", {"confirm": "yes"})

    assert banner(done) == ["Account deactivated. They can no longer sign in or use the API."]
    assert not User.objects.get(pk=chair.pk).is_active
    assert their_browser.get("/staff/vacancies/").status_code == 302  # to sign in
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/auth/me/").status_code == 401
    assert not AuthToken.objects.filter(user=chair).exists()
    assert changes_to(chair) == [(hr.pk, {"is_active": ["True", "False"]})]

    client.post(f"/staff/people/{chair.pk}/reactivate/")
    assert User.objects.get(pk=chair.pk).is_active


def test_hr_cannot_lock_themselves_out(hr):
    client = page_client(hr)

    client.post(f"/staff/people/{hr.pk}/deactivate/", {"confirm": "yes"})
    response = client.post(f"/staff/people/{hr.pk}/role/", {"role": "panel_member"})

    assert banner(response)[-1] == "You cannot change your own role: ask another HR user."
    hr.refresh_from_db()
    assert (hr.is_active, hr.role) == (True, Role.HR)


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_only_hr_reaches_the_staff_pages(persona, request, panel_member):
    client = page_client(request.getfixturevalue(persona))

    for url in ("/staff/people/", "/staff/people/invite/", f"/staff/people/{panel_member.pk}/"):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(f"/staff/people/{panel_member.pk}/deactivate/", {"confirm": "yes"}).status_code
        == 403
    )
    assert User.objects.get(pk=panel_member.pk).is_active


def test_a_candidate_is_not_a_staff_account_here(hr, candidate):
    client = page_client(hr)
    assert client.get(f"/staff/people/{candidate.pk}/").status_code == 404
    assert client.post(f"/staff/people/{candidate.pk}/role/", {"role": "hr"}).status_code == 404
    assert User.objects.get(pk=candidate.pk).role == Role.CANDIDATE


def test_an_invitation_to_an_address_with_a_confirmed_account_is_refused(hr, candidate):
    response = page_client(hr).post(
        "/staff/people/invite/",
        {"full_name": "Amara", "email": candidate.email, "role": "hr"},
    )

    assert "This email address already has an account." in response.content.decode()
    assert User.objects.filter(email__iexact=candidate.email).count() == 1


# --- The second factor (STAFF_SECOND_FACTOR, on in production) --------------------------------


def code_for(device):
    return f"{totp(device.bin_key):06d}"


def test_staff_with_a_password_set_up_an_authenticator_before_reaching_anything(
    chair, candidate, settings
):
    settings.STAFF_SECOND_FACTOR = True
    client = page_client(chair)

    blocked = client.get("/staff/vacancies/")
    api = client.get("/api/v1/vacancies/")
    setup = client.get(blocked["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=chair, confirmed=False)
    wrong = client.post("/accounts/two-factor/", {"code": "000000", "next": "/staff/vacancies/"})
    device.throttle_reset()  # django-otp makes the next try wait a moment after a wrong code
    right = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "/staff/vacancies/"}
    )

    assert blocked.status_code == 302
    assert blocked["Location"] == "/accounts/two-factor/?next=/staff/vacancies/"
    assert (api.status_code, api.json()["code"]) == (403, "second_factor_required")
    assert "Set up your authenticator app" in setup
    assert '<svg role="img"' in setup
    assert "The code is not right" in wrong.content.decode()
    assert right["Location"] == "/staff/vacancies/"
    assert client.get("/staff/vacancies/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # Candidates are not asked.
    assert page_client(candidate).get("/applications/").status_code == 200


def test_the_next_sign_in_asks_for_the_code_and_the_api_token_needs_it(chair, settings):
    settings.STAFF_SECOND_FACTOR = True
    device = TOTPDevice.objects.create(user=chair, name="app", confirmed=True)
    client = page_client(chair)

    assert "Enter your code" in client.get("/accounts/two-factor/").content.decode()
    api = APIClient()
    body = {"username": chair.username, "password": PASSWORD}
    without = api.post("/api/v1/auth/token/", body, format="json")
    right = api.post("/api/v1/auth/token/", {**body, "otp": code_for(device)}, format="json")
    wrong = api.post("/api/v1/auth/token/", {**body, "otp": "000000"}, format="json")

    assert (without.status_code, list(without.json()["errors"])) == (400, ["otp"])
    assert wrong.status_code == 400
    assert right.status_code == 200
    assert AuthToken.objects.filter(user=chair).count() == 1


def test_staff_without_a_second_factor_get_no_api_token(chair, settings):
    settings.STAFF_SECOND_FACTOR = True

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": chair.username, "password": PASSWORD}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not AuthToken.objects.exists()


def test_hr_resets_a_lost_second_factor(hr, chair, settings):
    TOTPDevice.objects.create(user=chair, name="app", confirmed=True)
    client = page_client(hr)

    client.post(f"/staff/people/{chair.pk}/reset-second-factor/", {"confirm": "yes"})

    assert not TOTPDevice.objects.filter(user=chair).exists()


def test_a_deactivated_single_sign_on_session_ends_at_once(hr, chair):
    browser = Client()
    browser.force_login(chair, backend="accounts.oidc.StaffOIDCBackend")
    assert browser.get("/staff/vacancies/").status_code == 200

    page_client(hr).post(f"/staff/people/{chair.pk}/deactivate/", {"confirm": "yes"})

    response = browser.get("/staff/vacancies/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_confirmation_page_is_a_page_of_its_own_and_changes_nothing(hr, chair):
    client = page_client(hr)

    page = client.get(f"/staff/people/{chair.pk}/deactivate/")

    assert page.status_code == 200
    assert '<h1 class="govuk-heading-xl">Deactivate this account?</h1>' in page.content.decode()
    assert User.objects.get(pk=chair.pk).is_active
    assert client.get(f"/staff/people/{chair.pk}/reactivate/").status_code == 302
