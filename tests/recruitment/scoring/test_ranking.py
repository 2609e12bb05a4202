"""Ranking by agreed totals, tie groups, and the positive-action tie-breaker at offer."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.models import Application, OfferDecision
from recruitment.scoring.ranking import tie_groups
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    PositiveActionDeclarationFactory,
    PositiveActionPlanFactory,
    agree,
    set_state,
    set_vacancy_status,
)

pytestmark = pytest.mark.django_db


def ranking(client, vacancy, stage="shortlisting"):
    response = client.get(f"/api/v1/vacancies/{vacancy.pk}/ranking/?stage={stage}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_ranking_orders_by_agreed_total_and_numbers_only_equal_totals_as_ties(
    vacancy, chair, client_for
):
    PositiveActionPlanFactory(vacancy=vacancy)
    totals = {"a": [4, 4, 4], "b": [3, 3, 2], "c": [2, 3, 3], "d": [2, 2, 1], "e": [2, 2, 0]}
    apps = {name: ApplicationFactory(vacancy=vacancy) for name in totals}
    for name, scores in totals.items():
        agree(apps[name], scores)
    GuaranteeDeclarationFactory(application=apps["e"], scheme="care_leaver")
    PositiveActionDeclarationFactory(application=apps["c"])
    PositiveActionDeclarationFactory(application=apps["a"])
    unscored = ApplicationFactory(vacancy=vacancy)

    rows = ranking(client_for(chair), vacancy)

    by_id = {row["application"]: row for row in rows}
    assert [row["total"] for row in rows] == [12, 8, 8, 5, 4, None]
    assert rows[-1]["application"] == unscored.pk
    assert {by_id[apps[n].pk]["tie_group"] for n in "bc"} == {1}
    assert [by_id[apps[n].pk]["tie_group"] for n in "ade"] == [None, None, None]
    # At the sift nobody is marked: s.159 is used at the offer, so the sift ranking never
    # shows who made the positive-action declaration.
    assert [row["positive_action_eligible"] for row in rows] == [False] * 6
    # e (declared a scheme) and d (did not) both meet the minimum on [2, 2]: their rows
    # differ in nothing but the application and the total.
    assert by_id[apps["e"].pk]["meets_minimum_criteria"] is True
    assert by_id[apps["d"].pk]["meets_minimum_criteria"] is True
    ignore = {"application", "reference", "total"}
    assert {k: v for k, v in by_id[apps["e"].pk].items() if k not in ignore} == {
        k: v for k, v in by_id[apps["d"].pk].items() if k not in ignore
    }
    assert by_id[unscored.pk]["meets_minimum_criteria"] is None
    # The contract's ranking fields, less ``interview_guaranteed`` (README, "Where this
    # differs"): the sift ranking marks nothing anyone declared.
    assert set(rows[0]) == {
        "application",
        "reference",
        "total",
        "meets_minimum_criteria",
        "tie_group",
        "positive_action_eligible",
    }


def test_positive_action_is_eligible_only_at_interview_inside_a_tie(vacancy, chair, client_for):
    """Eligible only at the interview stage, inside a tie, with the declaration, on a
    vacancy with a plan."""
    PositiveActionPlanFactory(vacancy=vacancy)
    totals = {"a": [4, 4, 4], "b": [3, 3, 2], "c": [2, 3, 3]}
    apps = {
        name: set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
        for name in totals
    }
    for name, scores in totals.items():
        agree(apps[name], scores, stage="interview")
        agree(apps[name], scores)  # the same totals at the sift
    PositiveActionDeclarationFactory(application=apps["c"])
    PositiveActionDeclarationFactory(application=apps["a"])

    interview = {r["application"]: r for r in ranking(client_for(chair), vacancy, "interview")}
    sift = ranking(client_for(chair), vacancy, "shortlisting")

    assert interview[apps["c"].pk]["positive_action_eligible"] is True  # tied, declared
    assert interview[apps["b"].pk]["positive_action_eligible"] is False  # tied, not declared
    assert interview[apps["a"].pk]["positive_action_eligible"] is False  # declared, no tie
    assert [r["positive_action_eligible"] for r in sift] == [False, False, False]


def test_ranking_is_for_the_chair_and_hr_only(vacancy, panel_member, hr, candidate, client_for):
    assert client_for(hr).get(f"/api/v1/vacancies/{vacancy.pk}/ranking/").status_code == 200
    response = client_for(panel_member).get(f"/api/v1/vacancies/{vacancy.pk}/ranking/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    set_vacancy_status(vacancy, "closed")
    response = client_for(candidate).get(f"/api/v1/vacancies/{vacancy.pk}/ranking/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_withdrawn_applications_are_not_ranked(vacancy, chair, client_for):
    kept = ApplicationFactory(vacancy=vacancy)
    gone = ApplicationFactory(vacancy=vacancy)
    agree(kept, [2, 2, 2])
    agree(gone, [2, 2, 2])
    set_state(gone, "withdrawn")

    rows = ranking(client_for(chair), vacancy)

    assert [(r["application"], r["tie_group"]) for r in rows] == [(kept.pk, None)]


@settings(max_examples=200, deadline=None)
@given(
    totals=st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=12)), min_size=0, max_size=15
    )
)
def test_ties_are_found_if_and_only_if_totals_are_equal(totals):
    ordered = sorted(totals, key=lambda t: (t is None, -(t or 0)))

    groups = tie_groups(ordered)

    counts = Counter(t for t in ordered if t is not None)
    for total, group in zip(ordered, groups, strict=True):
        assert (group is not None) == (total is not None and counts[total] > 1)
    members: dict[int, set[int]] = {}
    for total, group in zip(ordered, groups, strict=True):
        if group is not None:
            members.setdefault(group, set()).add(total)
    # One total per group, one group per shared total, numbered 1.. from the top.
    assert all(len(ts) == 1 for ts in members.values())
    assert len(members) == sum(1 for c in counts.values() if c > 1)
    assert [next(iter(members[g])) for g in sorted(members)] == sorted(
        {t for t, c in counts.items() if c > 1}, reverse=True
    )
    assert sorted(members) == list(range(1, len(members) + 1))


# --- The tie-breaker at offer ----------------------------------------------------------------


@pytest.fixture
def interviewed_pair(vacancy):
    """Two interviewed candidates tied on the interview scores; the second declared."""
    PositiveActionPlanFactory(vacancy=vacancy)
    set_vacancy_status(vacancy, "closed")
    first = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    second = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    PositiveActionDeclarationFactory(application=second)
    return first, second


def offer(client, application, body):
    return client.post(f"/api/v1/applications/{application.pk}/actions/offer/", body, format="json")


def test_positive_action_is_refused_off_a_tie(interviewed_pair, chair, client_for):
    first, second = interviewed_pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 2], stage="interview")

    response = offer(client_for(chair), second, {"positive_action": {"justification": "Why"}})

    assert (response.status_code, response.json()["code"]) == (
        409,
        "positive_action_not_applicable",
    )
    assert Application.objects.get(pk=second.pk).state == "interviewed"
    assert not OfferDecision.objects.exists()


def test_positive_action_is_refused_for_the_tied_candidate_who_did_not_declare(
    interviewed_pair, chair, client_for
):
    first, second = interviewed_pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")

    response = offer(client_for(chair), first, {"positive_action": {"justification": "Why"}})

    assert response.json()["code"] == "positive_action_not_applicable"
    assert Application.objects.get(pk=first.pk).state == "interviewed"


def test_positive_action_on_a_tie_needs_a_justification(interviewed_pair, chair, client_for):
    first, second = interviewed_pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")

    response = offer(client_for(chair), second, {"positive_action": {"justification": "  "}})

    assert response.status_code == 400
    assert "positive_action" in response.json()["errors"]
    assert Application.objects.get(pk=second.pk).state == "interviewed"


def test_positive_action_on_a_tie_is_recorded_with_who_why_and_the_evidence(
    interviewed_pair, chair, client_for
):
    first, second = interviewed_pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")
    justification = "Equal merit at interview; ethnic minorities under-represented at P3."

    response = offer(
        client_for(chair), second, {"positive_action": {"justification": justification}}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "offered"
    decision = OfferDecision.objects.get(application=second)
    assert decision.positive_action_used is True
    assert decision.justification == justification
    assert decision.decided_by == chair
    assert decision.tied_with == [first.reference]
    assert decision.evidence.startswith("22% of officers")


def test_a_plain_offer_records_that_positive_action_was_not_used(
    interviewed_pair, chair, client_for
):
    first, second = interviewed_pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [2, 2, 2], stage="interview")

    assert offer(client_for(chair), first, {}).status_code == 200

    decision = OfferDecision.objects.get(application=first)
    assert (decision.positive_action_used, decision.justification, decision.tied_with) == (
        False,
        "",
        [],
    )
