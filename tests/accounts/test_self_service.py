"""Candidates look after their own accounts: registering never says whether an address has an
account; an address is confirmed by its e-mailed link before messages go to it; a forgotten
password is reset by e-mail with the same answer whatever the address; registering and
asking for links are throttled; passwords are hashed with Argon2, older hashes upgraded."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import Role, User
from recruitment.applications.notifications import notify
from recruitment.models import Notification
from tests.support.clients import an_address_of_its_own, banner, page_client
from tests.support.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = {
    "username": "newcomer",
    "email": "amara@example.org",
    "password": "a-long-passphrase-2031",
    "full_name": "New Comer",
}


def link_in(message):
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def register(anon, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        return anon.post("/api/v1/auth/register/", {**BODY, **changes}, format="json")


def test_registering_with_an_address_in_use_answers_exactly_as_with_a_new_one(
    anon, candidate, eager, django_capture_on_commit_callbacks
):
    """``candidate`` has confirmed amara@example.org."""
    taken = register(anon, django_capture_on_commit_callbacks)
    fresh = register(
        anon, django_capture_on_commit_callbacks, username="other", email="new@example.org"
    )

    assert (taken.status_code, fresh.status_code) == (201, 201)
    assert (
        set(taken.json()) == set(fresh.json()) == {"id", "username", "full_name", "email", "role"}
    )
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.email_confirmed
    # The address's owner is told someone tried; the new address gets a link to confirm.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["amara@example.org"], "Someone tried to create an account with your email address"),
        (["new@example.org"], "Confirm your email address"),
    ]
    assert f"your username is {candidate.username}" in mail.outbox[0].body
    assert "/accounts/confirm-email/" not in mail.outbox[0].body


def test_the_registration_page_says_the_same_for_both(client, candidate, eager):
    def page(username, email):
        response = Client().post(
            "/accounts/register/",
            {"full_name": "New Comer", "email": email, "username": username,
             "password": "a-long-passphrase-2031"},
            follow=True,
        )  # fmt: skip
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        text = re.sub(r'nonce="[^"]+"', "", text)
        return response.status_code, text.replace(email, "EMAIL")

    assert page("first", "amara@example.org") == page("second", "fresh@example.org")
    assert "Check your email" in page("third", "x@example.org")[1]


def test_the_link_confirms_the_address_once_and_messages_then_go_to_it(
    anon, eager, django_capture_on_commit_callbacks
):
    register(anon, django_capture_on_commit_callbacks)
    user = User.objects.get(username="newcomer")
    application = ApplicationFactory(candidate=user)
    link = link_in(mail.outbox[0])
    browser = Client()

    assert notify(application.pk, "shortlisted") is False  # not confirmed: nothing sent
    assert not Notification.objects.exists()
    shown = browser.get(link)  # a mail scanner opening the link confirms nothing
    assert "Confirm my email address" in shown.content.decode()
    assert not User.objects.get(pk=user.pk).email_confirmed
    done = browser.post(link)
    again = browser.post(link)

    assert "Email address confirmed" in done.content.decode()
    assert User.objects.get(pk=user.pk).email_confirmed
    assert again.status_code == 400  # the link worked once
    assert "expired or has been used" in again.content.decode()
    assert notify(application.pk, "shortlisted") is True
    assert mail.outbox[-1].to == ["amara@example.org"]


def test_an_address_confirmed_on_one_account_cannot_be_confirmed_on_another(
    candidate, eager, django_capture_on_commit_callbacks
):
    from accounts.tokens import confirmation_links, uid_of

    other = UserFactory(username="twin", email="AMARA@example.org", email_confirmed_at=None)
    link = f"/accounts/confirm-email/{uid_of(other)}/{confirmation_links.make_token(other)}/"

    response = Client().post(link)

    assert response.status_code == 400
    assert "already confirmed on another account" in response.content.decode()
    assert not User.objects.get(pk=other.pk).email_confirmed


@pytest.mark.parametrize("email", ["amara@example.org", "nobody@example.org"])
def test_a_password_reset_answers_the_same_whatever_the_address(
    email, anon, candidate, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api = anon.post("/api/v1/auth/password-reset/", {"email": email}, format="json")
        page = Client().post("/accounts/password-reset/", {"email": email})

    assert api.status_code == 202
    assert api.json() == {
        "detail": "If this is the email address of an account, we have sent a link to it to "
        "reset the password."
    }
    assert "we have sent a link to it to reset the password" in page.content.decode()
    sent = [m.to for m in mail.outbox]
    assert sent == ([[email]] * 2 if email == candidate.email else [])


def test_the_reset_link_sets_a_password_once_and_ends_api_tokens(
    anon, candidate, eager, django_capture_on_commit_callbacks
):
    token = anon.post(
        "/api/v1/auth/token/", {"username": "amara", "password": PASSWORD}, format="json"
    ).json()["token"]
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password-reset/", {"email": candidate.email})
    link = link_in(mail.outbox[0])
    browser = Client()

    weak = browser.post(link, {"password": "password"})
    assert "This password is too common." in weak.content.decode()
    assert User.objects.get(pk=candidate.pk).check_password(PASSWORD)
    done = browser.post(link, {"password": "a-new-long-passphrase-77"})
    reused = browser.post(link, {"password": "another-long-passphrase-88"})

    assert "Your password has been changed" in done.content.decode()
    assert reused.status_code == 400
    assert "expired or has been used" in reused.content.decode()
    assert User.objects.get(pk=candidate.pk).check_password("a-new-long-passphrase-77")
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get("/api/v1/auth/me/").status_code == 401


@override_settings(REGISTRATION_LIMIT=2)
def test_registering_is_throttled_per_client():
    address = an_address_of_its_own()
    api = APIClient(REMOTE_ADDR=address)
    answers = [
        api.post("/api/v1/auth/register/", {**BODY, "username": f"u{i}",
                 "email": f"u{i}@example.org"}, format="json")
        for i in range(3)
    ]  # fmt: skip
    page = Client(REMOTE_ADDR=address).post("/accounts/register/", {})
    elsewhere = APIClient(REMOTE_ADDR=an_address_of_its_own()).post(
        "/api/v1/auth/register/", {**BODY, "username": "u9", "email": "u9@example.org"},
        format="json",
    )  # fmt: skip

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["code"] == "too_many_attempts"
    assert re.fullmatch(
        r"Too many attempts from here\. Try again in \d+ minutes?\.", answers[2].json()["detail"]
    )
    assert 1 <= int(answers[2]["Retry-After"]) <= 3600
    assert page.status_code == 429
    assert elsewhere.status_code == 201
    assert User.objects.filter(username__startswith="u").count() == 3


def test_an_unconfirmed_candidate_is_told_on_every_page_and_can_ask_again(
    eager, django_capture_on_commit_callbacks
):
    user = UserFactory(email_confirmed_at=None)
    client = page_client(user)

    page = client.get("/jobs/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/confirm-email/resend/", {"next": "/jobs/"})

    assert "Confirm your email address to get messages about your applications." in page
    assert [m.subject for m in mail.outbox] == ["Confirm your email address"]


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2_and_an_older_hash_is_upgraded_at_sign_in(anon):
    old = UserFactory(username="old", role=Role.CANDIDATE)
    User.objects.filter(pk=old.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    made = User.objects.create_user("made", "made@example.org", PASSWORD, full_name="Made")

    assert made.password.startswith("argon2$argon2id$")
    assert User.objects.get(pk=old.pk).password.startswith("pbkdf2_sha256$")
    response = anon.post(
        "/api/v1/auth/token/", {"username": "old", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert User.objects.get(pk=old.pk).password.startswith("argon2$argon2id$")


def test_asking_for_the_link_again_says_the_same_when_another_account_has_the_address(
    candidate, eager, django_capture_on_commit_callbacks
):
    """``candidate`` has confirmed amara@example.org; a second account uses it too."""
    twin = UserFactory(username="twin", email="amara@example.org", email_confirmed_at=None)
    fresh = UserFactory(username="fresh", email="fresh@example.org", email_confirmed_at=None)

    said = []
    for user in (twin, fresh):
        with django_capture_on_commit_callbacks(execute=True):
            response = page_client(user).post("/accounts/confirm-email/resend/", follow=True)
        said.append(banner(response)[-1].replace(user.email, "ADDRESS"))

    assert said == ["We have sent a new link to ADDRESS."] * 2
    assert [m.to for m in mail.outbox] == [["fresh@example.org"]]  # nothing to the twin's


def test_a_username_is_never_an_email_address(anon):
    response = anon.post(
        "/api/v1/auth/register/", {**BODY, "username": "staff@council.example"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["username"]
    assert not User.objects.filter(username="staff@council.example").exists()


def test_a_link_that_does_not_work_says_so_before_a_password_is_typed(candidate):
    from accounts.tokens import uid_of

    for kind in ("reset", "invitation"):
        response = Client().get(f"/accounts/{kind}/{uid_of(candidate)}/not-a-token/")
        assert response.status_code == 400
        assert "This link has expired or has been used already." in response.content.decode()
        assert 'type="password"' not in response.content.decode()


def test_no_reset_link_goes_to_an_account_that_signs_in_with_single_sign_on(
    hr, anon, eager, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=hr.pk).update(sso_subject="entra-123")

    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post("/api/v1/auth/password-reset/", {"email": hr.email}, format="json")

    assert response.status_code == 202
    assert mail.outbox == []


def test_the_throttle_counts_an_ipv6_network_as_one_client():
    from types import SimpleNamespace

    from accounts.throttle import _client

    def request(address):
        return SimpleNamespace(META={"REMOTE_ADDR": address})

    assert _client(request("2001:db8:1:2:aaaa::1")) == _client(request("2001:db8:1:2:bbbb::9"))
    assert _client(request("2001:db8:1:3::1")) != _client(request("2001:db8:1:2::1"))
    assert _client(request("192.0.2.7")) == "192.0.2.7"
