"""Bad input on every write endpoint: 400 ``{"code": "invalid", "detail", "errors": {field:
[...]}}`` naming the field, never a 500, and nothing written (docs/api.md "Errors")."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User
from adjustments.models import AdjustmentRequest
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    EqualityAnswers,
    Evidence,
    GuaranteeDeclaration,
    OfferDecision,
    PositiveActionDeclaration,
    Score,
)
from tests.support.clients import api_client as client_as
from tests.support.factories import (
    PASSWORD,
    VacancyFactory,
    set_state,
    set_vacancy_status,
)
from vacancies.models import Criterion, PositiveActionPlan, Vacancy

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    AuthToken,
    Vacancy,
    Criterion,
    PositiveActionPlan,
    Application,
    Evidence,
    GuaranteeDeclaration,
    PositiveActionDeclaration,
    EqualityAnswers,
    Score,
    AgreedAssessment,
    AgreedScore,
    OfferDecision,
    AdjustmentRequest,
    StateLog,
)
FUTURE = timezone.now() + timedelta(days=30)


def snapshot():
    """Row counts of every table a write could touch, and the state of every row that has
    one: equal snapshots mean nothing was written."""
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "applications": sorted(
            Application.objects.values_list("pk", "state", "furthest_stage", "interview_at")
        ),
        "vacancies": sorted(Vacancy.objects.values_list("pk", "status", "title")),
        "adjustments": sorted(
            AdjustmentRequest.objects.values_list("pk", "state", "arrangement", "decline_reason")
        ),
        "users": sorted(User.objects.values_list("pk", "username", "email", "password")),
    }


def assert_invalid(response, field, messages=None, *, only=True):
    """400 with the error envelope naming ``field``; ``messages`` exactly when given."""
    assert response.status_code == 400, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}
    assert body["code"] == "invalid"
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert field in body["errors"], body["errors"]
    if only:
        assert set(body["errors"]) == {field}, body["errors"]
    if messages is not None:
        assert body["errors"][field] == messages
    return body["errors"][field]


def assert_conflict(response, code):
    assert response.status_code == 409, (response.status_code, response.content)
    assert set(response.json()) == {"code", "detail"}
    assert response.json()["code"] == code
    return response.json()["detail"]


# --- Accounts -------------------------------------------------------------------------------

REGISTER = {
    "username": "newcomer",
    "email": "newcomer@example.org",
    "password": "a-long-unusual-passphrase",
    "full_name": "Nia Newcomer",
}


def test_the_base_registration_is_valid(anon):
    response = anon.post("/api/v1/auth/register/", REGISTER, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "candidate"


@pytest.mark.parametrize(
    ("change", "field", "messages"),
    [
        ({"password": "password"}, "password", ["This password is too common."]),
        (
            {"password": "12345678"},
            "password",
            ["This password is too common.", "This password is entirely numeric."],
        ),
        (
            {"password": "x7$k"},
            "password",
            ["This password is too short. It must contain at least 8 characters."],
        ),
        (
            {"password": "newcomer1"},
            "password",
            ["The password is too similar to the username."],
        ),
        ({"password": None}, "password", ["This field may not be null."]),
        ({"email": None}, "email", ["This field may not be null."]),
        ({"email": "not-an-email"}, "email", ["Enter a valid email address."]),
        # An address in use is not refused: the answer never says whether an address has an
        # account (tests/accounts/test_self_service.py).
        ({"username": "amara"}, "username", ["That username is taken: choose another."]),
        ({"username": "Amara"}, "username", ["That username is taken: choose another."]),
        ({"username": "has space"}, "username", None),
        ({"username": ""}, "username", ["This field may not be blank."]),
        ({"full_name": ["Nia"]}, "full_name", ["Not a valid string."]),
    ],
)
def test_registration_refuses_bad_input(change, field, messages, anon, candidate):
    before = snapshot()
    response = anon.post("/api/v1/auth/register/", REGISTER | change, format="json")
    assert_invalid(response, field, messages)
    assert snapshot() == before


@pytest.mark.parametrize("missing", ["username", "email", "password", "full_name"])
def test_registration_names_a_missing_field(missing, anon):
    body = {k: v for k, v in REGISTER.items() if k != missing}
    response = anon.post("/api/v1/auth/register/", body, format="json")
    assert_invalid(response, missing, ["This field is required."])
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field", "messages"),
    [
        (
            {"username": "amara", "password": "wrong-password"},
            "non_field_errors",
            ["Unable to log in with provided credentials."],
        ),
        (
            {"username": "nobody", "password": PASSWORD},
            "non_field_errors",
            ["Unable to log in with provided credentials."],
        ),
        ({"username": "amara"}, "password", ["This field is required."]),
        ({"password": PASSWORD}, "username", ["This field is required."]),
        ({"username": "amara", "password": ""}, "password", ["This field may not be blank."]),
    ],
)
def test_a_token_needs_good_credentials(body, field, messages, anon, candidate):
    before = snapshot()
    response = anon.post("/api/v1/auth/token/", body, format="json")
    assert_invalid(response, field, messages)
    assert snapshot() == before
    assert AuthToken.objects.count() == 0


# --- Vacancies ------------------------------------------------------------------------------


@pytest.fixture
def vacancy_body(chair, panel_member):
    return {
        "title": "Team Manager",
        "reference": "TM-2026-001",
        "department": "Children's Services",
        "grade": "P4",
        "location": "Ely",
        "description": "Lead a team.",
        "salary_min": 45000,
        "salary_max": 49000,
        "closing_date": FUTURE.isoformat(),
        "hiring_manager": chair.pk,
        "panel": [panel_member.pk],
        "criteria": [
            {"kind": "essential", "text": "Registration"},
            {"kind": "desirable", "text": "Court work"},
        ],
        "pass_mark": 2,
        "minimum_criteria_rule": "all_essential_at_pass_mark",
        "interview_guarantees": ["disability_confident"],
        "positive_action": {
            "characteristic": "ethnicity_group",
            "groups": ["black", "asian"],
            "evidence": "22% at this grade vs 38% locally.",
        },
    }


def test_the_base_vacancy_is_valid(hr, vacancy_body, client_for):
    response = client_for(hr).post("/api/v1/vacancies/", vacancy_body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"


def without(key):
    return lambda body, users: {k: v for k, v in body.items() if k != key}


def setting(**changes):
    return lambda body, users: body | changes


VACANCY_CASES = [
    ("missing title", without("title"), "title", ["This field is required."]),
    ("blank title", setting(title="  "), "title", ["This field may not be blank."]),
    (
        "long title",
        setting(title="x" * 201),
        "title",
        ["Ensure this field has no more than 200 characters."],
    ),
    (
        "no essential criterion",
        setting(criteria=[{"kind": "desirable", "text": "Court work"}]),
        "criteria",
        ["At least one essential criterion is needed."],
    ),
    (
        "no criteria",
        setting(criteria=[]),
        "criteria",
        ["Ensure this field has at least 1 elements."],
    ),
    ("missing criteria", without("criteria"), "criteria", ["This field is required."]),
    (
        "criterion kind",
        setting(criteria=[{"kind": "nice_to_have", "text": "Tea"}]),
        "criteria",
        {"0": {"kind": ['"nice_to_have" is not a valid choice.']}},
    ),
    (
        "salary_min above salary_max",
        setting(salary_min=50000, salary_max=45000),
        "salary_max",
        ["Must be at least the minimum salary."],
    ),
    (
        "salary not a number",
        setting(salary_min="lots"),
        "salary_min",
        ["A valid integer is required."],
    ),
    (
        "negative salary",
        setting(salary_min=-1),
        "salary_min",
        ["Ensure this value is greater than or equal to 0."],
    ),
    (
        "closing date in the past",
        setting(closing_date=(timezone.now() - timedelta(days=1)).isoformat()),
        "closing_date",
        ["The closing date must be in the future."],
    ),
    ("closing date garbage", setting(closing_date="next tuesday"), "closing_date", None),
    (
        "unknown scheme",
        setting(interview_guarantees=["bogus"]),
        "interview_guarantees",
        {"0": ['"bogus" is not a valid choice.']},
    ),
    (
        "scheme twice",
        setting(interview_guarantees=["care_leaver", "care_leaver"]),
        "interview_guarantees",
        ["A scheme is listed twice."],
    ),
    (
        "pass mark 5",
        setting(pass_mark=5),
        "pass_mark",
        ["Ensure this value is less than or equal to 4."],
    ),
    (
        "pass mark -1",
        setting(pass_mark=-1),
        "pass_mark",
        ["Ensure this value is greater than or equal to 0."],
    ),
    (
        "bad minimum criteria rule",
        setting(minimum_criteria_rule="most_of_them"),
        "minimum_criteria_rule",
        ['"most_of_them" is not a valid choice.'],
    ),
    (
        "hiring manager is a candidate",
        lambda body, users: body | {"hiring_manager": users["candidate"].pk},
        "hiring_manager",
        ["The hiring manager must be a hiring manager or HR user."],
    ),
    (
        "hiring manager is a panel member",
        lambda body, users: body | {"hiring_manager": users["panel_member"].pk},
        "hiring_manager",
        ["The hiring manager must be a hiring manager or HR user."],
    ),
    (
        "hiring manager id abc",
        setting(hiring_manager="abc"),
        "hiring_manager",
        ["Incorrect type. Expected pk value, received str."],
    ),
    (
        "hiring manager does not exist",
        setting(hiring_manager=987654321),
        "hiring_manager",
        ['Invalid pk "987654321" - object does not exist.'],
    ),
    (
        "hiring manager id out of range",
        setting(hiring_manager=2**70),
        "hiring_manager",
        [f'Invalid pk "{2**70}" - object does not exist.'],
    ),
    ("missing hiring manager", without("hiring_manager"), "hiring_manager", None),
    (
        "panel member is a candidate",
        lambda body, users: body | {"panel": [users["panel_member"].pk, users["candidate"].pk]},
        "panel",
        None,  # the message names the candidate's id: checked below
    ),
    (
        "panel not a list",
        setting(panel="everyone"),
        "panel",
        ['Expected a list of items but got type "str".'],
    ),
    (
        "positive action groups of another characteristic",
        setting(
            positive_action={"characteristic": "sex", "groups": ["black"], "evidence": "Data."}
        ),
        "positive_action",
        ["Groups ['black'] are not groups of sex: one of ['female', 'male']."],
    ),
    (
        "positive action unknown group",
        setting(
            positive_action={
                "characteristic": "ethnicity_group",
                "groups": ["black", "martian"],
                "evidence": "Data.",
            }
        ),
        "positive_action",
        [
            "Groups ['martian'] are not groups of ethnicity_group: one of "
            "['white', 'mixed', 'asian', 'black', 'other']."
        ],
    ),
    (
        "positive action unknown characteristic",
        setting(
            positive_action={"characteristic": "eye_colour", "groups": ["blue"], "evidence": "x"}
        ),
        "positive_action",
        {"characteristic": ['"eye_colour" is not a valid choice.']},
    ),
    (
        "positive action without groups",
        setting(positive_action={"characteristic": "sex", "groups": [], "evidence": "Data."}),
        "positive_action",
        {"groups": ["Ensure this field has at least 1 elements."]},
    ),
    (
        "positive action without evidence",
        setting(positive_action={"characteristic": "sex", "groups": ["female"], "evidence": " "}),
        "positive_action",
        {"evidence": ["This field may not be blank."]},
    ),
]


@pytest.mark.parametrize(
    ("change", "field", "messages"),
    [case[1:] for case in VACANCY_CASES],
    ids=[case[0] for case in VACANCY_CASES],
)
def test_vacancy_create_refuses_bad_input(
    change, field, messages, hr, candidate, panel_member, vacancy_body, client_for
):
    users = {"candidate": candidate, "panel_member": panel_member}
    client = client_for(hr)
    before = snapshot()

    response = client.post("/api/v1/vacancies/", change(vacancy_body, users), format="json")

    errors = assert_invalid(response, field, messages)
    if field == "panel" and messages is None:
        assert errors == [f"Panel members must be staff users; these are not: [{candidate.pk}]."]
    assert snapshot() == before


def test_a_vacancy_reference_is_unique(hr, vacancy_body, client_for):
    VacancyFactory(reference="tm-2026-001")
    before = snapshot()
    response = client_for(hr).post("/api/v1/vacancies/", vacancy_body, format="json")
    assert_invalid(response, "reference", ["A vacancy with this reference already exists."])
    assert snapshot() == before


def test_every_vacancy_error_is_reported_at_once(hr, candidate, vacancy_body, client_for):
    body = vacancy_body | {
        "salary_min": 50000,
        "salary_max": 1,
        "hiring_manager": candidate.pk,
        "criteria": [{"kind": "desirable", "text": "Tea"}],
    }
    response = client_for(hr).post("/api/v1/vacancies/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"salary_max", "hiring_manager", "criteria"}


@pytest.mark.parametrize("action", ["publish", "close", "cancel", "fill"])
def test_vacancy_actions_refuse_a_reason_that_is_not_text(action, hr, vacancy, client_for):
    before = snapshot()
    response = client_for(hr).post(
        f"/api/v1/vacancies/{vacancy.pk}/{action}/", {"reason": {"why": "x"}}, format="json"
    )
    assert_invalid(response, "reason", ["Not a valid string."])
    assert snapshot() == before


# --- Applications ---------------------------------------------------------------------------


@pytest.fixture
def one_scheme_vacancy(vacancy):
    """``vacancy``, offering the Disability Confident guarantee only, without a plan."""
    Vacancy.objects.filter(pk=vacancy.pk).update(interview_guarantees=["disability_confident"])
    return Vacancy.objects.get(pk=vacancy.pk)


@pytest.fixture
def application_body(one_scheme_vacancy):
    return {
        "vacancy": one_scheme_vacancy.pk,
        "statement": "Eight years of casework.",
        "evidence": [
            {"criterion": c.pk, "text": "Evidence."} for c in one_scheme_vacancy.criteria.all()
        ],
        "interview_guarantee": "disability_confident",
        "positive_action": False,
        "equality": {"ethnicity": "asian_indian", "disability_condition": "yes"},
    }


def test_the_base_application_is_valid(candidate, application_body, client_for):
    response = client_for(candidate).post("/api/v1/applications/", application_body, format="json")
    assert response.status_code == 201, response.json()


def other_criterion():
    return VacancyFactory().criteria.first().pk


APPLICATION_CASES = [
    ("missing statement", without("statement"), "statement", ["This field is required."]),
    ("blank statement", setting(statement=""), "statement", ["This field may not be blank."]),
    (
        "evidence criterion of another vacancy",
        lambda body, ctx: (
            body | {"evidence": [{"criterion": ctx["other_criterion"], "text": "Evidence."}]}
        ),
        "evidence",
        "OTHER_CRITERION",
    ),
    (
        "evidence on one criterion twice",
        lambda body, ctx: body | {"evidence": [body["evidence"][0], body["evidence"][0]]},
        "evidence",
        "TWICE",
    ),
    (
        "evidence criterion not a number",
        setting(evidence=[{"criterion": "abc", "text": "Evidence."}]),
        "evidence",
        {"0": {"criterion": ["A valid integer is required."]}},
    ),
    (
        "evidence criterion out of range",
        setting(evidence=[{"criterion": 2**64, "text": "Evidence."}]),
        "evidence",
        {"0": {"criterion": [f"Ensure this value is less than or equal to {2**53}."]}},
    ),
    (
        "evidence without text",
        setting(evidence=[{"criterion": 1}]),
        "evidence",
        {"0": {"text": ["This field is required."]}},
    ),
    (
        "evidence not a list",
        setting(evidence="lots"),
        "evidence",
        ['Expected a list of items but got type "str".'],
    ),
    (
        "unknown equality code",
        setting(equality={"ethnicity": "martian"}),
        "equality",
        {"ethnicity": ['"martian" is not a valid choice.']},
    ),
    (
        "unknown equality question",
        setting(equality={"star_sign": "leo"}),
        "equality",
        {"star_sign": ["Unknown question."]},
    ),
    (
        "equality not an object",
        setting(equality="black_african"),
        "equality",
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
    ),
    (
        "disability impact without a condition",
        setting(equality={"disability_impact": "a_lot"}),
        "equality",
        ["disability_impact is asked only when disability_condition is 'yes'."],
    ),
    (
        "disability impact with condition no",
        setting(equality={"disability_condition": "no", "disability_impact": "a_little"}),
        "equality",
        ["disability_impact is asked only when disability_condition is 'yes'."],
    ),
    (
        "interview guarantee not offered",
        setting(interview_guarantee="care_leaver"),
        "interview_guarantee",
        [
            "This vacancy does not offer the 'care_leaver' interview guarantee; "
            "it offers: disability_confident."
        ],
    ),
    (
        "unknown interview guarantee",
        setting(interview_guarantee="bogus"),
        "interview_guarantee",
        ['"bogus" is not a valid choice.'],
    ),
    (
        "positive action without a plan",
        setting(positive_action=True),
        "positive_action",
        ["This vacancy has no positive-action plan."],
    ),
    (
        "positive action not a boolean",
        setting(positive_action="perhaps"),
        "positive_action",
        ["Must be a valid boolean."],
    ),
    (
        "vacancy is a draft",
        lambda body, ctx: body | {"vacancy": ctx["draft"]},
        "vacancy",
        "DRAFT",
    ),
    (
        "vacancy does not exist",
        setting(vacancy=987654321),
        "vacancy",
        ['Invalid pk "987654321" - object does not exist.'],
    ),
    (
        "vacancy id out of range",
        setting(vacancy=2**70),
        "vacancy",
        [f'Invalid pk "{2**70}" - object does not exist.'],
    ),
    (
        "vacancy id abc",
        setting(vacancy="abc"),
        "vacancy",
        ["Incorrect type. Expected pk value, received str."],
    ),
    ("missing vacancy", without("vacancy"), "vacancy", ["This field is required."]),
]


@pytest.mark.parametrize(
    ("change", "field", "messages"),
    [case[1:] for case in APPLICATION_CASES],
    ids=[case[0] for case in APPLICATION_CASES],
)
def test_application_create_refuses_bad_input(
    change, field, messages, candidate, chair, application_body, client_for
):
    ctx = {
        "other_criterion": other_criterion(),
        "draft": VacancyFactory(status="draft", hiring_manager=chair).pk,
    }
    placeholders = {
        "OTHER_CRITERION": [
            f"Criterion {ctx['other_criterion']} is not a criterion of this vacancy."
        ],
        "TWICE": [f"Criterion {application_body['evidence'][0]['criterion']} has evidence twice."],
        # A draft answers exactly like a vacancy that does not exist.
        "DRAFT": [f'Invalid pk "{ctx["draft"]}" - object does not exist.'],
    }
    expected = placeholders[messages] if isinstance(messages, str) else messages
    client = client_for(candidate)
    before = snapshot()

    response = client.post("/api/v1/applications/", change(application_body, ctx), format="json")

    assert_invalid(response, field, expected)
    assert snapshot() == before


@pytest.mark.parametrize(
    "make_unavailable",
    [
        lambda v: set_vacancy_status(v, "closed"),
        lambda v: set_vacancy_status(v, "cancelled"),
        lambda v: set_vacancy_status(v, "filled"),
        lambda v: Vacancy.objects.filter(pk=v.pk).update(
            closing_date=timezone.now() - timedelta(minutes=1)
        ),
    ],
    ids=["closed", "cancelled", "filled", "open but past its closing date"],
)
def test_applying_to_a_vacancy_that_is_not_open_answers_409(
    make_unavailable, candidate, one_scheme_vacancy, application_body, client_for
):
    make_unavailable(one_scheme_vacancy)
    before = snapshot()
    response = client_for(candidate).post("/api/v1/applications/", application_body, format="json")
    assert assert_conflict(response, "vacancy_not_open") == (
        "This vacancy is not open for applications."
    )
    assert snapshot() == before


def test_a_second_application_to_one_vacancy_answers_409(
    candidate, one_scheme_vacancy, application_body, client_for
):
    client = client_for(candidate)
    assert client.post("/api/v1/applications/", application_body, format="json").status_code == 201
    before = snapshot()

    response = client.post(
        "/api/v1/applications/",
        application_body | {"statement": "A second try.", "interview_guarantee": None},
        format="json",
    )

    assert assert_conflict(response, "duplicate_application") == (
        "You have already applied for this vacancy."
    )
    assert snapshot() == before
    assert Application.objects.filter(vacancy=one_scheme_vacancy, candidate=candidate).count() == 1
    assert Application.objects.get(candidate=candidate).statement == "Eight years of casework."
    assert EqualityAnswers.objects.count() == 1


# --- Application actions --------------------------------------------------------------------


@pytest.fixture
def at(application, vacancy):
    """Put ``application`` (on a closed vacancy) in a state."""
    set_vacancy_status(vacancy, "closed")
    furthest = {
        "submitted": None,
        "shortlisted": "shortlisted",
        "interview_scheduled": "shortlisted",
        "interviewed": "interviewed",
    }

    def put(state):
        return set_state(application, state, furthest_stage=furthest[state])

    return put


ACTION_CASES = [
    ("reject", "submitted", {}, "reason", ["A reason is required."]),
    ("reject", "submitted", {"reason": ""}, "reason", ["A reason is required."]),
    ("reject", "submitted", {"reason": "   \n "}, "reason", ["A reason is required."]),
    ("reject", "interviewed", {}, "reason", ["A reason is required."]),
    (
        "reject",
        "submitted",
        {"reason": "x" * 5001},
        "reason",
        ["Ensure this field has no more than 5000 characters."],
    ),
    ("schedule_interview", "shortlisted", {}, "interview_at", ["This field is required."]),
    (
        "schedule_interview",
        "shortlisted",
        {"interview_at": None},
        "interview_at",
        ["This field may not be null."],
    ),
    (
        "schedule_interview",
        "shortlisted",
        {"interview_at": (timezone.now() - timedelta(days=1)).isoformat()},
        "interview_at",
        ["The interview must be in the future."],
    ),
    (
        "schedule_interview",
        "shortlisted",
        {"interview_at": "tomorrow at ten"},
        "interview_at",
        None,
    ),
    ("schedule_interview", "shortlisted", {"interview_at": 12}, "interview_at", None),
    (
        "offer",
        "interviewed",
        {"positive_action": {}},
        "positive_action",
        {"justification": ["This field is required."]},
    ),
    (
        "offer",
        "interviewed",
        {"positive_action": {"justification": "  "}},
        "positive_action",
        {"justification": ["This field may not be blank."]},
    ),
    (
        "offer",
        "interviewed",
        {"positive_action": "yes"},
        "positive_action",
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
    ),
]


@pytest.mark.parametrize(
    ("action", "state", "body", "field", "messages"),
    ACTION_CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(ACTION_CASES)],
)
def test_actions_refuse_bad_input(action, state, body, field, messages, at, chair, client_for):
    application = at(state)
    before = snapshot()

    response = client_for(chair).post(
        f"/api/v1/applications/{application.pk}/actions/{action}/", body, format="json"
    )

    errors = assert_invalid(response, field, messages)
    if messages is None:
        assert errors[0].startswith("Datetime has wrong format."), errors
    assert snapshot() == before
    assert Application.objects.get(pk=application.pk).state == state


def test_an_unknown_action_answers_404(application, chair, client_for):
    before = snapshot()
    response = client_for(chair).post(
        f"/api/v1/applications/{application.pk}/actions/explode/", {}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert snapshot() == before


# --- Scores ---------------------------------------------------------------------------------


def score_cases(extra_item):
    """(name, body builder, field, messages); ``extra_item`` adds ``note`` for own scores."""

    def items(criteria, first=2):
        """One item per criterion, each scored 2 but the first, scored ``first``."""
        return [
            {"criterion": c, "score": first if i == 0 else 2, **extra_item}
            for i, c in enumerate(criteria)
        ]

    return [
        (
            "score 5",
            lambda cs, other: {"stage": "shortlisting", "scores": items(cs, 5)},
            "scores",
            {"0": {"score": ["Ensure this value is less than or equal to 4."]}},
        ),
        (
            "score -1",
            lambda cs, other: {"stage": "shortlisting", "scores": items(cs, -1)},
            "scores",
            {"0": {"score": ["Ensure this value is greater than or equal to 0."]}},
        ),
        (
            "score not a number",
            lambda cs, other: {"stage": "shortlisting", "scores": items(cs, "good")},
            "scores",
            {"0": {"score": ["A valid integer is required."]}},
        ),
        (
            "score 2.5",
            lambda cs, other: {"stage": "shortlisting", "scores": items(cs, 2.5)},
            "scores",
            {"0": {"score": ["A valid integer is required."]}},
        ),
        (
            "unknown criterion",
            lambda cs, other: {"stage": "shortlisting", "scores": items([*cs, other])},
            "scores",
            "OTHER",
        ),
        (
            "criterion twice",
            lambda cs, other: {"stage": "shortlisting", "scores": items([cs[0], cs[0]])},
            "scores",
            "TWICE",
        ),
        (
            "stage foo",
            lambda cs, other: {"stage": "foo", "scores": items(cs)},
            "stage",
            ['"foo" is not a valid choice.'],
        ),
        (
            "missing stage",
            lambda cs, other: {"scores": items(cs)},
            "stage",
            ["This field is required."],
        ),
        (
            "empty scores",
            lambda cs, other: {"stage": "shortlisting", "scores": []},
            "scores",
            ["Ensure this field has at least 1 elements."],
        ),
        (
            "scores not a list",
            lambda cs, other: {"stage": "shortlisting", "scores": "3"},
            "scores",
            ['Expected a list of items but got type "str".'],
        ),
        (
            "scores an object",
            lambda cs, other: {"stage": "shortlisting", "scores": items(cs)[0]},
            "scores",
            ['Expected a list of items but got type "dict".'],
        ),
    ]


def expand(messages, criteria, other):
    if not isinstance(messages, str):
        return messages
    return {
        "OTHER": [f"Criterion {other} is not a criterion of this vacancy."],
        "TWICE": [f"Criterion {criteria[0]} is scored twice."],
    }[messages]


OWN_SCORE_CASES = score_cases({"note": ""})
AGREED_SCORE_CASES = score_cases({})


@pytest.mark.parametrize(
    ("build", "field", "messages"),
    [c[1:] for c in OWN_SCORE_CASES],
    ids=[c[0] for c in OWN_SCORE_CASES],
)
def test_own_scores_refuse_bad_input(build, field, messages, application, panel_member, client_for):
    criteria = [c.pk for c in application.vacancy.criteria.all()]
    other = other_criterion()
    before = snapshot()

    response = client_for(panel_member).put(
        f"/api/v1/applications/{application.pk}/scores/", build(criteria, other), format="json"
    )

    assert_invalid(response, field, expand(messages, criteria, other))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("build", "field", "messages"),
    [c[1:] for c in AGREED_SCORE_CASES],
    ids=[c[0] for c in AGREED_SCORE_CASES],
)
def test_agreed_scores_refuse_bad_input(build, field, messages, application, chair, client_for):
    criteria = [c.pk for c in application.vacancy.criteria.all()]
    other = other_criterion()
    before = snapshot()

    response = client_for(chair).put(
        f"/api/v1/applications/{application.pk}/agreed-scores/",
        build(criteria, other) | {"note": "Agreed."},
        format="json",
    )

    assert_invalid(response, field, expand(messages, criteria, other))
    assert snapshot() == before


def test_an_agreed_note_must_be_text(application, chair, client_for):
    criteria = [c.pk for c in application.vacancy.criteria.all()]
    before = snapshot()
    response = client_for(chair).put(
        f"/api/v1/applications/{application.pk}/agreed-scores/",
        {
            "stage": "shortlisting",
            "scores": [{"criterion": c, "score": 2} for c in criteria],
            "note": ["a", "list"],
        },
        format="json",
    )
    assert_invalid(response, "note", ["Not a valid string."])
    assert snapshot() == before


# --- Adjustments ----------------------------------------------------------------------------

ADJUSTMENT = {"stage": "interview", "category": "extra_time", "details": "More time, please."}


@pytest.mark.parametrize(
    ("change", "field", "messages"),
    [
        ({"category": "massage"}, "category", ['"massage" is not a valid choice.']),
        ({"stage": "lunch"}, "stage", ['"lunch" is not a valid choice.']),
        ({"details": ""}, "details", ["This field may not be blank."]),
        (
            {"details": "x" * 5001},
            "details",
            ["Ensure this field has no more than 5000 characters."],
        ),
    ],
)
def test_an_adjustment_request_refuses_bad_input(
    change, field, messages, application, candidate, client_for
):
    before = snapshot()
    response = client_for(candidate).post(
        f"/api/v1/applications/{application.pk}/adjustments/", ADJUSTMENT | change, format="json"
    )
    assert_invalid(response, field, messages)
    assert snapshot() == before


@pytest.mark.parametrize("missing", ["stage", "category", "details"])
def test_an_adjustment_request_names_a_missing_field(missing, application, candidate, client_for):
    body = {k: v for k, v in ADJUSTMENT.items() if k != missing}
    response = client_for(candidate).post(
        f"/api/v1/applications/{application.pk}/adjustments/", body, format="json"
    )
    assert_invalid(response, missing, ["This field is required."])
    assert AdjustmentRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("action", "body", "field", "messages"),
    [
        ("agree", {}, "arrangement", ["Say what has been arranged."]),
        ("agree", {"arrangement": "   "}, "arrangement", ["Say what has been arranged."]),
        ("partially_agree", {"reason": "Some"}, "arrangement", ["Say what has been arranged."]),
        ("decline", {}, "reason", ["Enter why this adjustment cannot be made."]),
        (
            "decline",
            {"reason": ["no"]},
            "reason",
            ["Not a valid string."],
        ),
    ],
)
def test_adjustment_decisions_refuse_bad_input(
    action, body, field, messages, application, hr, client_for
):
    adjustment = AdjustmentRequest.objects.create(application=application, **ADJUSTMENT)
    before = snapshot()
    response = client_for(hr).post(
        f"/api/v1/adjustments/{adjustment.pk}/actions/{action}/", body, format="json"
    )
    assert_invalid(response, field, messages)
    assert snapshot() == before


# --- Bodies that are not JSON objects -------------------------------------------------------


def write_endpoints(ctx):
    """(who, method, path) for every write endpoint."""
    app = f"/api/v1/applications/{ctx['application'].pk}"
    return [
        (None, "post", "/api/v1/auth/register/"),
        (None, "post", "/api/v1/auth/token/"),
        ("hr", "post", "/api/v1/vacancies/"),
        ("hr", "post", f"/api/v1/vacancies/{ctx['vacancy'].pk}/publish/"),
        ("hr", "post", f"/api/v1/vacancies/{ctx['vacancy'].pk}/close/"),
        ("candidate", "post", "/api/v1/applications/"),
        ("candidate", "post", f"{app}/adjustments/"),
        ("candidate", "post", f"{app}/actions/withdraw/"),
        ("chair", "post", f"{app}/actions/reject/"),
        ("chair", "post", f"{app}/actions/schedule_interview/"),
        ("chair", "post", f"{app}/actions/offer/"),
        ("panel_member", "put", f"{app}/scores/"),
        ("chair", "put", f"{app}/agreed-scores/"),
        ("hr", "post", f"/api/v1/adjustments/{ctx['adjustment'].pk}/actions/agree/"),
        ("hr", "post", f"/api/v1/adjustments/{ctx['adjustment'].pk}/actions/decline/"),
    ]


@pytest.fixture
def endpoints(application, vacancy, hr, chair, panel_member, candidate):
    adjustment = AdjustmentRequest.objects.create(application=application, **ADJUSTMENT)
    ctx = {"application": application, "vacancy": vacancy, "adjustment": adjustment}
    users = {"hr": hr, "chair": chair, "panel_member": panel_member, "candidate": candidate}
    return [(users.get(who), method, path) for who, method, path in write_endpoints(ctx)]


@pytest.mark.parametrize(
    "raw",
    ["{not json", '{"reason": ', "\x00\xff", '{"a": 1}}', "[1, 2", "{'single': 'quotes'}"],
    ids=["not json", "truncated", "binary", "trailing brace", "open list", "single quotes"],
)
def test_a_malformed_json_body_answers_400_invalid(raw, endpoints):
    before = snapshot()
    for user, method, path in endpoints:
        response = getattr(client_as(user), method)(path, raw, content_type="application/json")
        assert response.status_code == 400, (method, path, response.status_code, response.content)
        body = response.json()
        assert body["code"] == "invalid", (method, path)
        assert body["detail"].startswith("JSON parse error"), body
        assert list(body["errors"]) == ["non_field_errors"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    ["[]", '[{"reason": "x"}]', '"text"', "42", "true", "null"],
    ids=["empty list", "list of objects", "string", "number", "boolean", "null"],
)
def test_a_json_body_that_is_not_an_object_answers_400_invalid(raw, endpoints):
    before = snapshot()
    for user, method, path in endpoints:
        response = getattr(client_as(user), method)(path, raw, content_type="application/json")
        assert response.status_code == 400, (method, path, response.status_code, response.content)
        body = response.json()
        assert body["code"] == "invalid", (method, path)
        assert set(body) == {"code", "detail", "errors"}
        assert list(body["errors"]) == ["non_field_errors"], (method, path, body)
    assert snapshot() == before


def test_an_empty_body_never_answers_500(endpoints):
    before_state = Application.objects.values_list("state", flat=True).first()
    for user, method, path in endpoints:
        response = getattr(client_as(user), method)(path, "", content_type="application/json")
        assert response.status_code < 500, (method, path)
    assert Application.objects.values_list("state", flat=True).first() in {
        before_state,
        "withdrawn",  # the candidate's withdraw takes no required field
    }


# --- Query parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "field", "messages"),
    [
        (
            None,
            "/api/v1/vacancies/?status=bogus",
            "status",
            ["Select a valid choice. bogus is not one of the available choices."],
        ),
        (
            "hr",
            "/api/v1/vacancies/?status=bogus",
            "status",
            ["Select a valid choice. bogus is not one of the available choices."],
        ),
        ("hr", "/api/v1/vacancies/{vacancy}/ranking/?stage=bogus", "stage", None),
        (
            "hr",
            "/api/v1/applications/?state=bogus",
            "state",
            ["Select a valid choice. bogus is not one of the available choices."],
        ),
        ("hr", "/api/v1/applications/?vacancy=abc", "vacancy", ["Enter a whole number."]),
        ("panel_member", "/api/v1/applications/{application}/scores/?stage=bogus", "stage", None),
        ("hr", "/api/v1/users/?role=bogus", "role", ['"bogus" is not a valid choice.']),
        ("hr", "/api/v1/users/?role=candidate", "role", ['"candidate" is not a valid choice.']),
        (
            "hr",
            "/api/v1/adjustments/?state=bogus",
            "state",
            ["Select a valid choice. bogus is not one of the available choices."],
        ),
    ],
)
def test_bad_query_parameters_answer_400_naming_the_parameter(
    who, path, field, messages, request, application, vacancy
):
    user = request.getfixturevalue(who) if who else None
    url = path.format(vacancy=vacancy.pk, application=application.pk)

    response = client_as(user).get(url)

    value = url.rsplit("=", 1)[1]
    assert_invalid(response, field, messages or [f'"{value}" is not a valid choice.'])


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/adjustments/"])
@pytest.mark.parametrize(
    "value", ["abc", "1e400", "9223372036854775808", "99999999999999999999999"]
)
def test_a_vacancy_filter_that_is_no_possible_id_answers_400_never_500(
    path, value, hr, application
):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user=hr)

    response = client.get(f"{path}?vacancy={value}")

    assert response.status_code != 500, f"{path}?vacancy={value} answered 500"
    assert_invalid(response, "vacancy")
