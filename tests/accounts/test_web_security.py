"""Web security: login throttling (django-axes) on the sign-in page and the token endpoint, the
content security policy (django-csp) that every page keeps, and the production settings
(`check --deploy` clean, secure cookies, HTTPS redirect, no secret with a default)."""

import importlib
import os
import re
import secrets
import string
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client, RequestFactory, override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Role
from config.client_ip import client_ip
from recruitment.monitoring.reports import report_get, report_start
from tests.recruitment.monitoring.test_statistics import PAST, WHITE, finish, people
from tests.support.factories import PASSWORD, UserFactory, VacancyFactory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
WRONG = "not-the-password"


# --- Login throttling ---------------------------------------------------------------------


@pytest.fixture
def amara(db):
    return UserFactory(username="amara", role=Role.CANDIDATE)


@pytest.fixture
def ben(db):
    return UserFactory(username="ben", role=Role.CANDIDATE)


def web_sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def api_sign_in(client, username, password, **extra):
    return client.post(TOKEN, {"username": username, "password": password}, **extra)


def fail(sign_in, client, username, times, **extra):
    return [sign_in(client, username, WRONG, **extra).status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_sign_in_page_for_that_username_and_ip(amara):
    client = Client()
    assert fail(web_sign_in, client, "amara", 5) == [200, 200, 200, 200, 429]

    response = web_sign_in(client, "amara", PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Too many attempts to sign in</h1>' in html
    assert "You can try again in 15 minutes, at " in html
    assert "amara" not in html  # names no account
    assert 890 <= int(response["Retry-After"]) <= 900
    # A locked attempt signs no one in and creates no session.
    assert Session.objects.count() == 0
    assert "sessionid" not in response.cookies
    assert "sessionid" not in client.cookies
    assert client.get("/applications/").status_code == 302  # still asked to sign in


def test_the_lockout_page_is_the_same_whether_the_username_exists_or_not(amara):
    client = Client()
    fail(web_sign_in, client, "amara", 5)
    fail(web_sign_in, client, "nobody-by-this-name", 5)

    known = web_sign_in(client, "amara", PASSWORD)
    unknown = web_sign_in(client, "nobody-by-this-name", PASSWORD)

    def text(response):
        html = response.content.decode()
        return re.sub(
            r'(nonce|value)="[^"]*"', "", html.split('<main class="govuk-main-wrapper"')[1]
        )

    assert known.status_code == unknown.status_code == 429
    assert text(known) == text(unknown)


def test_another_username_from_the_same_ip_and_the_same_username_elsewhere_can_sign_in(amara, ben):
    client = Client()
    fail(web_sign_in, client, "amara", 5)

    assert web_sign_in(Client(), "ben", PASSWORD).status_code == 302
    assert web_sign_in(Client(), "amara", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302
    assert web_sign_in(Client(), "amara", PASSWORD).status_code == 429


def test_a_successful_sign_in_clears_the_count(amara):
    client = Client()
    assert fail(web_sign_in, client, "amara", 4) == [200] * 4
    assert web_sign_in(client, "amara", PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0

    client = Client()
    assert fail(web_sign_in, client, "amara", 4) == [200] * 4  # counting from 0 again
    assert web_sign_in(client, "amara", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(amara):
    client = Client()
    fail(web_sign_in, client, "amara", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert web_sign_in(client, "amara", PASSWORD).status_code == 429
    # Attempts during the lockout do not extend it.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1, seconds=1))

    assert web_sign_in(client, "amara", PASSWORD).status_code == 302


def test_the_failure_limit_and_cool_off_come_from_settings(amara, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    client = Client()
    assert fail(web_sign_in, client, "amara", 3) == [200, 200, 429]
    assert (
        "You can try again in 30 minutes" in web_sign_in(client, "amara", PASSWORD).content.decode()
    )


def test_five_wrong_passwords_lock_the_token_endpoint_with_the_error_envelope(amara):
    client = APIClient()
    assert fail(api_sign_in, client, "amara", 5) == [400, 400, 400, 400, 429]

    response = api_sign_in(client, "amara", PASSWORD)

    assert response.status_code == 429
    assert response.json() == {
        "code": "too_many_attempts",
        "detail": "Too many failed attempts to sign in with this username. "
        "Try again in 15 minutes.",
    }
    assert 890 <= int(response["Retry-After"]) <= 900
    assert not AuthToken.objects.exists()
    assert Session.objects.count() == 0


def test_the_token_endpoint_throttles_per_username_resets_on_success_and_expires(amara, ben):
    client = APIClient()
    fail(api_sign_in, client, "amara", 5)
    assert api_sign_in(client, "ben", PASSWORD).status_code == 200
    assert api_sign_in(client, "amara", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert api_sign_in(client, "amara", PASSWORD).status_code == 200
    assert AccessAttempt.objects.count() == 0
    assert fail(api_sign_in, client, "amara", 4) == [400] * 4


def test_the_page_and_the_token_endpoint_share_one_count(amara):
    fail(web_sign_in, Client(), "amara", 3)
    fail(api_sign_in, APIClient(), "amara", 2)

    assert web_sign_in(Client(), "amara", PASSWORD).status_code == 429
    assert api_sign_in(APIClient(), "amara", PASSWORD).status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(amara):
    client = Client()
    for n in range(5):
        web_sign_in(client, "amara", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert (
        web_sign_in(client, "amara", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code
        == 429
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_load_balancer_the_client_is_the_address_it_forwarded(amara, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()  # every request comes from the load balancer, 127.0.0.1
    for _ in range(5):
        # Whatever the client puts in the header stays left of what the balancer appends.
        web_sign_in(client, "amara", WRONG, HTTP_X_FORWARDED_FOR=f"10.9.9.{_}, 198.51.100.4")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.4"}
    locked = web_sign_in(client, "amara", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4")
    other = web_sign_in(client, "amara", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert (locked.status_code, other.status_code) == (429, 302)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.4", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, "198.51.100.4", "198.51.100.4"),
        (1, "6.6.6.6, 198.51.100.4", "198.51.100.4"),
        (2, "6.6.6.6, 198.51.100.4, 10.0.0.3", "198.51.100.4"),
        (2, "198.51.100.4", "198.51.100.4"),
        (1, "not-an-address", "192.0.2.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- Content security policy --------------------------------------------------------------

DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response):
    header = response["Content-Security-Policy"]
    return dict([*part.strip().split(" ", 1), ""][:2] for part in header.split(";") if part.strip())


def staff_client(user):
    client = Client()
    client.force_login(user)
    return client


def published_campaign():
    """A filled campaign of last reporting year but one (2024-25, ended), so the dashboard
    has published figures to draw: 20 people appointed."""
    campaign = VacancyFactory(title="Care Worker")
    people(campaign, WHITE, "appointed", 20)
    return finish(campaign, year=PAST)


@pytest.fixture
def pages(db, hr, candidate, vacancy):
    published_campaign()
    report = report_start(owner_id=hr.pk, preset="nhs", selection={})
    anonymous, as_candidate, as_hr = Client(), staff_client(candidate), staff_client(hr)
    # The dashboard draws its chart (its markup is checked too).
    dashboard = as_hr.get("/staff/monitoring/?characteristic=ethnicity_group")
    assert '<svg role="img"' in dashboard.content.decode()
    locked_out = Client()
    fail(web_sign_in, locked_out, "someone", 5)
    return [
        (anonymous, "/"),
        (anonymous, "/jobs/"),
        (anonymous, f"/jobs/{vacancy.pk}/"),
        (anonymous, LOGIN),
        (anonymous, "/accounts/register/"),
        (anonymous, "/accessibility/"),
        (anonymous, "/privacy/"),
        (anonymous, "/no-such-page/"),
        (as_candidate, f"/jobs/{vacancy.pk}/apply/"),
        (as_candidate, "/applications/"),
        (as_hr, "/staff/vacancies/"),
        (as_hr, "/staff/monitoring/?characteristic=ethnicity_group"),
        (as_hr, f"/staff/monitoring/reports/{report}/"),
        (as_candidate, "/staff/vacancies/"),  # 403 page
        (locked_out, LOGIN),  # the lockout page, on a POST
    ]


DATA_BLOCK = '<script type="application/ld+json">'


def test_every_page_carries_the_policy_with_the_nonce_of_its_one_inline_script(pages):
    nonces = set()
    for client, url in pages:
        if client is pages[-1][0]:
            response = web_sign_in(client, "someone", WRONG)
        else:
            response = client.get(url)
        html = response.content.decode()
        assert response["Content-Type"].startswith("text/html"), url
        found = policy(response)
        assert {k: found.get(k) for k in DIRECTIVES} == DIRECTIVES, url
        nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]+)'", found["script-src"]).group(1)
        nonces.add(nonce)
        scripts = re.findall(r"<script\b[^>]*>", html)
        # A job page's JSON-LD for search engines is a data block, never run: no nonce.
        inline = [s for s in scripts if "src=" not in s and s != DATA_BLOCK]
        assert inline == [f'<script nonce="{nonce}">'], url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "javascript:" not in html, url
    assert len(nonces) == len(pages)  # a fresh nonce a response


def test_only_the_api_docs_pages_widen_the_policy(db):
    client = Client()
    swagger = client.get("/api/docs/")
    found = policy(swagger)
    nonce = re.search(r"'nonce-([^']+)'", found["script-src"]).group(1)
    assert found["style-src"] == f"'self' 'nonce-{nonce}'"
    assert "unsafe" not in swagger["Content-Security-Policy"]
    html = swagger.content.decode()
    assert f'<style nonce="{nonce}">' in html
    assert not [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()

    redoc = policy(client.get("/api/redoc/"))
    assert redoc["style-src"] == "'self' 'unsafe-inline'"
    assert redoc["script-src"] == "'self'"
    assert "fonts.googleapis.com" not in client.get("/api/redoc/").content.decode()

    browsable = client.get("/api/v1/vacancies/", HTTP_ACCEPT="text/html")
    assert policy(browsable)["style-src"] == "'self' 'unsafe-inline'"
    assert policy(browsable)["script-src"] == "'self'"
    assert policy(client.get("/"))["style-src"] == "'self'"


# --- Production settings ------------------------------------------------------------------


def production_env(**overrides):
    key = "".join(
        secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50)
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ROOT),
        "DJANGO_SETTINGS_MODULE": "config.production",
        "DJANGO_SECRET_KEY": key,
        "DJANGO_ALLOWED_HOSTS": "recruitment.example.gov.uk",
        "DATABASE_URL": "postgres://recruitment:secret@db.invalid:5432/recruitment",
        "REDIS_URL": "redis://cache.invalid:6379/0",
    }
    env.update(overrides)
    return env


def manage(*args, env):
    return subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_the_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "variable", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"]
)
def test_production_will_not_start_without(variable):
    # Blank rather than absent, so that a developer's .env cannot fill it in.
    result = manage("check", env=production_env(**{variable: ""}))
    assert result.returncode != 0
    assert f"Set the {variable} environment variable" in result.stderr


def test_production_refuses_the_insecure_local_key():
    from config.settings import INSECURE_DEFAULT_SECRET_KEY

    result = manage("check", env=production_env(DJANGO_SECRET_KEY=INSECURE_DEFAULT_SECRET_KEY))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is the insecure local key" in result.stderr


def test_the_throttling_and_session_settings_come_from_the_environment():
    env = production_env(
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_COOLOFF_MINUTES="30",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_SESSION_COOKIE_AGE="3600",
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    code = (
        "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME,"
        " s.TRUSTED_PROXY_COUNT, s.SESSION_COOKIE_AGE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = manage("shell", "-c", code, env=env)
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line.split() == ["3", "0:30:00", "1", "3600", "600", "False"], result.stderr


@pytest.fixture
def production(monkeypatch):
    """The production settings module, loaded in this process with a realistic environment."""
    for name, value in production_env().items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("config.production", None)
    module = importlib.import_module("config.production")
    yield module
    sys.modules.pop("config.production", None)


HTTPS_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
]


def test_production_cookies_and_headers(production):
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_SAMESITE == production.CSRF_COOKIE_SAMESITE == "Lax"
    assert production.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production.SECURE_HSTS_SECONDS == 365 * 24 * 60 * 60
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.SECURE_REFERRER_POLICY == "same-origin"
    assert production.SECURE_CROSS_ORIGIN_OPENER_POLICY == "same-origin"
    assert production.X_FRAME_OPTIONS == "DENY"
    assert production.ALLOWED_HOSTS == ["recruitment.example.gov.uk"]


def test_behind_the_load_balancer_only_plain_http_is_redirected(production, amara):
    with override_settings(**{name: getattr(production, name) for name in HTTPS_SETTINGS}):
        client = Client()
        plain = client.get("/jobs/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/jobs/"

        https = client.get("/jobs/", HTTP_X_FORWARDED_PROTO="https")
        assert https.status_code == 200
        assert https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert https["X-Frame-Options"] == "DENY"
        assert https["X-Content-Type-Options"] == "nosniff"
        assert https["Referrer-Policy"] == "same-origin"
        assert https["Cross-Origin-Opener-Policy"] == "same-origin"

        # The load balancer's health check comes over plain HTTP.
        assert client.get("/healthz").status_code in {200, 503}

        signed_in = web_sign_in(client, "amara", PASSWORD, HTTP_X_FORWARDED_PROTO="https")
        assert signed_in.status_code == 302
        cookie = signed_in.cookies["sessionid"]
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["max-age"] == 8 * 60 * 60


# --- In a browser -------------------------------------------------------------------------

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_keep_to_the_policy_and_govuk_frontend_still_starts(page, live_server):
    from playwright.sync_api import expect

    hr = UserFactory(username="hr", role=Role.HR)
    UserFactory(username="amara", role=Role.CANDIDATE)
    vacancy = VacancyFactory(title="Senior Social Worker")
    published_campaign()
    report = report_start(owner_id=hr.pk, preset="nhs", selection={})

    console = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(WATCH_VIOLATIONS)
    base = live_server.url
    seen = {}

    def visit(path, govuk=True):
        console.clear()
        page.goto(base + path)
        page.wait_for_load_state("load")
        if govuk:
            # The nonced inline script ran, and GOV.UK Frontend's module initialised.
            assert page.evaluate("document.body.classList.contains('js-enabled')"), path
            assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), (
                path
            )
            expect(page.locator("[data-module=govuk-header]")).to_have_attribute(
                "data-govuk-header-init", ""
            )
        seen[path] = check(path)

    def check(path):
        violations = page.evaluate("window.__csp")
        refused = [m for m in console if "Refused to" in m or "Content Security Policy" in m]
        return violations + refused

    def sign_in(username):
        page.context.clear_cookies()
        visit(LOGIN)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")
        seen[f"after signing in as {username}"] = check(LOGIN)

    visit("/")
    visit("/jobs/")
    visit(f"/jobs/{vacancy.pk}/")
    visit("/accounts/register/")
    sign_in("amara")
    visit(f"/jobs/{vacancy.pk}/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your statement and evidence")

    sign_in("hr")
    visit("/staff/vacancies/")
    visit("/staff/monitoring/?characteristic=ethnicity_group")
    assert page.locator("svg[role=img] rect").count() > 0

    # The report page polls its progress from a script file (no inline script).
    visit(f"/staff/monitoring/reports/{report}/")
    from django.core.cache import cache

    from recruitment.monitoring.reports import _key

    state = report_get(report)
    cache.set(_key(report), {**state, "progress": 40})
    expect(page.locator("#progress-text")).to_have_text("40% done", timeout=10_000)
    seen["report polling"] = check("report polling")

    visit("/api/docs/", govuk=False)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Inclusive recruitment service API", timeout=15_000
    )
    assert page.locator(".swagger-ui .opblock").count() > 10
    seen["/api/docs/ rendered"] = check("/api/docs/")

    assert {path: found for path, found in seen.items() if found} == {}


def test_production_asks_staff_with_a_password_for_a_second_factor(production):
    from config import settings as embedded

    assert production.STAFF_SECOND_FACTOR is True
    assert embedded.STAFF_SECOND_FACTOR is False  # the demo logins work as they are
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert production.OIDC_ENABLED is False  # until configured
