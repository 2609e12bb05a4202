"""Name-blind shortlisting and the separation of special-category data (docs/domain.md
§1 and §6, docs/api.md "Applications").

- Before shortlisting, the panel and the hiring manager see nothing that identifies the
  candidate; never the scheme declared, the positive-action declaration or equality answers.
- HR sees identity and declarations, never the equality answers.
- The candidate sees their own declarations, never the sift results.
- Only the models, the submission service, migrations and the statistics code may touch
  ``EqualityAnswers`` at all.
"""

import json
import re
from pathlib import Path

import pytest
from rest_framework import serializers

from recruitment.models import Application, EqualityAnswers
from tests.support.factories import (
    PositiveActionPlanFactory,
    ScoreFactory,
    UserFactory,
    agree,
    set_state,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]

FULL_NAME = "Zephyrine Quillfeather"
USERNAME = "zq_wanderlight"
EMAIL = "zephyrine.q@quillmail.example"

EQUALITY = {
    "ethnicity": "black_african",
    "sex": "female",
    "gender_identity_same": "no",
    "sexual_orientation": "bisexual",
    "religion": "buddhist",
    "disability_condition": "yes",
    "disability_impact": "a_little",
    "age_band": "35-44",
}
#: Every field of an application's representation, as HR sees it.
ALL_KEYS = {
    "id",
    "reference",
    "vacancy",
    "state",
    "statement",
    "evidence",
    "interview_at",
    "interview_format",
    "interview_place",
    "interview_minutes",
    "submitted_at",
    "candidate",
    "interview_guarantee",
    "positive_action",
    "guarantee_step",
    "meets_minimum_criteria",
    "agreed_scores",
    "adjustments",
    "available_actions",
    "legal_hold",
    "offer",
}
PANEL_KEYS = ALL_KEYS - {
    "offer",  # the chair's too, from shortlisting on (the pay once offered); never the panel's
    "candidate",
    "interview_guarantee",
    "positive_action",
    "guarantee_step",
    "legal_hold",
}
CANDIDATE_KEYS = ALL_KEYS - {
    "guarantee_step",
    "meets_minimum_criteria",
    "agreed_scores",
    "legal_hold",
}

IDENTITY_TEXT = [FULL_NAME, "Zephyrine", "Quillfeather", USERNAME, EMAIL, "quillmail"]
DECLARATION_TEXT = ["disability_confident", "positive_action"]
EQUALITY_KEY_TEXT = [
    "equality",
    "ethnicity",
    '"sex"',
    "gender_identity",
    "sexual_orientation",
    "religion",
    "disability_condition",
    "disability_impact",
    "age_band",
]
EQUALITY_VALUE_TEXT = ["black_african", '"female"', "bisexual", "buddhist", "a_little", "35-44"]


# --- Helpers --------------------------------------------------------------------------------


def strings_in(data):
    """Every string (keys and values) anywhere in a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings_in(item)
    elif isinstance(data, str):
        yield data


def leaks(response, forbidden):
    """The forbidden fragments found in the response body text (as sent on the wire)."""
    text = response.content.decode()
    return [fragment for fragment in forbidden if fragment in text]


def declares_scheme_key(response):
    """``interview_guarantee`` (or any word of the guarantee) anywhere in the answer."""
    return re.search(r"guarantee", response.content.decode()) is not None


def equality_values_in(data):
    return sorted(set(strings_in(data)) & set(EQUALITY.values()) - {"no", "yes"})


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def blind_candidate(db):
    return UserFactory(username=USERNAME, full_name=FULL_NAME, email=EMAIL)


@pytest.fixture
def submitted(vacancy, blind_candidate, client_for):
    """Submitted through the API with a guarantee, a positive-action declaration and every
    equality question answered."""
    PositiveActionPlanFactory(vacancy=vacancy)
    criteria = list(vacancy.criteria.all())
    response = client_for(blind_candidate).post(
        "/api/v1/applications/",
        {
            "vacancy": vacancy.pk,
            "statement": "Eight years of child protection casework.",
            "evidence": [{"criterion": c.pk, "text": "Led a multi-agency team."} for c in criteria],
            "interview_guarantee": "disability_confident",
            "positive_action": True,
            "equality": EQUALITY,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = Application.objects.get(pk=response.json()["id"])
    stored = EqualityAnswers.objects.get(application=application)
    assert {k: getattr(stored, k) for k in EQUALITY} == EQUALITY  # so there is something to leak
    return application


def detail_url(application):
    return f"/api/v1/applications/{application.pk}/"


def assert_name_blind(response):
    assert leaks(response, IDENTITY_TEXT) == []
    assert leaks(response, DECLARATION_TEXT) == []
    assert not declares_scheme_key(response)
    assert leaks(response, EQUALITY_KEY_TEXT) == []
    assert leaks(response, EQUALITY_VALUE_TEXT) == []
    assert equality_values_in(response.json()) == []


# --- (a) Name-blind for the panel and the hiring manager --------------------------------------


@pytest.mark.parametrize("who", ["panel_member", "chair"])
def test_before_shortlisting_the_panel_sees_no_identity_declaration_or_equality_answer(
    who, request, submitted, client_for
):
    client = client_for(request.getfixturevalue(who))

    detail = get(client, detail_url(submitted))
    listing = get(client, "/api/v1/applications/")

    assert set(detail.json()) == PANEL_KEYS
    assert detail.json()["state"] == "submitted"
    assert detail.json()["reference"] == submitted.reference
    assert_name_blind(detail)
    assert listing.json()["count"] == 1
    assert [set(a) for a in listing.json()["results"]] == [PANEL_KEYS]
    assert listing.json()["results"][0] == detail.json()
    assert_name_blind(listing)


@pytest.mark.parametrize("who", ["panel_member", "chair"])
def test_the_scores_and_ranking_views_are_name_blind_too(
    who, request, submitted, client_for, panel_member
):
    ScoreFactory(application=submitted, scorer=panel_member, score=3)
    agree(submitted, [3, 3, 2])
    client = client_for(request.getfixturevalue(who))

    scores = get(client, f"{detail_url(submitted)}scores/?stage=shortlisting")

    assert scores.json()["agreed"]["total"] == 8
    assert leaks(scores, IDENTITY_TEXT + EQUALITY_KEY_TEXT + EQUALITY_VALUE_TEXT) == []
    assert leaks(scores, DECLARATION_TEXT) == []
    if who == "chair":
        ranking = get(client, f"/api/v1/vacancies/{submitted.vacancy_id}/ranking/")
        assert [r["reference"] for r in ranking.json()] == [submitted.reference]
        assert leaks(ranking, IDENTITY_TEXT + EQUALITY_KEY_TEXT + EQUALITY_VALUE_TEXT) == []
        assert "disability_confident" not in ranking.content.decode()


@pytest.mark.parametrize("who", ["panel_member", "chair"])
@pytest.mark.parametrize(
    ("state", "furthest_stage"),
    [
        ("shortlisted", "shortlisted"),
        ("interview_scheduled", "shortlisted"),
        ("interviewed", "interviewed"),
        ("not_appointed", "interviewed"),
    ],
)
def test_from_shortlisting_on_the_panel_sees_name_and_email_only(
    who, state, furthest_stage, request, submitted, client_for
):
    application = set_state(submitted, state, furthest_stage=furthest_stage)
    client = client_for(request.getfixturevalue(who))

    detail = get(client, detail_url(application))
    listing = get(client, "/api/v1/applications/")

    assert set(detail.json()) == PANEL_KEYS | {"candidate"} | (
        {"offer"} if who == "chair" else set()
    )
    assert detail.json()["candidate"] == {"full_name": FULL_NAME, "email": EMAIL}
    assert listing.json()["results"][0]["candidate"] == {"full_name": FULL_NAME, "email": EMAIL}
    for response in (detail, listing):
        assert leaks(response, [USERNAME]) == []
        assert leaks(response, DECLARATION_TEXT) == []
        assert not declares_scheme_key(response)
        assert leaks(response, EQUALITY_KEY_TEXT + EQUALITY_VALUE_TEXT) == []
        assert equality_values_in(response.json()) == []


@pytest.mark.parametrize("who", ["panel_member", "chair"])
@pytest.mark.parametrize("state", ["not_shortlisted", "withdrawn"])
def test_an_application_that_never_reached_shortlisting_never_reveals_the_candidate(
    who, state, request, submitted, client_for
):
    application = set_state(submitted, state)  # furthest stage stays "applied"
    client = client_for(request.getfixturevalue(who))

    detail = get(client, detail_url(application))
    listing = get(client, "/api/v1/applications/")

    assert detail.json()["state"] == state
    assert set(detail.json()) == PANEL_KEYS
    assert [set(a) for a in listing.json()["results"]] == [PANEL_KEYS]
    assert_name_blind(detail)
    assert_name_blind(listing)


@pytest.mark.parametrize("who", ["panel_member", "chair"])
def test_the_history_never_names_the_candidate_to_the_panel(
    who, request, submitted, blind_candidate, client_for
):
    withdrawn = client_for(blind_candidate).post(
        f"{detail_url(submitted)}actions/withdraw/", {"reason": "Took another post."}, format="json"
    )
    assert withdrawn.status_code == 200, withdrawn.json()

    history = get(client_for(request.getfixturevalue(who)), f"{detail_url(submitted)}history/")

    entries = history.json()
    assert [(e["transition"], e["from"], e["to"]) for e in entries] == [
        ("submit", None, "submitted"),
        ("withdraw", "submitted", "withdrawn"),
    ]
    assert [e["by"] for e in entries] == [{"role": "candidate"}, {"role": "candidate"}]
    assert entries[1]["reason"] == "Took another post."
    assert leaks(history, IDENTITY_TEXT) == []
    assert str(blind_candidate.pk) not in {str(v) for v in strings_in(entries)}
    assert leaks(history, DECLARATION_TEXT + EQUALITY_KEY_TEXT + EQUALITY_VALUE_TEXT) == []


# --- (b) HR: identity and declarations, never equality answers --------------------------------


def test_hr_sees_identity_and_declarations_but_never_equality_answers(submitted, hr, client_for):
    client = client_for(hr)

    detail = get(client, detail_url(submitted))
    listing = get(client, "/api/v1/applications/")
    history = get(client, f"{detail_url(submitted)}history/")

    assert set(detail.json()) == ALL_KEYS
    assert detail.json()["candidate"] == {"full_name": FULL_NAME, "email": EMAIL}
    assert detail.json()["interview_guarantee"] == "disability_confident"
    assert detail.json()["positive_action"] is True
    assert listing.json()["results"] == [detail.json()]
    for response in (detail, listing, history):
        assert leaks(response, EQUALITY_KEY_TEXT) == []
        assert leaks(response, EQUALITY_VALUE_TEXT) == []
        assert equality_values_in(response.json()) == []


# --- (c) The candidate: their own declarations, never the sift results ------------------------


def test_the_candidate_sees_their_declarations_but_never_scores_or_sift_results(
    submitted, blind_candidate, panel_member, client_for
):
    ScoreFactory(application=submitted, scorer=panel_member, score=4)
    agree(submitted, [3, 3, 3])
    client = client_for(blind_candidate)

    detail = get(client, detail_url(submitted))
    listing = get(client, "/api/v1/applications/")
    scores = client.get(f"{detail_url(submitted)}scores/")

    assert set(detail.json()) == CANDIDATE_KEYS
    assert detail.json()["candidate"] == {"full_name": FULL_NAME, "email": EMAIL}
    assert detail.json()["interview_guarantee"] == "disability_confident"
    assert detail.json()["positive_action"] is True
    assert detail.json()["available_actions"] == ["withdraw"]
    assert listing.json()["results"] == [detail.json()]
    for response in (detail, listing):
        text = response.content.decode()
        assert "interview_guaranteed" not in text
        assert "meets_minimum_criteria" not in text
        assert "agreed" not in text
        assert "score" not in text
    assert scores.status_code == 403
    assert scores.json()["code"] == "permission_denied"


def test_the_candidate_of_a_shortlisted_application_still_never_sees_sift_results(
    submitted, blind_candidate, client_for
):
    agree(submitted, [4, 4, 4])
    application = set_state(submitted, "shortlisted", furthest_stage="shortlisted")

    detail = get(client_for(blind_candidate), detail_url(application))

    assert set(detail.json()) == CANDIDATE_KEYS
    assert detail.json()["state"] == "shortlisted"


# --- (d) Architecture: who may touch EqualityAnswers -------------------------------------------

SCANNED_PACKAGES = ["kernel", "accounts", "vacancies", "recruitment", "adjustments", "config"]
SCANNED_SUFFIXES = {".py", ".html", ".txt", ".json", ".sql"}


def allowed_to_touch_equality_answers(relative: str) -> bool:
    return relative in {
        "recruitment/models.py",
        "recruitment/applications/services.py",
        "recruitment/monitoring/statistics.py",
        # Erasure cuts an answer row loose from its application (writes, never reads).
        "recruitment/privacy/retention.py",
        # Subject access: a person's own answers, given back to that person only.
        "recruitment/privacy/subject_access.py",
        # Statistics tooling: the synthetic population writes made-up rows; the benchmark's
        # floor is the funnel as raw SQL over the same table. Neither serves a request.
        "recruitment/management/commands/generate_synthetic.py",
        "recruitment/management/commands/bench_monitoring.py",
    } or relative.startswith(("recruitment/migrations/", "recruitment/monitoring/"))


def files_mentioning_equality_answers():
    pattern = re.compile(r"equality_?answers", re.IGNORECASE)
    found = []
    for package in SCANNED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if not path.is_file() or path.suffix not in SCANNED_SUFFIXES:
                continue
            if "__pycache__" in path.parts:
                continue
            if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                found.append(path.relative_to(ROOT).as_posix())
    return found


def test_only_models_services_migrations_and_statistics_code_mention_equality_answers():
    found = files_mentioning_equality_answers()

    # The scan sees the files that must mention it, so it is not scanning nothing.
    assert {"recruitment/models.py", "recruitment/applications/services.py"} <= set(found)
    assert any(f.startswith("recruitment/migrations/") for f in found)
    assert [f for f in found if not allowed_to_touch_equality_answers(f)] == []


def test_the_allow_list_is_exactly_the_documented_one():
    assert allowed_to_touch_equality_answers("recruitment/models.py")
    assert allowed_to_touch_equality_answers("recruitment/applications/services.py")
    assert allowed_to_touch_equality_answers("recruitment/migrations/0001_initial.py")
    assert allowed_to_touch_equality_answers("recruitment/monitoring/statistics.py")
    assert allowed_to_touch_equality_answers("recruitment/monitoring/funnel.py")
    assert allowed_to_touch_equality_answers("recruitment/privacy/retention.py")
    assert allowed_to_touch_equality_answers("recruitment/privacy/subject_access.py")
    for other in [
        "recruitment/applications/api.py",
        "recruitment/applications/views.py",
        "recruitment/scoring/selectors.py",
        "recruitment/scoring/assessment.py",
        "recruitment/applications/forms.py",
        "adjustments/api.py",
        "vacancies/api.py",
        "config/urls.py",
        "recruitment/statistics_helpers.py",
    ]:
        assert not allowed_to_touch_equality_answers(other), other


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_no_serializer_in_the_project_renders_equality_answers():
    import config.urls  # noqa: F401  (imports every API module, so every serializer)

    ours = [
        s
        for s in set(all_subclasses(serializers.BaseSerializer))
        if s.__module__.split(".")[0] in SCANNED_PACKAGES
    ]
    assert {s.__name__ for s in ours} >= {"ApplicationOutput", "VacancyOutput", "UserOutput"}
    for serializer in ours:
        meta = getattr(serializer, "Meta", None)
        assert getattr(meta, "model", None) is not EqualityAnswers, serializer
        for name, field in getattr(serializer, "_declared_fields", {}).items():
            source = getattr(field, "source", None) or name
            assert "equality" not in source.lower() or serializer.__name__ == "ApplicationInput", (
                serializer,
                name,
            )


def test_an_application_has_no_reverse_accessor_to_its_equality_answers():
    assert not hasattr(Application, "equalityanswers")
    assert [
        f
        for f in Application._meta.get_fields()
        if getattr(f, "related_model", None) is EqualityAnswers
    ] == []
    assert json.dumps(sorted(f.name for f in Application._meta.get_fields())).count("equality") == 0
