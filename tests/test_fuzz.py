"""Fuzz the API from its own OpenAPI schema (schemathesis): no request, however malformed,
answers 5xx. Run as each role; a bounded number of examples per operation."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from accounts.models import Role
from config.wsgi import application
from tests.factories import (
    ApplicationFactory,
    PositiveActionPlanFactory,
    UserFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    # Loading goes through Django's handler, whose request signals touch the connections.
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django's handler closes the connection at the end of each request, which would end
    the test's transaction (../shared/stack.md, trap 6)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


ROLES = [Role.HR, Role.HIRING_MANAGER, Role.PANEL_MEMBER, Role.CANDIDATE]


@pytest.fixture
def tokens(db):
    """A token per role, each with a vacancy and an application they are involved in."""
    keys = []
    for role in ROLES:
        user = UserFactory(role=role)
        chair = user if role == Role.HIRING_MANAGER else UserFactory(role=Role.HIRING_MANAGER)
        vacancy = VacancyFactory(
            hiring_manager=chair, panel=[user] if role == Role.PANEL_MEMBER else []
        )
        PositiveActionPlanFactory(vacancy=vacancy)
        ApplicationFactory(
            vacancy=vacancy, candidate=user if role == Role.CANDIDATE else UserFactory()
        )
        keys.append(Token.objects.create(user=user).key)
    return keys


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_answers_a_server_error(case, tokens):
    for key in tokens:
        case.call_and_validate(
            headers={"Authorization": f"Token {key}"}, checks=[not_a_server_error]
        )
