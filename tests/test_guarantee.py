"""The interview guarantee (Disability Confident, care leavers, armed forces), over the API.

docs/domain.md §2: a guaranteed candidate who meets the minimum criteria cannot be
rejected at shortlisting, by anyone; one who fails an essential criterion on the agreed
assessment can; without a complete agreed assessment of the essential criteria nobody can
decide. The panel learns only "interview guaranteed", never the scheme.
"""

from fractions import Fraction

import pytest
from django.db import transaction
from django_fsm import TransitionNotAllowed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitment import assessment
from recruitment.models import AgreedAssessment, AgreedScore, Application
from tests.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    VacancyFactory,
    set_vacancy_status,
)
from vacancies.models import Criterion, GuaranteeScheme, Vacancy

pytestmark = pytest.mark.django_db

SCHEMES = ["disability_confident", "care_leaver", "armed_forces"]
#: Words that would tell a panel which scheme a candidate declared.
SCHEME_WORDS = [
    "disab",
    "confident",
    "care leaver",
    "care_leaver",
    "care-experienced",
    "armed",
    "forces",
    "veteran",
    "covenant",
    *(label.lower() for label in GuaranteeScheme.labels),
]


# --- Helpers --------------------------------------------------------------------------------


def url(application, tail=""):
    return f"/api/v1/applications/{application.pk}/{tail}"


def agree_via_api(client, application, scores, stage="shortlisting"):
    """Agree ``scores`` (in criterion order; ``None`` leaves a criterion unagreed)."""
    criteria = list(Criterion.objects.filter(vacancy=application.vacancy))
    items = [
        {"criterion": c.pk, "score": s}
        for c, s in zip(criteria, scores, strict=True)
        if s is not None
    ]
    response = client.put(
        url(application, "agreed-scores/"),
        {"stage": stage, "scores": items, "note": "Moderated."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()


def reject(client, application, reason="Does not meet the essential criteria."):
    return client.post(url(application, "actions/reject/"), {"reason": reason}, format="json")


def state_and_history(application, hr_client):
    row = Application.objects.get(pk=application.pk)
    history = hr_client.get(url(application, "history/")).json()
    return row.state, row.furthest_stage, row.updated_at, history


def make_vacancy(chair, *, essentials=2, desirables=1, **kwargs):
    criteria = [("essential", f"Essential {i}") for i in range(essentials)] + [
        ("desirable", f"Desirable {i}") for i in range(desirables)
    ]
    vacancy = VacancyFactory(hiring_manager=chair, criteria=criteria, **kwargs)
    return set_vacancy_status(vacancy, "closed")


def guaranteed_application(vacancy, candidate, scheme="disability_confident"):
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    GuaranteeDeclarationFactory(application=application, scheme=scheme)
    return application


def agree_rows(application, scores, by):
    """Agreed scores written as rows (for the model-level tests): ``None`` = not agreed."""
    agreed = AgreedAssessment.objects.create(
        application=application, stage="shortlisting", agreed_by=by
    )
    for criterion, score in zip(
        Criterion.objects.filter(vacancy=application.vacancy), scores, strict=True
    ):
        if score is not None:
            AgreedScore.objects.create(assessment=agreed, criterion=criterion, score=score)


@pytest.fixture
def closed_vacancy(vacancy):
    return set_vacancy_status(vacancy, "closed")


@pytest.fixture
def guaranteed(closed_vacancy, application):
    GuaranteeDeclarationFactory(application=application, scheme="disability_confident")
    return application


# --- (a) a guaranteed candidate who meets the minimum criteria ------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_guaranteed_candidate_who_meets_the_minimum_criteria_cannot_be_rejected(
    scheme, vacancy, candidate, chair, panel_member, hr, client_for
):
    # Given a candidate who applies through the API declaring the scheme
    response = client_for(candidate).post(
        "/api/v1/applications/",
        {
            "vacancy": vacancy.pk,
            "statement": "Eight years in child protection.",
            "interview_guarantee": scheme,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = Application.objects.get(pk=response.json()["id"])
    set_vacancy_status(vacancy, "closed")
    manager, hr_client = client_for(chair), client_for(hr)
    # And agreed scores at the pass mark on both essentials (the desirable at 0)
    agreed = agree_via_api(manager, application, [2, 2, 0])
    assert agreed["agreed"]["total"] == 4
    before = state_and_history(application, hr_client)

    # When the chair rejects at sift
    response = reject(manager, application)

    # Then the guarantee refuses, without naming the scheme
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "interview_guarantee"
    assert body["detail"].strip()
    assert not [w for w in SCHEME_WORDS if w in body["detail"].lower()]
    assert scheme not in response.content.decode()
    # And nothing changed
    assert state_and_history(application, hr_client) == before
    assert before[0] == "submitted"
    # And the chair sees "interview guaranteed", not the scheme, and may only shortlist
    seen = manager.get(url(application)).json()
    assert seen["state"] == "submitted"
    assert seen["interview_guaranteed"] is True
    assert seen["meets_minimum_criteria"] is True
    assert "interview_guarantee" not in seen
    assert "reject" not in seen["available_actions"]
    assert seen["available_actions"] == ["shortlist"]
    # So does the panel, with nothing anywhere in the response naming the scheme
    response = client_for(panel_member).get(url(application))
    assert response.json()["interview_guaranteed"] is True
    assert "interview_guarantee" not in response.json()
    assert not [w for w in [scheme, *SCHEME_WORDS] if w in response.content.decode().lower()]
    # HR sees the declared scheme
    assert hr_client.get(url(application)).json()["interview_guarantee"] == scheme


def test_the_guarantee_binds_hr_too(guaranteed, chair, hr, client_for):
    agree_via_api(client_for(chair), guaranteed, [3, 2, 0])
    hr_client = client_for(hr)
    before = state_and_history(guaranteed, hr_client)

    response = reject(hr_client, guaranteed)

    assert response.status_code == 409
    assert response.json()["code"] == "interview_guarantee"
    assert state_and_history(guaranteed, hr_client) == before
    seen = hr_client.get(url(guaranteed)).json()
    assert seen["interview_guaranteed"] is True
    assert seen["available_actions"] == ["shortlist"]
    # The guaranteed candidate is shortlisted instead
    response = hr_client.post(url(guaranteed, "actions/shortlist/"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "shortlisted"


def test_the_model_transition_itself_refuses_when_the_guarantee_applies(guaranteed, chair, hr):
    agree_rows(guaranteed, [2, 2, 4], chair)
    application = Application.objects.with_assessment_data().get(pk=guaranteed.pk)

    for by in (chair, hr):
        with pytest.raises(TransitionNotAllowed):
            application.reject_at_sift(by=by, description="Bypassing the service.")
        assert application.state == "submitted"
    assert Application.objects.get(pk=guaranteed.pk).state == "submitted"


def test_the_model_transition_refuses_an_incomplete_assessment(guaranteed, chair):
    agree_rows(guaranteed, [3, None, 3], chair)
    application = Application.objects.with_assessment_data().get(pk=guaranteed.pk)

    with pytest.raises(TransitionNotAllowed):
        application.reject_at_sift(by=chair, description="Bypassing the service.")
    assert application.state == "submitted"


def test_the_model_transition_allows_rejecting_a_guaranteed_candidate_who_fails(guaranteed, chair):
    agree_rows(guaranteed, [2, 1, 4], chair)
    application = Application.objects.with_assessment_data().get(pk=guaranteed.pk)

    application.reject_at_sift(by=chair, description="Essential criterion 2 not met.")

    assert application.state == "not_shortlisted"


# --- (b) a guaranteed candidate who fails an essential criterion ----------------------------


def test_a_guaranteed_candidate_below_the_pass_mark_on_one_essential_can_be_rejected(
    guaranteed, chair, hr, client_for
):
    manager = client_for(chair)
    agree_via_api(manager, guaranteed, [4, 1, 4])
    seen = manager.get(url(guaranteed)).json()
    assert seen["interview_guaranteed"] is False
    assert seen["meets_minimum_criteria"] is False
    assert set(seen["available_actions"]) == {"shortlist", "reject"}

    response = reject(manager, guaranteed)

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "not_shortlisted"
    assert response.json()["interview_guaranteed"] is False
    history = client_for(hr).get(url(guaranteed, "history/")).json()
    assert (history[-1]["from"], history[-1]["to"]) == ("submitted", "not_shortlisted")
    assert history[-1]["reason"] == "Does not meet the essential criteria."


# --- (c) an incomplete agreed assessment ----------------------------------------------------


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param(None, id="nothing-agreed"),
        pytest.param([3, None, 4], id="one-essential-not-agreed"),
        pytest.param([None, None, 4], id="only-the-desirable-agreed"),
        pytest.param([0, None, None], id="a-zero-but-incomplete"),
    ],
)
def test_a_guaranteed_candidate_without_a_complete_agreed_assessment_cannot_be_rejected(
    scores, guaranteed, chair, hr, client_for
):
    manager, hr_client = client_for(chair), client_for(hr)
    if scores is not None:
        agree_via_api(manager, guaranteed, scores)
    before = state_and_history(guaranteed, hr_client)

    for client in (manager, hr_client):
        response = reject(client, guaranteed)
        assert response.status_code == 409
        assert response.json()["code"] == "assessment_incomplete"
        assert not [w for w in SCHEME_WORDS if w in response.json()["detail"].lower()]

    assert state_and_history(guaranteed, hr_client) == before
    seen = manager.get(url(guaranteed)).json()
    assert seen["state"] == "submitted"
    assert seen["interview_guaranteed"] is False
    assert seen["meets_minimum_criteria"] is None
    assert seen["available_actions"] == ["shortlist"]


def test_an_unagreed_desirable_criterion_does_not_make_the_assessment_incomplete(
    guaranteed, chair, client_for
):
    manager = client_for(chair)
    agree_via_api(manager, guaranteed, [2, 2, None])

    response = reject(manager, guaranteed)

    assert response.status_code == 409
    assert response.json()["code"] == "interview_guarantee"


# --- (d) a scheme the vacancy does not offer ------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "declared"),
    [
        pytest.param(["care_leaver"], "disability_confident", id="another-scheme-offered"),
        pytest.param([], "disability_confident", id="no-scheme-offered"),
        pytest.param(["armed_forces"], "care_leaver", id="care-leaver-not-offered"),
        pytest.param(SCHEMES, "no_such_scheme", id="unknown-scheme"),
    ],
)
def test_declaring_a_scheme_the_vacancy_does_not_offer_is_refused(
    offered, declared, chair, candidate, client_for
):
    vacancy = VacancyFactory(hiring_manager=chair, interview_guarantees=offered)

    response = client_for(candidate).post(
        "/api/v1/applications/",
        {"vacancy": vacancy.pk, "statement": "Statement.", "interview_guarantee": declared},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["interview_guarantee"]
    assert body["errors"]["interview_guarantee"]
    assert not Application.objects.filter(vacancy=vacancy).exists()


def test_a_declaration_of_a_scheme_no_longer_offered_is_inert(
    vacancy, candidate, chair, hr, client_for
):
    response = client_for(candidate).post(
        "/api/v1/applications/",
        {
            "vacancy": vacancy.pk,
            "statement": "Statement.",
            "interview_guarantee": "disability_confident",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = Application.objects.get(pk=response.json()["id"])
    # The vacancy stops offering the scheme, then closes
    Vacancy.objects.filter(pk=vacancy.pk).update(interview_guarantees=["care_leaver"])
    set_vacancy_status(vacancy, "closed")
    manager = client_for(chair)
    agree_via_api(manager, application, [4, 4, 4])
    seen = manager.get(url(application)).json()
    assert seen["meets_minimum_criteria"] is True
    assert seen["interview_guaranteed"] is False
    assert set(seen["available_actions"]) == {"shortlist", "reject"}

    response = reject(manager, application)

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "not_shortlisted"


# --- (e) the two minimum-criteria rules, at their boundaries --------------------------------

ALL = "all_essential_at_pass_mark"
AGG = "aggregate_60_no_zero"

BOUNDARIES = [
    # rule, pass mark, essential scores, desirable scores, meets
    (ALL, 2, [2, 2], [0], True),
    (ALL, 2, [2, 1], [4], False),
    (ALL, 2, [4, 1], [4], False),
    (ALL, 2, [1, 2], [4], False),
    (ALL, 2, [4, 4], [0], True),
    (ALL, 3, [3, 3], [0], True),
    (ALL, 3, [3, 2], [4], False),
    (ALL, 3, [2, 2], [4], False),
    (ALL, 3, [4, 3, 3], [1], True),
    (ALL, 3, [4, 4, 2], [4], False),
    (ALL, 1, [1, 1], [0], True),
    (ALL, 1, [1, 0], [4], False),
    (ALL, 4, [4, 4], [0], True),
    (ALL, 4, [4, 3], [4], False),
    # two essentials: 8 marks available, 60% = 4.8
    (AGG, 2, [2, 3], [0], True),
    (AGG, 2, [3, 2], [0], True),
    (AGG, 2, [2, 2], [4], False),
    (AGG, 2, [4, 0], [4], False),
    (AGG, 2, [0, 4], [4], False),
    (AGG, 2, [4, 1], [0], True),  # below the pass mark on one: this rule has none
    (AGG, 4, [3, 2], [0], True),  # nor does the pass mark matter
    # three essentials: 12 marks available, 60% = 7.2
    (AGG, 2, [3, 2, 2], [4], False),
    (AGG, 2, [3, 3, 2], [0], True),
    (AGG, 2, [4, 4, 0], [4], False),
    (AGG, 2, [4, 3, 1], [0], True),
]


@pytest.mark.parametrize(
    ("rule", "pass_mark", "essential", "desirable", "meets"),
    [pytest.param(*case, id=f"{case[0]}-pm{case[1]}-{case[2]}-d{case[3]}") for case in BOUNDARIES],
)
def test_minimum_criteria_rule_boundaries(
    rule, pass_mark, essential, desirable, meets, chair, hr, candidate, client_for
):
    vacancy = make_vacancy(
        chair,
        essentials=len(essential),
        desirables=len(desirable),
        pass_mark=pass_mark,
        minimum_criteria_rule=rule,
    )
    application = guaranteed_application(vacancy, candidate)
    manager, hr_client = client_for(chair), client_for(hr)
    agree_via_api(manager, application, essential + desirable)

    seen = hr_client.get(url(application)).json()
    assert seen["meets_minimum_criteria"] is meets
    assert seen["interview_guaranteed"] is meets
    assert ("reject" in seen["available_actions"]) is not meets

    response = reject(manager, application)
    if meets:
        assert response.status_code == 409
        assert response.json()["code"] == "interview_guarantee"
        assert Application.objects.get(pk=application.pk).state == "submitted"
    else:
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "not_shortlisted"


# --- (f) no guarantee declared --------------------------------------------------------------


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param([0, 0, 0], id="zeros"),
        pytest.param([1, 1, 4], id="below-the-pass-mark"),
        pytest.param([4, 4, 4], id="meets-the-criteria"),
        pytest.param(None, id="nothing-agreed"),
    ],
)
def test_a_candidate_without_a_guarantee_can_be_rejected(
    scores, closed_vacancy, application, chair, client_for
):
    manager = client_for(chair)
    if scores is not None:
        agree_via_api(manager, application, scores)
    seen = manager.get(url(application)).json()
    assert seen["interview_guaranteed"] is False
    assert set(seen["available_actions"]) == {"shortlist", "reject"}

    response = reject(manager, application)

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "not_shortlisted"


# --- Property: the rules, computed independently --------------------------------------------


def expected_meets(rule, pass_mark, essential):
    if rule == ALL:
        return all(score >= pass_mark for score in essential)
    available = 4 * len(essential)
    return Fraction(sum(essential)) >= Fraction(6, 10) * available and min(essential) > 0


@st.composite
def criteria_and_scores(draw):
    essential = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    desirable = draw(st.lists(st.integers(0, 4), min_size=0, max_size=2))
    kinds = draw(st.permutations(["essential"] * len(essential) + ["desirable"] * len(desirable)))
    return essential, desirable, kinds


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=criteria_and_scores(),
    pass_mark=st.integers(0, 4),
    rule=st.sampled_from([ALL, AGG]),
)
def test_meets_minimum_criteria_property(data, pass_mark, rule, chair):
    essential, desirable, kinds = data
    with transaction.atomic():
        vacancy = VacancyFactory(
            hiring_manager=chair,
            pass_mark=pass_mark,
            minimum_criteria_rule=rule,
            criteria=[(kind, f"Criterion {i}") for i, kind in enumerate(kinds)],
        )
        application = ApplicationFactory(vacancy=vacancy)
        agreed = AgreedAssessment.objects.create(
            application=application, stage="shortlisting", agreed_by=chair
        )
        pools = {"essential": iter(essential), "desirable": iter(desirable)}
        for criterion in Criterion.objects.filter(vacancy=vacancy):
            AgreedScore.objects.create(
                assessment=agreed, criterion=criterion, score=next(pools[criterion.kind])
            )
        loaded = Application.objects.with_assessment_data().get(pk=application.pk)

        assert assessment.meets_minimum_criteria(loaded) is expected_meets(
            rule, pass_mark, essential
        )
        transaction.set_rollback(True)


def test_the_independent_oracle_matches_the_worked_examples():
    """The property's oracle agrees with the contract's worked figures."""
    assert expected_meets(AGG, 2, [2, 3]) is True
    assert expected_meets(AGG, 2, [2, 2]) is False
    assert expected_meets(AGG, 2, [4, 0]) is False
    assert expected_meets(AGG, 2, [3, 2, 2]) is False
    assert expected_meets(AGG, 2, [3, 3, 2]) is True
    assert expected_meets(ALL, 2, [2, 2]) is True
    assert expected_meets(ALL, 2, [2, 1]) is False
