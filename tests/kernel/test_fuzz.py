"""Fuzz the API from its own OpenAPI schema (schemathesis) as each role and as nobody: no
request, however malformed, answers 5xx, and every answer is one the schema documents (its
status, its media type, its body, its headers); invalid input is refused, a missing required
header too, an undocumented method answers 405, and an operation that needs credentials
refuses a request without them.

Bounded: schemathesis' coverage phase (every parameter's edges and invalid values, each case
sent as one identity in turn) and at most ``MAX_EXAMPLES`` fuzzed cases an operation (each
sent as every identity). The module prints how many cases and calls it made."""

import collections
import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from accounts.models import Role
from config.wsgi import application
from tests.support.factories import (
    ApplicationFactory,
    PositiveActionPlanFactory,
    UserFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db

#: Fuzzed examples an operation: 8 keeps this near 30 s; FUZZ_MAX_EXAMPLES=100 for a deeper run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    ignored_auth,
]
#: None: no credentials at all.
ROLES = [None, Role.HR, Role.HIRING_MANAGER, Role.PANEL_MEMBER, Role.CANDIDATE]

#: What was sent, for the report at the end of the module.
SENT: collections.Counter[str] = collections.Counter()


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    # Loading goes through Django's handler, whose request signals touch the connections.
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django's handler closes the connection at the end of each request, which would end
    the test's transaction (on PostgreSQL: "the connection is closed")."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    if not SENT["cases"]:
        return
    phases = ", ".join(f"{k} {v}" for k, v in SENT.items() if k not in ("cases", "calls"))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(
            f"\nschemathesis: {SENT['cases']} cases generated ({phases}), {SENT['calls']} "
            f"calls as {len(ROLES)} identities; at most {MAX_EXAMPLES} fuzzed examples an "
            "operation"
        )


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def identities(db):
    """Request headers per identity: none, then a token per role, each with a vacancy and an
    application they are involved in."""
    headers = [{}]
    for role in ROLES[1:]:
        user = UserFactory(role=role)
        chair = user if role == Role.HIRING_MANAGER else UserFactory(role=Role.HIRING_MANAGER)
        vacancy = VacancyFactory(
            hiring_manager=chair, panel=[user] if role == Role.PANEL_MEMBER else []
        )
        PositiveActionPlanFactory(vacancy=vacancy)
        ApplicationFactory(
            vacancy=vacancy, candidate=user if role == Role.CANDIDATE else UserFactory()
        )
        headers.append({"Authorization": f"Token {AuthToken.objects.create(user)[1]}"})
    return headers


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_server_error(case, identities):
    phase = case.meta.phase.name.value if case.meta else "explicit"
    SENT["cases"] += 1
    SENT[phase] += 1
    if phase == "coverage":
        # The coverage phase walks every parameter's edges and invalid values, a hundred cases
        # an operation or more: each goes to one identity in turn, so every identity meets
        # every operation's edges without sending each of them five times.
        identities = [identities[SENT[phase] % len(identities)]]
    for headers in identities:
        SENT["calls"] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)


# --- The classes an outside test found, in every parameter of every operation -------------------

#: What an outside tester sent and the service once answered with a 500: JSON nested a
#: thousand deep, NUL and other control characters, numbers and dates past what the database
#: or Python's datetime hold.
HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    "\x01\x1b[31m\r\n",
    "9" * 30,
    str(2**63),
    "-1",
    "1e309",
    "99999-12-31",
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "0000-00-00",
    "ü" * 300,
]
HOSTILE_BODIES = ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000]
HOSTILE_TOKENS = ["\x00", "abc\x00", "\x7f" * 40, "Z" * 4000]


def _operations(api_schema):
    for path, item in api_schema.raw_schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _fill(path, value=None, operation=None):
    """The path with each parameter filled: ``value`` for every one, or a valid value (an
    enum's first, else 1) so the URL resolves to the operation."""
    enums = {
        p["name"]: p["schema"]["enum"][0]
        for p in (operation or {}).get("parameters", [])
        if p["in"] == "path" and "enum" in p.get("schema", {})
    }
    return re.sub(r"\{([^}]+)\}", lambda m: value or str(enums.get(m.group(1), "1")), path)


def test_hostile_values_in_every_parameter_and_body_answer_no_server_error(api_schema, identities):
    """Every query and path parameter of every operation, one hostile value at a time, and
    every body nested a thousand deep, as HR (who may call most operations): never a 5xx,
    and a 4xx is the error envelope."""
    client = Client()
    hr = next(h for h in identities[1:])  # the first role is HR
    sent = 0
    failures = []
    for path, method, operation in _operations(api_schema):
        query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        good = _fill(path, operation=operation)
        calls = [(good, {name: value}, None) for name in query for value in HOSTILE_VALUES]
        if "{" in path:
            calls += [(_fill(path, v), {}, None) for v in ("9" * 30, str(2**63), "%00", "-1")]
        if "requestBody" in operation:
            calls += [(good, {}, body) for body in HOSTILE_BODIES]
        for url, params, body in calls:
            kwargs = {"HTTP_AUTHORIZATION": hr["Authorization"]}
            if body is None:
                response = getattr(client, method)(url, params, **kwargs)
            else:
                response = getattr(client, method)(
                    url, body, content_type="application/json", **kwargs
                )
            sent += 1
            if response.status_code >= 500 or (
                response.status_code >= 400
                and response["Content-Type"].startswith("application/json")
                and "code" not in response.json()
            ):
                failures.append((method, url, params, (body or "")[:20], response.status_code))
    SENT["hostile calls"] += sent
    assert sent > 500
    assert failures == []


def test_a_hostile_token_is_a_401_on_every_operation_that_reads_credentials(api_schema):
    client = Client()
    failures = []
    checked = 0
    for path, method, operation in _operations(api_schema):
        if "401" not in operation["responses"]:
            continue  # signing in and registering read no credentials
        checked += 1
        url = _fill(path, operation=operation)
        for token in HOSTILE_TOKENS:
            response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Token {token}")
            if response.status_code != 401:
                failures.append((method, path, repr(token[:5]), response.status_code))
    assert checked > 30
    assert failures == []
