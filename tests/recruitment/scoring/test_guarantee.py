"""The interview guarantee (Disability Confident, care leavers, armed forces), over the API.

docs/domain.md §2: the chair decides the sift on the agreed scores alone, and nothing the
panel or the chair reads differs between a candidate who declared a scheme and one who did
not (tests/recruitment/scoring/test_blind_sift.py compares every channel). A rejection at sift rests on agreed
scores for every essential criterion, for everyone alike. When every application is decided,
completing the sift applies the guarantee: every candidate who declared a scheme the vacancy
offers, meets the minimum criteria and was not shortlisted on merit is invited to interview,
with an HR-only record of why; the panel sees only "invited to interview".
"""

from fractions import Fraction

import pytest
from django.db import transaction
from django_fsm import TransitionNotAllowed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitment.models import AgreedAssessment, AgreedScore, Application, GuaranteeStep
from recruitment.scoring import assessment, decisions, guarantee
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    VacancyFactory,
    set_state,
    set_vacancy_status,
)
from vacancies.models import Criterion, GuaranteeScheme, Vacancy

pytestmark = pytest.mark.django_db

SCHEMES = ["disability_confident", "care_leaver", "armed_forces"]
#: Words that would tell a panel which scheme a candidate declared, or that one applies.
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
    "guarantee",
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


def reject(client, application, reason="Others meet the criteria better."):
    return client.post(url(application, "actions/reject/"), {"reason": reason}, format="json")


def complete_sift(client, vacancy):
    return client.post(
        f"/api/v1/vacancies/{vacancy.pk}/complete-sift/", {"confirm": True}, format="json"
    )


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


def step_of(application):
    return (
        GuaranteeStep.objects.filter(application=application)
        .values_list("outcome", "essential_total")
        .first()
    )


@pytest.fixture
def guaranteed(closed, application):
    GuaranteeDeclarationFactory(application=application, scheme="disability_confident")
    return application


# --- (a) a guaranteed candidate who meets the minimum criteria ------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_guaranteed_candidate_not_chosen_on_merit_is_invited_when_the_sift_is_complete(
    scheme,
    vacancy,
    candidate,
    chair,
    panel_member,
    hr,
    client_for,
    mailoutbox,
    eager,
    django_capture_on_commit_callbacks,
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
    assert agree_via_api(manager, application, [2, 2, 0])["agreed"]["total"] == 4
    # The chair sees a candidate like any other: both decisions open, nothing marked
    seen = manager.get(url(application)).json()
    assert seen["available_actions"] == ["shortlist", "reject"]
    assert {"interview_guarantee", "guarantee_step", "interview_guaranteed"}.isdisjoint(seen)

    # When the chair decides, on merit, not to shortlist
    with django_capture_on_commit_callbacks(execute=True):
        response = reject(manager, application)

    # Then the decision is recorded as for anyone, and the candidate is not told yet
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "not_shortlisted"
    assert not [w for w in SCHEME_WORDS if w in response.content.decode().lower()]
    assert mailoutbox == []
    assert client_for(candidate).get(url(application)).json()["state"] == "submitted"

    # When the chair completes the sift
    with django_capture_on_commit_callbacks(execute=True):
        response = complete_sift(manager, vacancy)

    # Then the candidate is invited to interview, and the answer names no scheme
    assert response.status_code == 200, response.json()
    assert response.json()["invited"] == [application.reference]
    assert response.json()["not_shortlisted"] == 0
    assert not [w for w in SCHEME_WORDS if w in response.content.decode().lower()]
    row = Application.objects.get(pk=application.pk)
    assert (row.state, row.furthest_stage) == ("shortlisted", "shortlisted")
    # The panel and the chair see "invited to interview", neutral, with no reason
    for client in (manager, client_for(panel_member)):
        history = client.get(url(application, "history/")).json()
        assert [(h["transition"], h["from"], h["to"], h["reason"]) for h in history[-1:]] == [
            ("invite_to_interview", "not_shortlisted", "shortlisted", None)
        ]
        body = client.get(url(application)).content.decode().lower()
        assert not [w for w in [scheme, *SCHEME_WORDS] if w in body]
    # HR reads what the guarantee did, and why
    step = hr_client.get(url(application)).json()["guarantee_step"]
    assert step["outcome"] == "invited"
    assert step["essential_total"] == 4
    assert GuaranteeScheme(scheme).label in step["reason"]
    assert hr_client.get(url(application)).json()["interview_guarantee"] == scheme
    # The candidate gets the shortlisting message, never a "not shortlisted" one
    assert [m.subject for m in mailoutbox] == [f"You have been shortlisted: {vacancy.title}"]


def test_hr_completing_the_sift_applies_the_guarantee_the_same_way(
    guaranteed, chair, hr, client_for
):
    agree_via_api(client_for(chair), guaranteed, [3, 2, 0])
    hr_client = client_for(hr)
    assert reject(hr_client, guaranteed).status_code == 200

    response = complete_sift(hr_client, guaranteed.vacancy)

    assert response.status_code == 200, response.json()
    assert response.json()["invited"] == [guaranteed.reference]
    assert step_of(guaranteed) == ("invited", 5)
    assert hr_client.get(url(guaranteed)).json()["state"] == "shortlisted"


def test_a_guaranteed_candidate_shortlisted_on_merit_is_recorded_as_such(
    guaranteed, chair, client_for
):
    manager = client_for(chair)
    agree_via_api(manager, guaranteed, [4, 4, 4])
    assert manager.post(url(guaranteed, "actions/shortlist/"), {}, format="json").status_code == 200

    response = complete_sift(manager, guaranteed.vacancy)

    assert response.json()["invited"] == []
    assert step_of(guaranteed) == ("shortlisted_on_merit", 8)
    history = manager.get(url(guaranteed, "history/")).json()
    assert [h["transition"] for h in history] == ["shortlist"]


def test_the_model_transition_refuses_a_rejection_without_agreed_essential_scores(
    closed, guaranteed, chair, hr, other_candidate
):
    """For everyone alike: the rule reads no declaration."""
    plain = ApplicationFactory(vacancy=closed, candidate=other_candidate)
    for application in (guaranteed, plain):
        agree_rows(application, [3, None, 3], chair)
        loaded = Application.objects.with_assessment_data().get(pk=application.pk)
        with pytest.raises(TransitionNotAllowed):
            loaded.reject_at_sift(by=chair, description="Bypassing the service.")
        assert Application.objects.get(pk=application.pk).state == "submitted"


def test_the_model_transition_allows_rejecting_anyone_on_agreed_scores(guaranteed, chair):
    agree_rows(guaranteed, [4, 4, 4], chair)
    application = Application.objects.with_assessment_data().get(pk=guaranteed.pk)

    application.reject_at_sift(by=chair, description="Others meet the criteria better.")

    assert application.state == "not_shortlisted"


def test_inviting_is_not_an_action_anyone_takes_on_one_application(
    guaranteed, chair, hr, client_for
):
    manager = client_for(chair)
    agree_via_api(manager, guaranteed, [3, 3, 3])
    reject(manager, guaranteed)
    for client in (manager, client_for(hr)):
        response = client.post(url(guaranteed, "actions/invite_to_interview/"), {}, format="json")
        assert response.status_code == 404
    assert Application.objects.get(pk=guaranteed.pk).state == "not_shortlisted"
    # And once the sift is complete, the transition itself is closed
    complete_sift(manager, guaranteed.vacancy)
    set_back = Application.objects.filter(pk=guaranteed.pk)
    set_back.update(state="not_shortlisted")
    loaded = Application.objects.with_assessment_data().get(pk=guaranteed.pk)
    with pytest.raises(TransitionNotAllowed):
        loaded.invite_to_interview(by=chair)


# --- (b) a guaranteed candidate who fails an essential criterion ----------------------------


def test_a_guaranteed_candidate_below_the_pass_mark_is_not_invited_and_is_told(
    guaranteed, chair, hr, client_for, mailoutbox, eager, django_capture_on_commit_callbacks
):
    manager = client_for(chair)
    agree_via_api(manager, guaranteed, [4, 1, 4])
    with django_capture_on_commit_callbacks(execute=True):
        assert reject(manager, guaranteed).status_code == 200
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = complete_sift(manager, guaranteed.vacancy)

    assert response.json() | {"sift_completed_at": None} == {
        "sift_completed_at": None,
        "invited": [],
        "not_shortlisted": 1,
    }
    assert Application.objects.get(pk=guaranteed.pk).state == "not_shortlisted"
    step = client_for(hr).get(url(guaranteed)).json()["guarantee_step"]
    assert (step["outcome"], step["essential_total"]) == ("minimum_not_met", 5)
    assert [m.subject for m in mailoutbox] == [f"Your application for {guaranteed.vacancy.title}"]


# --- (c) a rejection rests on a complete agreed assessment, for everyone ------------------


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param(None, id="nothing-agreed"),
        pytest.param([3, None, 4], id="one-essential-not-agreed"),
        pytest.param([None, None, 4], id="only-the-desirable-agreed"),
        pytest.param([0, None, None], id="a-zero-but-incomplete"),
    ],
)
def test_without_a_complete_agreed_assessment_nobody_can_be_rejected_and_the_refusal_is_the_same(
    scores, guaranteed, closed, other_candidate, chair, hr, client_for
):
    plain = ApplicationFactory(vacancy=closed, candidate=other_candidate)
    manager, hr_client = client_for(chair), client_for(hr)
    answers = []
    for application in (guaranteed, plain):
        if scores is not None:
            agree_via_api(manager, application, scores)
        before = state_and_history(application, hr_client)
        for client in (manager, hr_client):
            response = reject(client, application)
            assert response.status_code == 409
            answers.append(response.json())
        assert state_and_history(application, hr_client) == before
        seen = manager.get(url(application)).json()
        assert seen["meets_minimum_criteria"] is None
        assert seen["available_actions"] == ["shortlist"]
    assert answers[0]["code"] == "assessment_incomplete"
    assert all(answer == answers[0] for answer in answers)


def test_an_unagreed_desirable_criterion_does_not_hold_a_rejection_up(
    guaranteed, chair, client_for
):
    manager = client_for(chair)
    agree_via_api(manager, guaranteed, [2, 2, None])

    response = reject(manager, guaranteed)

    assert response.status_code == 200
    assert response.json()["state"] == "not_shortlisted"


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
    assert reject(manager, application).status_code == 200

    response = complete_sift(manager, vacancy)

    assert response.json()["invited"] == []
    assert response.json()["not_shortlisted"] == 1
    assert Application.objects.get(pk=application.pk).state == "not_shortlisted"
    assert step_of(application) is None


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
    assert hr_client.get(url(application)).json()["meets_minimum_criteria"] is meets
    assert reject(manager, application).status_code == 200

    response = complete_sift(manager, vacancy)

    assert response.status_code == 200, response.json()
    assert response.json()["invited"] == ([application.reference] if meets else [])
    assert Application.objects.get(pk=application.pk).state == (
        "shortlisted" if meets else "not_shortlisted"
    )
    assert step_of(application) == (
        "invited" if meets else "minimum_not_met",
        sum(essential),
    )


# --- (f) no guarantee declared --------------------------------------------------------------


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param([0, 0, 0], id="zeros"),
        pytest.param([1, 1, 4], id="below-the-pass-mark"),
        pytest.param([4, 4, 4], id="meets-the-criteria"),
    ],
)
def test_a_candidate_without_a_guarantee_stays_not_shortlisted(
    scores, closed, application, chair, client_for
):
    manager = client_for(chair)
    agree_via_api(manager, application, scores)
    assert set(manager.get(url(application)).json()["available_actions"]) == {
        "shortlist",
        "reject",
    }
    assert reject(manager, application).json()["state"] == "not_shortlisted"

    response = complete_sift(manager, closed)

    assert response.json()["invited"] == []
    assert Application.objects.get(pk=application.pk).state == "not_shortlisted"
    assert step_of(application) is None


def test_the_pure_plan_reads_each_case(chair, candidate, other_candidate):
    """``guarantee.guarantee_plan`` on loaded rows, no service involved."""
    vacancy = make_vacancy(chair, interview_guarantees=SCHEMES)
    meets = guaranteed_application(vacancy, candidate, "care_leaver")
    fails = guaranteed_application(vacancy, other_candidate, "armed_forces")
    agree_rows(meets, [2, 3, 0], chair)
    agree_rows(fails, [0, 4, 4], chair)
    for application in (meets, fails):  # decided on merit: not shortlisted
        set_state(application, "not_shortlisted")
    services_rows = Application.objects.for_ranking(vacancy)

    plan = guarantee.guarantee_plan(vacancy, services_rows)

    assert [(d.application.pk, d.outcome, d.essential_total) for d in plan] == sorted(
        [(meets.pk, "invited", 5), (fails.pk, "minimum_not_met", 4)],
        key=lambda row: Application.objects.get(pk=row[0]).reference,
    )
    assert "Care leaver" in next(d.reason for d in plan if d.application.pk == meets.pk)
    assert decisions.sift_complete  # the service that applies it (tested above)


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
