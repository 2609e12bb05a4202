"""Staff single sign-on end to end, against a real OpenID provider (panva's oidc-provider,
certified by the OpenID Foundation) started on loopback for each test, in Chromium: discovery,
the code flow with PKCE and a nonce, the ID token's signature, audience and nonce checked,
roles from a claim, accounts made or linked on first sign-in, refused without a role."""

import base64
import hashlib
import json
import re
import secrets
import shutil
import socket
import subprocess
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import SuspiciousOperation
from playwright.sync_api import expect

from accounts.models import Role, User
from accounts.oidc import StaffOIDCBackend
from tests.conftest import ROOT, require
from tests.support.browser import axe_violations
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "a-client-secret-for-the-tests-only"
ROLE_MAP = {
    "hr": "recruitment-hr",
    "hiring_manager": "recruitment-chair",
    "panel_member": "recruitment-panel",
}
PEOPLE = {
    "alice": {"email": "alice@council.example", "name": "Alice Adams", "roles": ["recruitment-hr"]},
    "bob": {"email": "bob@council.example", "name": "Bob Brown", "roles": ["finance"]},
    "carol": {
        "email": "Carol@Council.example",
        "name": "Carol Chen",
        "roles": ["recruitment-panel", "recruitment-chair"],
    },
    "dev": {"email": "dev@council.example", "name": "Dev Patel", "roles": ["recruitment-panel"]},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def provider(live_server, settings):
    node = shutil.which("node")
    require(
        node is not None and (ROOT / "node_modules/oidc-provider").exists(),
        "node and the oidc-provider package (npm ci)",
    )
    issuer = f"http://127.0.0.1:{free_port()}"
    clients = [
        {
            "client_id": "recruitment",
            "client_secret": SECRET,
            "redirect_uris": [f"{live_server.url}/oidc/callback/"],
            "token_endpoint_auth_method": "client_secret_post",
        },
        {
            "client_id": "another-service",
            "client_secret": "another-secret",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "token_endpoint_auth_method": "client_secret_post",
        },
    ]
    process = subprocess.Popen(  # noqa: S603 - the project's own test provider
        [node, "tests/support/oidc_provider.mjs"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "OIDC_ISSUER": issuer,
            "OIDC_CLIENTS": json.dumps(clients),
            "OIDC_ACCOUNTS": json.dumps(PEOPLE),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 15
    while "listening" not in (process.stdout.readline() or ""):
        assert process.poll() is None, "the provider stopped"
        assert time.monotonic() < deadline, "the provider did not start"
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = "recruitment"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SCOPES = "openid email profile roles"
    settings.OIDC_ROLE_MAP = ROLE_MAP
    yield SimpleNamespace(issuer=issuer, url=live_server.url)
    process.terminate()
    process.wait(timeout=10)


def at_the_provider(page, login):
    """The organisation's sign-in and consent pages (the provider's own)."""
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "their organisation password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def sign_on(page, provider, login):
    """Sign in with the organisation account; return the authorization request's query."""
    page.goto(provider.url + "/accounts/login/")
    with page.expect_request(re.compile(r"/auth\?")) as asked:
        page.get_by_role("link", name="Sign in with your organisation account").click()
    at_the_provider(page, login)
    page.wait_for_url(re.compile(re.escape(provider.url)))
    return parse_qs(urlparse(asked.value.url).query)


def test_a_member_of_hr_signs_on_and_an_account_is_made_with_the_role_from_the_claim(
    page, provider
):
    page.goto(provider.url + "/accounts/login/")
    assert axe_violations(page) == []

    asked = sign_on(page, provider, "alice")

    # The code flow with PKCE (S256) and a nonce, to the provider's discovered endpoint.
    assert asked["response_type"] == ["code"]
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43
    assert len(asked["nonce"][0]) >= 32
    expect(page.get_by_role("link", name="Staff accounts")).to_be_visible()
    alice = User.objects.get(sso_subject="alice")
    assert (alice.email, alice.full_name, alice.role) == (
        "alice@council.example",
        "Alice Adams",
        Role.HR,
    )
    assert alice.email_confirmed
    assert not is_password_usable(alice.password)
    # Signed in for real: a staff page answers.
    page.goto(provider.url + "/staff/people/")
    expect(page.locator("h1")).to_have_text("Staff accounts")


def test_someone_the_claim_gives_no_role_is_refused_and_no_account_is_made(page, provider):
    sign_on(page, provider, "bob")

    assert page.url == f"{provider.url}/accounts/login/?sso=failed"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We could not sign you in with your organisation account."
    )
    assert not User.objects.filter(email__iexact="bob@council.example").exists()
    page.goto(provider.url + "/staff/vacancies/")
    assert "/accounts/login/" in page.url  # not signed in


def test_an_invited_staff_account_is_linked_and_takes_the_widest_role_the_claim_gives(
    page, provider
):
    invited = UserFactory(
        username="carol@council.example",
        email="carol@council.example",
        role=Role.PANEL_MEMBER,
        password="!",  # invited: no password set yet
    )

    sign_on(page, provider, "carol")

    invited.refresh_from_db()
    assert (invited.sso_subject, invited.role) == ("carol", Role.HIRING_MANAGER)
    assert User.objects.filter(email__iexact="carol@council.example").count() == 1


def test_a_candidate_account_with_the_same_address_is_never_taken_over(page, provider):
    candidate = UserFactory(username="dev", email="dev@council.example", role=Role.CANDIDATE)

    sign_on(page, provider, "dev")

    candidate.refresh_from_db()
    assert (candidate.role, candidate.sso_subject) == (Role.CANDIDATE, None)
    staff = User.objects.get(sso_subject="dev")
    assert staff.pk != candidate.pk
    assert staff.role == Role.PANEL_MEMBER
    assert not staff.email_confirmed  # the candidate's account has confirmed the address


def test_staff_signed_on_need_no_second_factor_of_ours(page, provider, settings):
    settings.STAFF_SECOND_FACTOR = True

    sign_on(page, provider, "alice")
    page.goto(provider.url + "/staff/people/")

    expect(page.locator("h1")).to_have_text("Staff accounts")


def _form(html):
    """The one form of a provider page: its action and its hidden fields."""
    action = re.search(r'<form[^>]*action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action, fields


def an_id_token(provider, client_id, client_secret, redirect_uri, nonce):
    """A real ID token from the provider for ``client_id``: the code flow, by hand."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": redirect_uri,
        "state": secrets.token_urlsafe(16),
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    browser = requests.Session()
    sign_in = browser.get(f"{provider.issuer}/auth?{urlencode(query)}", timeout=10)
    action, fields = _form(sign_in.text)
    consent = browser.post(action, data={**fields, "login": "alice", "password": "x"}, timeout=10)
    action, fields = _form(consent.text)
    answer = browser.post(action, data=fields, timeout=10, allow_redirects=False)
    while not answer.headers["Location"].startswith(redirect_uri):
        answer = browser.get(answer.headers["Location"], timeout=10, allow_redirects=False)
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    tokens = browser.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": client_secret,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["id_token"]


def test_the_id_token_must_be_ours_signed_by_the_provider_and_carry_our_nonce(provider):
    ours = an_id_token(provider, "recruitment", SECRET, f"{provider.url}/oidc/callback/", "nonce-1")
    theirs = an_id_token(
        provider, "another-service", "another-secret", "http://127.0.0.1:9/callback", "n2"
    )
    backend = StaffOIDCBackend().configure()

    assert backend.verify_token(ours, nonce="nonce-1")["sub"] == "alice"
    with pytest.raises(SuspiciousOperation, match="InvalidAudienceError"):
        backend.verify_token(theirs, nonce="n2")  # issued to another service
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(ours, nonce="another-nonce")  # not the sign-in we started
    header, payload, signature = ours.split(".")
    forged_payload = (
        base64.urlsafe_b64encode(
            json.dumps(
                {**json.loads(base64.urlsafe_b64decode(payload + "==")), "sub": "mallory"}
            ).encode()
        )
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(f"{header}.{forged_payload}.{signature}", nonce="nonce-1")


def test_with_single_sign_on_off_its_pages_are_not_there(client, settings):
    settings.OIDC_ENABLED = False

    assert client.get("/oidc/start/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "organisation account" not in client.get("/accounts/login/").content.decode()
