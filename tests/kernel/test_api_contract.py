"""The API answers as its schema says: what tests/kernel/test_fuzz.py found, pinned down one by one,
and the schema's own promises about errors (kernel/api_schema.py)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from kernel.errors import DomainError
from tests.support.factories import UserFactory, VacancyFactory, set_vacancy_status

pytestmark = pytest.mark.django_db

ERROR_COMPONENTS = {
    "400": "ValidationError",
    "401": "NotAuthenticatedError",
    "403": "PermissionDeniedError",
    "404": "NotFoundError",
    "409": "ConflictError",
    "415": "UnsupportedMediaTypeError",
    "429": "ThrottledError",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_the_same_every_time_and_names_every_component_it_refers_to(client):
    first, second = (client.get("/api/schema/?format=json").json() for _ in range(2))

    assert first == second
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            refs.update([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(second)
    named = {f"#/components/schemas/{name}" for name in second["components"]["schemas"]}
    assert refs - named == set()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_an_operation_documents_is_the_envelope(schema):
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status in ERROR_COMPONENTS:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/" + ERROR_COMPONENTS[status]), (name, status)


def test_every_operation_documents_the_refusals_it_can_meet(schema):
    for name, operation in operations(schema):
        statuses = set(operation["responses"])
        method, path = name.split()
        if "{" in path:
            assert "404" in statuses, name
        if path not in (
            "/api/v1/auth/register/",
            "/api/v1/auth/token/",
            "/api/v1/auth/password-reset/",
        ):
            assert "401" in statuses, name
        if method in ("POST", "PUT") and "auth" not in path:
            assert {"400", "403", "409"} <= statuses, name
    token = dict(operations(schema))["POST /api/v1/auth/token/"]
    assert "429" in token["responses"]
    assert "Retry-After" in token["responses"]["429"]["headers"]


def test_every_409_code_is_in_the_schema(schema):
    components = schema["components"]["schemas"]
    code = components["ConflictError"]["properties"]["code"]
    if "$ref" in code:  # drf-spectacular names every enum
        code = components[code["$ref"].rsplit("/", 1)[1]]
    assert set(code["enum"]) == DomainError.CODES


def test_a_csv_answer_is_documented_as_text(schema):
    funnel = dict(operations(schema))["GET /api/v1/monitoring/funnel/"]
    for status in ("200", "400", "403"):
        assert funnel["responses"][status]["content"]["text/csv"]["schema"] == {"type": "string"}


def test_history_and_ranking_are_plain_lists_without_paging_or_filters(schema):
    for name in ("GET /api/v1/applications/{id}/history/", "GET /api/v1/vacancies/{id}/ranking/"):
        operation = dict(operations(schema))[name]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", name
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert query <= {"stage"}, name


def test_a_history_entry_is_documented_as_it_is_rendered(schema, application, candidate):
    documented = schema["components"]["schemas"]["HistoryEntryOutput"]["properties"]
    client = APIClient()
    client.force_authenticate(candidate)
    client.post(f"/api/v1/applications/{application.pk}/actions/withdraw/", {}, format="json")

    # A filter of the list does not apply to one application's history.
    response = client.get(f"/api/v1/applications/{application.pk}/history/?state=submitted")

    assert response.status_code == 200
    [entry] = response.json()
    assert set(entry) == set(documented)
    assert (entry["from"], entry["to"]) == ("submitted", "withdrawn")


def test_a_path_under_the_api_that_names_nothing_answers_the_envelope(client):
    for path in ("/api/v1/vacancies/0.5/", "/api/v1/nothing/", "/api/v1/applications/1/x/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "Not found."}
    assert client.get("/jobs/0.5/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("page_size", ["abc", "0", "-3", "1.5", "null"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused(page_size, hr, client_for):
    response = client_for(hr).get(f"/api/v1/users/?page_size={page_size}")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"page_size"}


@pytest.mark.parametrize(("page_size", "given"), [("", 50), ("2", 2), ("500", 200)])
def test_a_page_size_is_a_whole_number_from_1_and_at_most_200_are_given(
    page_size, given, hr, client_for
):
    UserFactory.create_batch(201, role="panel_member")

    response = client_for(hr).get(f"/api/v1/users/?page_size={page_size}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == given


def test_an_empty_csv_still_has_its_header(hr, client_for):
    response = client_for(hr).get("/api/v1/positive-action-decisions/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == [
        "Decided on,Vacancy,Application,Tie-breaker used,Decided by,Justification,Evidence,"
        "Tied with"
    ]


@pytest.mark.parametrize(("query", "field"), [("page_size=x", "page_size"), ("page=-1", "page")])
def test_the_csv_checks_the_paging_parameters_like_the_json(query, field, hr, client_for):
    """A malformed page or page size is a 400 naming it, in CSV as in JSON (a page past the
    end is the JSON's 404; a CSV holds everything)."""
    response = client_for(hr).get(f"/api/v1/positive-action-decisions/?format=csv&{query}")
    as_json = client_for(hr).get(f"/api/v1/positive-action-decisions/?{query}")

    assert (response.status_code, as_json.status_code) == (400, 400)
    assert list(as_json.json()["errors"]) == [field]


def test_a_ranking_is_not_filtered_by_the_vacancy_list_filters(vacancy, chair, client_for):
    set_vacancy_status(vacancy, "closed")

    response = client_for(chair).get(f"/api/v1/vacancies/{vacancy.pk}/ranking/?status=draft")

    assert response.status_code == 200
    assert response.json() == []


def test_a_body_that_is_not_json_answers_415_and_changes_nothing(vacancy, candidate, client_for):
    """A form-encoded body cannot carry the nested answers: it was read, and the equality
    answers silently dropped; bodies are JSON only."""
    body = {"vacancy": vacancy.pk, "statement": "I can.", "equality": '{"sex": "female"}'}

    response = client_for(candidate).post("/api/v1/applications/", body, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not vacancy.applications.exists()


@pytest.mark.parametrize(
    "path", ["/api/v1/monitoring/funnel/?characteristic=sex&", "/api/v1/monitoring/adjustments/?"]
)
@pytest.mark.parametrize(
    ("vacancy", "status"),
    [("{id}", 200), ("", 200), ("{id}.0", 400), ("1e1", 400), ("{missing}", 400)],
)
def test_a_vacancy_id_in_a_query_is_a_whole_number(path, vacancy, status, hr, client_for):
    """A campaign's id, as a whole number, is accepted (its figures may still be withheld);
    ``12.0`` or ``1e1`` is not an id, and an id that names no vacancy is refused too, each a
    400 naming ``vacancy``."""
    campaign = VacancyFactory()
    query = vacancy.format(id=campaign.pk, missing=campaign.pk + 1000)

    response = client_for(hr).get(f"{path}vacancy={query}")

    assert response.status_code == status
    if status == 400:
        assert list(response.json()["errors"]) == ["vacancy"]
    elif query:
        assert response.json()["unit"]["key"] == str(campaign.pk)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": 12345678}, "username"),
        ({"full_name": 1.5e272}, "full_name"),
        ({"password": 123456789012}, "password"),
    ],
)
def test_a_string_field_takes_a_string_only(body, field, anon):
    """DRF's CharField turns a number into its digits: a number is refused instead."""
    valid = {
        "username": "newcomer",
        "email": "new@example.org",
        "password": "a-long-passphrase-2031",
        "full_name": "New Comer",
    }

    response = anon.post("/api/v1/auth/register/", valid | body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["Not a valid string."]}
    assert not UserFactory._meta.model.objects.filter(email="new@example.org").exists()


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"positive_action": "yes"}, {"positive_action": ["Must be a valid boolean."]}),
        ({"positive_action": 1}, {"positive_action": ["Must be a valid boolean."]}),
        (
            {"evidence": [{"criterion": "1", "text": "x"}]},
            {"evidence": {"0": {"criterion": ["A valid integer is required."]}}},
        ),
        ({"statement": 42}, {"statement": ["Not a valid string."]}),
    ],
)
def test_each_field_of_a_body_takes_its_own_json_type(
    change, errors, vacancy, candidate, client_for
):
    body = {"vacancy": vacancy.pk, "statement": "I can."} | change

    response = client_for(candidate).post("/api/v1/applications/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert not vacancy.applications.exists()


def test_a_list_of_ids_takes_numbers_only(vacancy, chair, client_for):
    set_vacancy_status(vacancy, "closed")
    body = {"action": "shortlist", "applications": ["1", 2]}

    response = client_for(chair).post(
        f"/api/v1/vacancies/{vacancy.pk}/decisions/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"applications": {"0": ["A valid integer is required."]}}
