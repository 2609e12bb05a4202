"""Ranking and ties with the vacancy's settings, the bulk shortlisting decision, completing
the sift (where the interview guarantee is applied) and the high-volume interview limit
(docs/domain.md §2-3).

The vacancy of these tests has criteria [essential, essential, desirable] and offers every
scheme; agreed scores are given in that order."""

from collections import Counter

import pytest
from django.test import Client
from django_fsm import TransitionNotAllowed
from django_fsm_log.models import StateLog
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import DomainError
from recruitment.applications import services
from recruitment.models import Application, GuaranteeStep
from recruitment.scoring import decisions, selectors
from recruitment.scoring import services as services_
from recruitment.scoring.ranking import tie_groups
from tests.recruitment.scoring.test_guarantee import SCHEME_WORDS
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    VacancyFactory,
    agree,
    complete_sift,
    set_state,
    set_vacancy_status,
)
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db


def make(vacancy, scores=None, *, guaranteed=False):
    application = ApplicationFactory(vacancy=vacancy)
    if guaranteed:
        GuaranteeDeclarationFactory(application=application, scheme="care_leaver")
    if scores is not None:
        agree(application, scores)
    return application


def settings_of(vacancy, **fields):
    Vacancy.objects.filter(pk=vacancy.pk).update(**fields)
    return Vacancy.objects.get(pk=vacancy.pk)


def ranking(client, vacancy, stage="shortlisting"):
    response = client.get(f"/api/v1/vacancies/{vacancy.pk}/ranking/?stage={stage}")
    assert response.status_code == 200, response.json()
    return {row["application"]: row for row in response.json()}


def states(*applications):
    return [Application.objects.get(pk=a.pk).state for a in applications]


def history(application):
    return list(
        StateLog.objects.filter(object_id=application.pk)
        .exclude(transition="submit")
        .values_list("transition", "by__username", "description")
    )


# --- Ties: equal totals only, unless the vacancy records a band --------------------------------


def test_by_default_only_equal_agreed_totals_are_ties(closed, chair, client_for):
    a, b, c, d = (make(closed, s) for s in ([3, 3, 2], [2, 3, 3], [3, 2, 2], [3, 2, 1]))

    rows = ranking(client_for(chair), closed)

    assert closed.tie_band == 0
    assert [(rows[x.pk]["total"], rows[x.pk]["tie_group"]) for x in (a, b, c, d)] == [
        (8, 1),
        (8, 1),
        (7, None),
        (6, None),
    ]


def test_a_recorded_band_of_one_ties_totals_within_one_mark_grouped_from_the_top(
    closed, chair, client_for
):
    vacancy = settings_of(closed, tie_band=1, tie_band_reason="Agreed by the panel in advance.")
    a, b, c, d, e = (
        make(vacancy, s) for s in ([4, 3, 3], [3, 3, 3], [3, 3, 2], [2, 3, 3], [1, 2, 2])
    )

    rows = ranking(client_for(chair), vacancy)

    # 10 and 9 tie; 8 and 8 tie with each other but not with 9 (already in the group above,
    # and 10 - 8 is outside the band); 5 ties with no one.
    assert [(rows[x.pk]["total"], rows[x.pk]["tie_group"]) for x in (a, b, c, d, e)] == [
        (10, 1),
        (9, 1),
        (8, 2),
        (8, 2),
        (5, None),
    ]


@settings(max_examples=300, deadline=None)
@given(
    totals=st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=12)), min_size=0, max_size=15
    ),
    band=st.integers(min_value=0, max_value=2),
)
def test_band_ties_are_narrow_and_keep_equal_totals_together(totals, band):
    ordered = sorted(totals, key=lambda t: (t is None, -(t or 0)))

    groups = tie_groups(ordered, band)

    members: dict[int, list[int]] = {}
    for total, group in zip(ordered, groups, strict=True):
        if group is not None:
            members.setdefault(group, []).append(total)
    # Every group has two or more members, all within the band of each other.
    assert all(len(ts) > 1 and max(ts) - min(ts) <= band for ts in members.values())
    # Equal totals are always in the same group (or in none).
    by_total: dict[int, set] = {}
    for total, group in zip(ordered, groups, strict=True):
        if total is not None:
            by_total.setdefault(total, set()).add(group)
    assert all(len(gs) == 1 for gs in by_total.values())
    # A total in no group is unique and has no lower total within the band.
    counts = Counter(t for t in ordered if t is not None)
    for total, group in zip(ordered, groups, strict=True):
        if total is not None and group is None:
            assert counts[total] == 1
            assert not any(total - band <= t < total for t in counts)
    # Numbered 1.. from the top; band 0 is exactly "equal totals".
    tops = [max(members[g]) for g in sorted(members)]
    assert tops == sorted(tops, reverse=True)
    assert sorted(members) == list(range(1, len(members) + 1))
    if band == 0:
        assert groups == tie_groups(ordered)


VACANCY = {
    "title": "Care Worker",
    "reference": "CW-2027-001",
    "department": "Adult Services",
    "grade": "S4",
    "location": "Ely",
    "description": "Home care.",
    "salary_min": 24000,
    "salary_max": 26000,
    "closing_date": "2030-01-31T23:59:00Z",
    "criteria": [{"kind": "essential", "text": "Caring experience"}],
}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tie_band": 1}, "tie_band_reason"),
        ({"tie_band": 1, "tie_band_reason": "   "}, "tie_band_reason"),
        ({"tie_band": 3, "tie_band_reason": "Wide"}, "tie_band"),
        ({"tie_band": -1}, "tie_band"),
        ({"interview_limit": 20}, "interview_limit_reason"),
        ({"interview_limit": 0, "interview_limit_reason": "Peak"}, "interview_limit"),
        ({"interview_limit": "many", "interview_limit_reason": "Peak"}, "interview_limit"),
        ({"randomise_order": "sometimes"}, "randomise_order"),
    ],
)
def test_the_fairness_settings_are_validated_and_nothing_is_created(
    fields, field, hr, chair, client_for
):
    body = VACANCY | {"hiring_manager": chair.pk} | fields

    response = client_for(hr).post("/api/v1/vacancies/", body, format="json")

    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    assert not Vacancy.objects.filter(reference="CW-2027-001").exists()


def test_the_fairness_settings_are_stored_with_their_reasons_and_echoed(hr, chair, client_for):
    body = VACANCY | {
        "hiring_manager": chair.pk,
        "randomise_order": True,
        "tie_band": 1,
        "tie_band_reason": " One mark is within the panel's measurement error. ",
        "interview_limit": 40,
        "interview_limit_reason": "Seasonal campaign: 900 applications expected.",
    }

    response = client_for(hr).post("/api/v1/vacancies/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in body if k.startswith(("randomise", "tie_", "interview_limit"))} == {
        "randomise_order": True,
        "tie_band": 1,
        "tie_band_reason": "One mark is within the panel's measurement error.",
        "interview_limit": 40,
        "interview_limit_reason": "Seasonal campaign: 900 applications expected.",
    }
    defaults = client_for(hr).post(
        "/api/v1/vacancies/",
        VACANCY | {"hiring_manager": chair.pk, "reference": "CW-2027-002"},
        format="json",
    )
    assert {k: defaults.json()[k] for k in ("tie_band", "interview_limit", "randomise_order")} == {
        "tie_band": 0,
        "interview_limit": None,
        "randomise_order": False,
    }


# --- The bulk decision: the same rules, one application at a time ------------------------------


@pytest.fixture
def sift(closed):
    """Four applications at the sift: a guaranteed candidate who meets the minimum criteria
    (total 9), one who fails an essential criterion (5), one not yet assessed, and one with no
    guarantee (7)."""
    return {
        "guaranteed": make(closed, [3, 3, 3], guaranteed=True),
        "fails": make(closed, [1, 2, 2], guaranteed=True),
        "unassessed": make(closed, guaranteed=True),
        "plain": make(closed, [3, 2, 2]),
    }


def outcome_of(outcomes):
    return [(o.reference, o.done, o.code, o.state) for o in outcomes]


def complete(vacancy, by):
    return decisions.sift_complete(vacancy_id=vacancy.pk, by=by, confirm=True)


def test_bulk_rejection_treats_every_candidate_alike(sift, chair):
    """The merit decision is blind: whoever declared, a rejection on agreed scores is done;
    without them it is refused, with the same words for everyone."""
    s = sift

    outcomes = decisions.applications_bulk_decide(
        vacancy_id=s["plain"].vacancy_id,
        by=chair,
        action="reject",
        application_ids=[a.pk for a in s.values()],
        reason="Others evidenced the criteria better.",
    )

    # In ranking order: 9, 7, 5, then the unassessed one.
    assert outcome_of(outcomes) == [
        (s["guaranteed"].reference, True, "", "not_shortlisted"),
        (s["plain"].reference, True, "", "not_shortlisted"),
        (s["fails"].reference, True, "", "not_shortlisted"),
        (s["unassessed"].reference, False, "assessment_incomplete", "submitted"),
    ]
    assert outcomes[3].detail == (
        "Agree a score for every essential criterion before deciding not to shortlist."
    )
    for name in ("guaranteed", "plain", "fails"):
        assert history(s[name]) == [
            ("reject_at_sift", "chair", "Others evidenced the criteria better.")
        ]
    assert history(s["unassessed"]) == []


def test_bulk_shortlisting_records_each_decision(sift, chair):
    outcomes = decisions.applications_bulk_decide(
        vacancy_id=sift["plain"].vacancy_id,
        by=chair,
        action="shortlist",
        application_ids=[sift["guaranteed"].pk, sift["plain"].pk, sift["plain"].pk],
    )

    assert [(o.done, o.state) for o in outcomes] == [(True, "shortlisted"), (True, "shortlisted")]
    assert history(sift["guaranteed"]) == [
        ("shortlist", "chair", "Shortlisted in bulk from the ranking.")
    ]


def test_bulk_shortlisting_while_the_vacancy_is_open_is_refused_for_each(vacancy, chair):
    a, b = make(vacancy, [3, 3, 3]), make(vacancy)

    outcomes = decisions.applications_bulk_decide(
        vacancy_id=vacancy.pk, by=chair, action="shortlist", application_ids=[a.pk, b.pk]
    )

    assert [(o.done, o.code) for o in outcomes] == [
        (False, "vacancy_open"),
        (False, "vacancy_open"),
    ]
    assert states(a, b) == ["submitted", "submitted"]


def test_the_bulk_api_reports_each_outcome(sift, chair, client_for):
    s = sift
    response = client_for(chair).post(
        f"/api/v1/vacancies/{s['plain'].vacancy_id}/decisions/",
        {
            "action": "reject",
            "applications": [s["plain"].pk, s["guaranteed"].pk, s["unassessed"].pk],
            "reason": "No",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "outcomes": [
            {
                "application": s["guaranteed"].pk,
                "reference": s["guaranteed"].reference,
                "action": "reject",
                "done": True,
                "code": "",
                "detail": "",
                "state": "not_shortlisted",
            },
            {
                "application": s["plain"].pk,
                "reference": s["plain"].reference,
                "action": "reject",
                "done": True,
                "code": "",
                "detail": "",
                "state": "not_shortlisted",
            },
            {
                "application": s["unassessed"].pk,
                "reference": s["unassessed"].reference,
                "action": "reject",
                "done": False,
                "code": "assessment_incomplete",
                "detail": "Agree a score for every essential criterion before deciding not "
                "to shortlist.",
                "state": "submitted",
            },
        ]
    }
    assert not any(word in response.content.decode().lower() for word in SCHEME_WORDS)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete", "applications": [1]}, "action"),
        ({"action": "shortlist", "applications": []}, "applications"),
        ({"action": "shortlist", "applications": ["x"]}, "applications"),
        ({"action": "shortlist"}, "applications"),
        ({"action": "reject", "applications": "PLAIN"}, "reason"),
        ({"action": "shortlist", "applications": "OTHER"}, "applications"),
    ],
)
def test_bad_bulk_input_is_a_400_naming_the_field_and_changes_nothing(
    body, field, sift, chair, client_for
):
    other = ApplicationFactory(vacancy=VacancyFactory(hiring_manager=chair))
    body = dict(body)
    if body.get("applications") == "PLAIN":
        body["applications"] = [sift["plain"].pk]
    if body.get("applications") == "OTHER":
        body["applications"] = [sift["plain"].pk, other.pk]

    response = client_for(chair).post(
        f"/api/v1/vacancies/{sift['plain'].vacancy_id}/decisions/", body, format="json"
    )

    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    assert states(*sift.values()) == ["submitted"] * 4


def test_the_bulk_api_is_for_the_chair_and_hr_only(
    sift, panel_member, outsider_manager, hr, client_for
):
    url = f"/api/v1/vacancies/{sift['plain'].vacancy_id}/decisions/"
    body = {"action": "shortlist", "applications": [sift["plain"].pk]}

    forbidden = client_for(panel_member).post(url, body, format="json")
    hidden = client_for(outsider_manager).post(url, body, format="json")

    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "permission_denied")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert states(sift["plain"]) == ["submitted"]
    assert client_for(hr).post(url, body, format="json").status_code == 200
    assert states(sift["plain"]) == ["shortlisted"]


def test_the_ranking_page_decides_in_bulk_and_explains_the_refusal(sift, chair):
    s = sift
    browser = Client()
    browser.force_login(chair)
    url = f"/staff/vacancies/{s['plain'].vacancy_id}/ranking/shortlisting/"
    page = browser.get(url).content.decode()
    assert "How the sift works" in page
    assert "4 applications still need a decision before you can complete the sift: " in page
    assert 'name="confirm"' not in page
    assert not any(word in page.lower() for word in SCHEME_WORDS if word != "guarantee")

    body = {
        "applications": [s["guaranteed"].pk, s["plain"].pk, s["unassessed"].pk],
        "decision": "reject",
        "reason": "No",
    }
    url_decide = f"/staff/vacancies/{s['plain'].vacancy_id}/decisions/"
    asked = browser.post(url_decide, body)
    # Not shortlisting asks first, listing what it would decide; nothing is decided yet.
    assert asked.status_code == 200
    assert "Do not shortlist 3 applications?" in asked.content.decode()
    assert s["guaranteed"].reference in asked.content.decode()
    assert states(s["guaranteed"], s["plain"]) == ["submitted", "submitted"]
    response = browser.post(url_decide, {**body, "confirm": "yes"})

    assert response.status_code == 302
    assert states(s["guaranteed"], s["plain"], s["unassessed"]) == [
        "not_shortlisted",
        "not_shortlisted",
        "submitted",
    ]
    after = browser.get(url).content.decode()
    results = after[
        after.index('id="results"') : after.index("</table>", after.index('id="results"'))
    ]
    assert s["unassessed"].reference in results
    assert "Refused" in results
    assert "Agree a score for every essential criterion" in results
    assert "Done" in results
    # The results are shown once.
    assert 'id="results"' not in browser.get(url).content.decode()


def test_shortlisting_in_bulk_asks_first_and_says_which_have_no_agreed_scores(sift, chair):
    browser = Client()
    browser.force_login(chair)
    url = f"/staff/vacancies/{sift['plain'].vacancy_id}/decisions/"
    body = {
        "applications": [sift["plain"].pk, sift["unassessed"].pk],
        "decision": "shortlist",
        "reason": "",
    }

    asked = browser.post(url, body).content.decode()

    assert "Shortlist 2 applications?" in asked
    assert "told at once" in asked
    assert "1 of them has no agreed score for every criterion" in asked
    assert states(sift["plain"], sift["unassessed"]) == ["submitted", "submitted"]
    one = browser.post(url, {**body, "applications": [sift["plain"].pk]}).content.decode()
    assert "Shortlist 1 application?" in one
    assert "no agreed score" not in one
    done = browser.post(url, {**body, "confirm": "yes"})
    assert done.status_code == 302
    assert states(sift["plain"], sift["unassessed"]) == ["shortlisted", "shortlisted"]


def test_the_ranking_page_asks_for_a_reason_to_reject_and_changes_nothing(sift, chair):
    browser = Client()
    browser.force_login(chair)

    response = browser.post(
        f"/staff/vacancies/{sift['plain'].vacancy_id}/decisions/",
        {"applications": [sift["plain"].pk], "decision": "reject", "reason": ""},
    )

    assert response.status_code == 200
    assert "Enter a reason for not shortlisting" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert states(sift["plain"]) == ["submitted"]


def test_the_ranking_page_and_bulk_decision_are_refused_to_the_panel(sift, panel_member):
    browser = Client()
    browser.force_login(panel_member)
    vacancy_id = sift["plain"].vacancy_id

    assert browser.get(f"/staff/vacancies/{vacancy_id}/ranking/shortlisting/").status_code == 403
    response = browser.post(
        f"/staff/vacancies/{vacancy_id}/decisions/",
        {"applications": [sift["plain"].pk], "decision": "shortlist"},
    )
    assert response.status_code == 403
    assert states(sift["plain"]) == ["submitted"]


# --- Completing the sift ---------------------------------------------------------------------


def test_the_sift_is_completed_only_when_every_application_is_decided(sift, chair, hr):
    vacancy = sift["plain"].vacancy
    decisions.applications_bulk_decide(
        vacancy_id=vacancy.pk,
        by=chair,
        action="reject",
        application_ids=[a.pk for a in sift.values()],
        reason="No",
    )

    with pytest.raises(DomainError) as refused:
        complete(vacancy, chair)

    assert (refused.value.code, refused.value.detail) == (
        "sift_incomplete",
        "1 application still needs a decision: shortlist or reject each one on the agreed "
        "scores before completing the sift.",
    )
    assert Vacancy.objects.get(pk=vacancy.pk).sift_completed_at is None
    assert not GuaranteeStep.objects.exists()
    assert states(*sift.values()) == [
        "not_shortlisted",
        "not_shortlisted",
        "submitted",
        "not_shortlisted",
    ]

    services.application_shortlist(application_id=sift["unassessed"].pk, by=chair)
    done = complete(vacancy, hr)

    assert (done.invited, done.not_shortlisted) == ([sift["guaranteed"].reference], 2)
    completed = Vacancy.objects.get(pk=vacancy.pk)
    assert completed.sift_completed_by == hr
    assert dict(GuaranteeStep.objects.values_list("application__reference", "outcome")) == {
        sift["guaranteed"].reference: "invited",
        sift["fails"].reference: "minimum_not_met",
        sift["unassessed"].reference: "shortlisted_on_merit",
    }
    # A second time is refused and changes nothing
    with pytest.raises(DomainError) as again:
        complete(vacancy, chair)
    assert again.value.code == "sift_complete"
    assert Vacancy.objects.get(pk=vacancy.pk).sift_completed_at == completed.sift_completed_at
    assert GuaranteeStep.objects.count() == 3


def test_the_sift_is_completed_on_a_closed_vacancy_by_the_chair_or_hr_only(
    vacancy, chair, panel_member, outsider_manager, client_for
):
    url = f"/api/v1/vacancies/{vacancy.pk}/complete-sift/"
    yes = {"confirm": True}
    opened = client_for(chair).post(url, yes, format="json")
    assert (opened.status_code, opened.json()["code"]) == (409, "vacancy_open")
    set_vacancy_status(vacancy, "closed")
    panel = client_for(panel_member).post(url, yes, format="json")
    hidden = client_for(outsider_manager).post(url, yes, format="json")
    assert (panel.status_code, panel.json()["code"]) == (403, "permission_denied")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert Vacancy.objects.get(pk=vacancy.pk).sift_completed_at is None
    assert (
        "complete_sift"
        in client_for(chair).get(f"/api/v1/vacancies/{vacancy.pk}/").json()["available_actions"]
    )
    for body in ({}, {"confirm": False}, {"confirm": "maybe"}):
        unconfirmed = client_for(chair).post(url, body, format="json")
        assert unconfirmed.status_code == 400, unconfirmed.json()
        assert list(unconfirmed.json()["errors"]) == ["confirm"]
    assert Vacancy.objects.get(pk=vacancy.pk).sift_completed_at is None
    assert client_for(chair).post(url, yes, format="json").status_code == 200
    after = client_for(chair).get(f"/api/v1/vacancies/{vacancy.pk}/").json()
    assert "complete_sift" not in after["available_actions"]
    assert after["sift_completed_at"] is not None


def test_no_rejection_or_withdrawal_from_not_shortlisted_after_the_sift(
    closed, chair, candidate, client_for
):
    a = ApplicationFactory(vacancy=closed, candidate=candidate)
    agree(a, [1, 1, 1])
    services.application_reject(application_id=a.pk, by=chair, reason="No")
    # Before the sift is complete the candidate, told nothing yet, may still withdraw
    seen = client_for(candidate).get(f"/api/v1/applications/{a.pk}/").json()
    assert (seen["state"], seen["available_actions"]) == ("submitted", ["withdraw"])
    listed = "/api/v1/applications/?state="
    assert client_for(candidate).get(listed + "submitted").json()["count"] == 1
    assert client_for(candidate).get(listed + "not_shortlisted").json()["count"] == 0
    assert client_for(chair).get(listed + "not_shortlisted").json()["count"] == 1
    complete(closed, chair)
    assert client_for(candidate).get(listed + "not_shortlisted").json()["count"] == 1
    assert client_for(candidate).get(listed + "submitted").json()["count"] == 0

    seen = client_for(candidate).get(f"/api/v1/applications/{a.pk}/").json()
    assert (seen["state"], seen["available_actions"]) == ("not_shortlisted", [])
    response = client_for(candidate).post(f"/api/v1/applications/{a.pk}/actions/withdraw/", {})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert states(a) == ["not_shortlisted"]


def test_the_ranking_page_completes_the_sift(closed, chair):
    a = make(closed, [3, 3, 3], guaranteed=True)
    b = make(closed, [3, 3, 3])
    for application in (a, b):
        services.application_reject(application_id=application.pk, by=chair, reason="No")
    browser = Client()
    browser.force_login(chair)

    unconfirmed = browser.post(f"/staff/vacancies/{closed.pk}/complete-sift/")
    assert unconfirmed.status_code == 200
    assert "govuk-error-summary" in unconfirmed.content.decode()
    assert "Confirm that every application has been decided" in unconfirmed.content.decode()
    assert states(a, b) == ["not_shortlisted", "not_shortlisted"]

    response = browser.post(
        f"/staff/vacancies/{closed.pk}/complete-sift/", {"confirm": "yes"}, follow=True
    )

    page = response.content.decode()
    assert (
        "Sift complete. 1 candidate will be told they were not shortlisted. 1 candidate "
        "was invited to interview." in page
    )
    assert "The sift was completed on" in page
    assert states(a, b) == ["shortlisted", "not_shortlisted"]


# --- The high-volume interview limit ------------------------------------------------------------


@pytest.fixture
def campaign(closed):
    """A limit of 2 interviews. Guaranteed candidates meeting the minimum criteria, on their
    essential scores: g1 8, g2 6, g3 4. Others: n1 and n2. Totals (with the desirable 2):
    g1 10, n1 10, g2 8, n2 8, g3 6."""
    vacancy = settings_of(closed, interview_limit=2, interview_limit_reason="Peak season.")
    return vacancy, {
        "g1": make(vacancy, [4, 4, 2], guaranteed=True),
        "g2": make(vacancy, [3, 3, 2], guaranteed=True),
        "g3": make(vacancy, [2, 2, 2], guaranteed=True),
        "n1": make(vacancy, [4, 4, 2]),
        "n2": make(vacancy, [3, 3, 2]),
    }


def decide(apps, chair, *, shortlist=(), reject=()):
    for name in shortlist:
        services.application_shortlist(application_id=apps[name].pk, by=chair)
    for name in reject:
        services.application_reject(application_id=apps[name].pk, by=chair, reason="On merit.")


def test_the_limit_counts_everyone_shortlisted_on_merit_and_reads_no_declaration(
    campaign, chair, client_for
):
    _, apps = campaign
    client = client_for(chair)

    def shortlist(name):
        return client.post(f"/api/v1/applications/{apps[name].pk}/actions/shortlist/", {})

    assert shortlist("n2").status_code == 200
    assert shortlist("g3").status_code == 200
    refused = [shortlist(name) for name in ("g1", "n1")]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [
        (409, "interview_limit_reached")
    ] * 2
    assert (
        refused[0].json()["detail"]
        == refused[1].json()["detail"]
        == ("The interview limit of 2 is reached: 2 shortlisted.")
    )
    assert states(*apps.values()) == [
        "submitted",
        "submitted",
        "shortlisted",
        "submitted",
        "shortlisted",
    ]


def test_completing_the_sift_invites_the_guaranteed_candidates_who_best_meet_the_minimum(
    campaign, chair
):
    vacancy, apps = campaign
    decide(apps, chair, shortlist=("n1", "n2"), reject=("g1", "g2", "g3"))

    done = complete(vacancy, chair)

    assert sorted(done.invited) == sorted([apps["g1"].reference, apps["g2"].reference])
    assert done.not_shortlisted == 1
    assert states(*apps.values()) == [
        "shortlisted",
        "shortlisted",
        "not_shortlisted",
        "shortlisted",
        "shortlisted",
    ]
    steps = {
        s.application_id: (s.outcome, s.essential_total, s.reason)
        for s in GuaranteeStep.objects.all()
    }
    assert steps[apps["g3"].pk] == (
        "outside_interview_limit",
        4,
        "Care leaver (care-experienced) declared; meets the minimum criteria (essential "
        "total 4), but the interview limit of 2 is filled by candidates with a guarantee who "
        "meet them better (essential total 6 or more).",
    )
    assert steps[apps["g1"].pk][:2] == ("invited", 8)
    assert steps[apps["g1"].pk][2].endswith(
        "; among the 2 candidates not shortlisted on merit with a guarantee who best meet "
        "them: invited to interview under the guarantee."
    )
    # The rejected candidate's history says nothing about the limit or the guarantee
    assert history(apps["g3"]) == [("reject_at_sift", "chair", "On merit.")]
    assert history(apps["g1"]) == [
        ("reject_at_sift", "chair", "On merit."),
        ("invite_to_interview", "chair", None),
    ]


def test_candidates_shortlisted_on_merit_do_not_count_among_the_guaranteed_places(campaign, chair):
    """Whether a candidate shortlisted on merit had declared must not change who is invited
    (else the number invited would tell the chair): the places go to the best of those not
    shortlisted on merit."""
    vacancy, apps = campaign
    decide(apps, chair, shortlist=("g1", "n1"), reject=("g2", "g3", "n2"))

    done = complete(vacancy, chair)

    assert sorted(done.invited) == sorted([apps["g2"].reference, apps["g3"].reference])
    assert dict(GuaranteeStep.objects.values_list("application_id", "outcome")) == {
        apps["g1"].pk: "shortlisted_on_merit",
        apps["g2"].pk: "invited",
        apps["g3"].pk: "invited",
    }


def test_who_is_invited_is_the_same_whether_a_merit_shortlisted_candidate_declared(closed, chair):
    """The insider's probe: limit 1; A shortlisted on merit, B (declared) not. B is invited
    whether or not A declared."""
    vacancy = settings_of(closed, interview_limit=1, interview_limit_reason="Peak season.")
    invited = []
    for a_declares in (True, False):
        a = make(vacancy, [4, 4, 4], guaranteed=a_declares)
        b = make(vacancy, [3, 3, 3], guaranteed=True)
        decide({"a": a, "b": b}, chair, shortlist=("a",), reject=("b",))
        invited.append(complete(vacancy, chair).invited == [b.reference])
        Vacancy.objects.filter(pk=vacancy.pk).update(sift_completed_at=None)
        Application.objects.filter(pk__in=[a.pk, b.pk]).update(state="withdrawn")
        GuaranteeStep.objects.all().delete()
    assert invited == [True, True]


def test_the_limit_through_the_bulk_path(campaign, chair):
    vacancy, apps = campaign

    shortlisted = decisions.applications_bulk_decide(
        vacancy_id=vacancy.pk,
        by=chair,
        action="shortlist",
        application_ids=[a.pk for a in apps.values()],
    )

    by_ref = {a.reference: name for name, a in apps.items()}
    # In ranking order, g1 and n1 (10 each) take the two places.
    assert {by_ref[o.reference]: (o.done, o.code) for o in shortlisted} == {
        "g1": (True, ""),
        "n1": (True, ""),
        "g2": (False, "interview_limit_reached"),
        "n2": (False, "interview_limit_reached"),
        "g3": (False, "interview_limit_reached"),
    }


def test_candidates_equal_at_the_boundary_are_all_invited(closed, chair):
    vacancy = settings_of(closed, interview_limit=1, interview_limit_reason="Peak season.")
    a, b = make(vacancy, [3, 3, 4], guaranteed=True), make(vacancy, [3, 3, 0], guaranteed=True)
    decide({"a": a, "b": b}, chair, reject=("a", "b"))

    done = complete(vacancy, chair)

    assert sorted(done.invited) == sorted([a.reference, b.reference])


def test_the_model_transition_itself_enforces_the_limit(campaign, chair):
    _, apps = campaign
    decide(apps, chair, shortlist=("n1", "n2"))
    application = Application.objects.with_assessment_data().get(pk=apps["g1"].pk)

    with pytest.raises(TransitionNotAllowed):
        application.shortlist(by=chair)


def test_withdrawn_candidates_leave_the_plan(campaign, chair):
    vacancy, apps = campaign
    set_state(apps["g1"], "withdrawn")
    decide(apps, chair, shortlist=("n1", "n2"), reject=("g2", "g3"))

    done = complete(vacancy, chair)

    assert sorted(done.invited) == sorted([apps["g2"].reference, apps["g3"].reference])
    assert GuaranteeStep.objects.get(application=apps["g1"]).outcome == "withdrawn"


def test_listing_a_limited_vacancys_applications_counts_the_limit_once(
    closed, chair, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    vacancy = settings_of(closed, interview_limit=5, interview_limit_reason="Peak season.")
    client = client_for(chair)
    url = f"/api/v1/applications/?vacancy={vacancy.pk}&page_size=50"
    for _ in range(3):
        make(vacancy, [3, 3, 3], guaranteed=True)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(9):
        make(vacancy, [2, 2, i % 3], guaranteed=bool(i % 2))

    with django_assert_num_queries(len(small)):
        response = client.get(url)

    results = response.json()["results"]
    assert len(results) == 12
    assert all(r["available_actions"] == ["shortlist", "reject"] for r in results)
    assert all("guarantee_step" not in r and "interview_guaranteed" not in r for r in results)


def test_the_interview_limit_and_its_reason_are_on_the_audit_log(hr, chair, client_for):
    from auditlog.models import LogEntry

    body = VACANCY | {
        "hiring_manager": chair.pk,
        "interview_limit": 40,
        "interview_limit_reason": "Seasonal campaign.",
    }
    vacancy = Vacancy.objects.get(
        pk=client_for(hr).post("/api/v1/vacancies/", body, format="json").json()["id"]
    )

    entry = LogEntry.objects.get_for_object(vacancy).get(action=LogEntry.Action.CREATE)
    assert entry.actor == hr
    assert entry.changes_dict["interview_limit"] == ["None", "40"]
    assert entry.changes_dict["interview_limit_reason"] == ["None", "Seasonal campaign."]
    assert entry.changes_dict["tie_band"] == ["None", "0"]


# --- What the insider review found, held -----------------------------------------------------


def test_a_candidate_meets_no_refusal_that_gives_the_hidden_decision_away(
    closed, chair, candidate, other_candidate, client_for
):
    """Every candidate action on an application rejected at sift (not yet told) answers as
    on one still undecided: the refusals name the state the candidate is told."""
    hidden = ApplicationFactory(vacancy=closed, candidate=candidate)
    undecided = ApplicationFactory(vacancy=closed, candidate=other_candidate)
    agree(hidden, [1, 1, 1])
    services.application_reject(application_id=hidden.pk, by=chair, reason="No.")

    def answers(application, user):
        client = client_for(user)
        got = []
        for action in ("accept_offer", "decline_offer"):
            response = client.post(f"/api/v1/applications/{application.pk}/actions/{action}/")
            got.append((response.status_code, response.json()))
        response = client.post(
            f"/api/v1/applications/{application.pk}/adjustments/",
            {"stage": "interview", "category": "rest_breaks", "details": "Breaks."},
            format="json",
        )
        got.append((response.status_code, sorted(response.json())))
        return got

    assert answers(hidden, candidate) == answers(undecided, other_candidate)
    assert answers(hidden, candidate)[0] == (
        409,
        {
            "code": "invalid_transition",
            "detail": "Cannot accept offer this application: it is submitted.",
        },
    )


def test_a_rejection_at_sift_needs_a_closed_vacancy_and_scores_not_reopened(
    vacancy, chair, panel_member, client_for
):
    application = make(vacancy, [1, 1, 1])
    url = f"/api/v1/applications/{application.pk}/actions/reject/"
    opened = client_for(chair).post(url, {"reason": "No."}, format="json")
    assert (opened.status_code, opened.json()["code"]) == (409, "vacancy_open")
    set_vacancy_status(vacancy, "closed")
    services_.scores_submit(
        application_id=application.pk,
        by=panel_member,
        stage="shortlisting",
        scores=[services_.ScoreInput(c.pk, 3) for c in vacancy.criteria.all()],
    )  # after the agreement: it is reopened
    reopened = client_for(chair).post(url, {"reason": "No."}, format="json")
    assert (reopened.status_code, reopened.json()["code"]) == (409, "assessment_out_of_date")
    assert states(application) == ["submitted"]
    set_vacancy_status(vacancy, "cancelled")
    cancelled = client_for(chair).post(url, {"reason": "No."}, format="json")
    assert (cancelled.status_code, cancelled.json()["code"]) == (409, "invalid_transition")


def test_an_offer_waits_for_every_shortlisted_candidate_to_be_interviewed(closed, chair):
    interviewed = make(closed, [3, 3, 3])
    invited = make(closed, [2, 2, 2], guaranteed=True)
    services.application_shortlist(application_id=interviewed.pk, by=chair)
    services.application_reject(application_id=invited.pk, by=chair, reason="On merit.")
    complete(closed, chair)
    interviewed = set_state(interviewed, "interviewed", "interviewed")
    agree(interviewed, [3, 3, 3], stage="interview")

    with pytest.raises(DomainError) as refused:
        services.application_offer(application_id=interviewed.pk, by=chair)

    assert (refused.value.code, refused.value.detail) == (
        "interviews_outstanding",
        "1 shortlisted candidate has not been interviewed yet: record their interviews (or "
        "their withdrawal) before making an offer.",
    )
    set_state(invited, "interviewed", "interviewed")
    services.application_reject(application_id=invited.pk, by=chair, reason="After interview.")
    assert services.application_offer(application_id=interviewed.pk, by=chair).state == "offered"


def test_the_tie_breaker_is_marked_at_interview_only_once_the_sift_is_complete(closed, chair):
    from tests.support.factories import PositiveActionDeclarationFactory, PositiveActionPlanFactory

    PositiveActionPlanFactory(vacancy=closed)
    a, b = make(closed, [3, 3, 3]), make(closed, [3, 3, 3])
    PositiveActionDeclarationFactory(application=a)
    for application in (a, b):
        Application.objects.filter(pk=application.pk).update(
            state="interviewed", furthest_stage="interviewed"
        )
        agree(application, [3, 3, 3], stage="interview")

    def eligible():
        vacancy = Vacancy.objects.get(pk=closed.pk)
        ranked = selectors.vacancy_ranking(vacancy, "interview")
        return {r.application.pk: r.positive_action_eligible for r in ranked}

    assert eligible() == {a.pk: False, b.pk: False}
    complete_sift(closed)
    assert eligible() == {a.pk: True, b.pk: False}
