"""Ranking and ties with the vacancy's settings, the bulk shortlisting decision, and the
high-volume interview limit against the interview guarantee (docs/domain.md §2-3).

The vacancy of these tests has criteria [essential, essential, desirable] and offers every
scheme; agreed scores are given in that order."""

from collections import Counter

import pytest
from django.test import Client
from django_fsm import TransitionNotAllowed
from django_fsm_log.models import StateLog
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment import assessment, services
from recruitment.models import Application
from tests.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    VacancyFactory,
    agree,
    set_state,
    set_vacancy_status,
)
from tests.test_guarantee import SCHEME_WORDS
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

LIMIT_NOTE = (
    "(Interview limit of 2: not among the candidates with a guaranteed interview who best meet "
    "the minimum criteria.)"
)


@pytest.fixture
def closed(vacancy):
    return set_vacancy_status(vacancy, "closed")


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

    groups = assessment.tie_groups(ordered, band)

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
        assert groups == assessment.tie_groups(ordered)


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


# --- The bulk decision: the same guard, one application at a time -------------------------------


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


def test_bulk_rejection_never_rejects_a_guaranteed_candidate_who_meets_the_minimum(sift, chair):
    s = sift

    outcomes = services.applications_bulk_decide(
        vacancy_id=s["plain"].vacancy_id,
        by=chair,
        action="reject",
        application_ids=[a.pk for a in s.values()],
        reason="Others evidenced the criteria better.",
    )

    # In ranking order: 9, 7, 5, then the unassessed one.
    assert outcome_of(outcomes) == [
        (s["guaranteed"].reference, False, "interview_guarantee", "submitted"),
        (s["plain"].reference, True, "", "not_shortlisted"),
        (s["fails"].reference, True, "", "not_shortlisted"),
        (s["unassessed"].reference, False, "assessment_incomplete", "submitted"),
    ]
    assert outcomes[0].detail == (
        "Interview guaranteed: this candidate meets the minimum criteria, so they must be "
        "offered an interview."
    )
    assert history(s["plain"]) == [
        ("reject_at_sift", "chair", "Others evidenced the criteria better.")
    ]
    assert history(s["guaranteed"]) == []
    assert history(s["unassessed"]) == []


def test_bulk_shortlisting_records_each_decision(sift, chair):
    outcomes = services.applications_bulk_decide(
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

    outcomes = services.applications_bulk_decide(
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
        {"action": "reject", "applications": [s["plain"].pk, s["guaranteed"].pk], "reason": "No"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "outcomes": [
            {
                "application": s["guaranteed"].pk,
                "reference": s["guaranteed"].reference,
                "action": "reject",
                "done": False,
                "code": "interview_guarantee",
                "detail": "Interview guaranteed: this candidate meets the minimum criteria, so "
                "they must be offered an interview.",
                "state": "submitted",
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
    assert "Interview guaranteed" in page
    assert "entitled to a guaranteed interview" in page
    assert not any(word in page.lower() for word in SCHEME_WORDS)

    response = browser.post(
        f"/staff/vacancies/{s['plain'].vacancy_id}/decisions/",
        {"applications": [s["guaranteed"].pk, s["plain"].pk], "decision": "reject", "reason": "No"},
    )

    assert response.status_code == 302
    assert states(s["guaranteed"], s["plain"]) == ["submitted", "not_shortlisted"]
    after = browser.get(url).content.decode()
    results = after[
        after.index('id="results"') : after.index("</table>", after.index('id="results"'))
    ]
    assert s["guaranteed"].reference in results
    assert "Refused" in results
    assert "they must be offered an interview" in results
    assert "Done" in results
    # The results are shown once.
    assert 'id="results"' not in browser.get(url).content.decode()


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


def test_under_the_limit_only_the_best_guaranteed_candidates_are_guaranteed(
    campaign, chair, client_for
):
    vacancy, apps = campaign

    rows = ranking(client_for(chair), vacancy)

    assert {
        name: (rows[a.pk]["interview_guaranteed"], rows[a.pk]["guarantee_outside_interview_limit"])
        for name, a in apps.items()
    } == {
        "g1": (True, False),
        "g2": (True, False),
        "g3": (False, True),
        "n1": (False, False),
        "n2": (False, False),
    }


def test_under_the_limit_a_protected_candidate_cannot_be_rejected_but_one_outside_can(
    campaign, chair, client_for
):
    _, apps = campaign
    client = client_for(chair)

    refused = client.post(
        f"/api/v1/applications/{apps['g2'].pk}/actions/reject/", {"reason": "No"}, format="json"
    )
    allowed = client.post(
        f"/api/v1/applications/{apps['g3'].pk}/actions/reject/",
        {"reason": "Two interviews only."},
        format="json",
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "interview_guarantee")
    assert "with the interview limit of 2" in refused.json()["detail"]
    assert allowed.status_code == 200, allowed.json()
    assert states(apps["g2"], apps["g3"]) == ["submitted", "not_shortlisted"]
    assert history(apps["g2"]) == []
    assert history(apps["g3"]) == [
        ("reject_at_sift", "chair", f"Two interviews only. {LIMIT_NOTE}")
    ]


def test_the_limit_holds_for_everyone_with_places_kept_for_protected_candidates(
    campaign, chair, client_for
):
    _, apps = campaign
    client = client_for(chair)

    def shortlist(name):
        return client.post(f"/api/v1/applications/{apps[name].pk}/actions/shortlist/", {})

    first = shortlist("n1")
    assert (first.status_code, first.json()["code"]) == (409, "interview_limit_reached")
    assert first.json()["detail"] == (
        "The interview limit of 2 is reached: 0 shortlisted and 2 place(s) kept for candidates "
        "with a guaranteed interview."
    )
    assert shortlist("g2").status_code == 200
    assert shortlist("g1").status_code == 200
    assert shortlist("g3").json()["code"] == "interview_limit_reached"
    assert shortlist("n2").json()["code"] == "interview_limit_reached"
    assert states(*apps.values()) == [
        "shortlisted",
        "shortlisted",
        "submitted",
        "submitted",
        "submitted",
    ]


def test_the_limit_through_the_bulk_path(campaign, chair):
    vacancy, apps = campaign

    shortlisted = services.applications_bulk_decide(
        vacancy_id=vacancy.pk,
        by=chair,
        action="shortlist",
        application_ids=[a.pk for a in apps.values()],
    )
    rejected = services.applications_bulk_decide(
        vacancy_id=vacancy.pk,
        by=chair,
        action="reject",
        application_ids=[a.pk for a in apps.values()],
        reason="Not among the two interviewed.",
    )

    by_ref = {a.reference: name for name, a in apps.items()}
    assert {by_ref[o.reference]: (o.done, o.code) for o in shortlisted} == {
        "g1": (True, ""),
        "g2": (True, ""),
        "g3": (False, "interview_limit_reached"),
        "n1": (False, "interview_limit_reached"),
        "n2": (False, "interview_limit_reached"),
    }
    assert {by_ref[o.reference]: (o.done, o.code) for o in rejected} == {
        "g1": (False, "invalid_transition"),
        "g2": (False, "invalid_transition"),
        "g3": (True, ""),
        "n1": (True, ""),
        "n2": (True, ""),
    }
    assert history(apps["g3"])[-1] == (
        "reject_at_sift",
        "chair",
        f"Not among the two interviewed. {LIMIT_NOTE}",
    )
    assert history(apps["n1"])[-1] == ("reject_at_sift", "chair", "Not among the two interviewed.")


def test_the_best_of_the_others_fill_the_places_left(closed, chair):
    vacancy = settings_of(closed, interview_limit=3, interview_limit_reason="Peak season.")
    g = make(vacancy, [2, 2, 2], guaranteed=True)
    best, second, third = (
        make(vacancy, [4, 4, 4]),
        make(vacancy, [4, 4, 3]),
        make(vacancy, [4, 4, 2]),
    )

    outcomes = services.applications_bulk_decide(
        vacancy_id=vacancy.pk,
        by=chair,
        action="shortlist",
        application_ids=[third.pk, g.pk, second.pk, best.pk],
    )

    assert [(o.reference, o.done) for o in outcomes] == [
        (best.reference, True),
        (second.reference, True),
        (third.reference, False),
        (g.reference, True),
    ]
    assert states(best, second, third, g) == [
        "shortlisted",
        "shortlisted",
        "submitted",
        "shortlisted",
    ]


def test_candidates_equal_at_the_boundary_are_all_protected(closed, chair, client_for):
    vacancy = settings_of(closed, interview_limit=1, interview_limit_reason="Peak season.")
    a, b = make(vacancy, [3, 3, 4], guaranteed=True), make(vacancy, [3, 3, 0], guaranteed=True)

    limit = assessment.interview_limit_of(vacancy)

    assert limit.protected == {a.pk, b.pk}
    response = client_for(chair).post(
        f"/api/v1/applications/{b.pk}/actions/reject/", {"reason": "No"}, format="json"
    )
    assert response.json()["code"] == "interview_guarantee"


def test_nothing_limit_based_happens_until_every_guaranteed_candidate_is_assessed(
    closed, chair, client_for
):
    vacancy = settings_of(closed, interview_limit=1, interview_limit_reason="Peak season.")
    make(vacancy, [4, 4, 2], guaranteed=True)
    weaker = make(vacancy, [2, 2, 2], guaranteed=True)
    unassessed = make(vacancy, guaranteed=True)
    other = make(vacancy, [4, 4, 4])
    client = client_for(chair)

    reject = client.post(
        f"/api/v1/applications/{weaker.pk}/actions/reject/", {"reason": "No"}, format="json"
    )
    shortlist = client.post(f"/api/v1/applications/{other.pk}/actions/shortlist/", {})

    assert (reject.status_code, reject.json()["code"]) == (409, "assessment_incomplete")
    assert shortlist.json()["code"] == "assessment_incomplete"
    assert states(weaker, other) == ["submitted", "submitted"]

    agree(unassessed, [1, 2, 2])  # fails an essential criterion: not guaranteed after all
    again = client.post(
        f"/api/v1/applications/{weaker.pk}/actions/reject/", {"reason": "No"}, format="json"
    )
    assert again.status_code == 200, again.json()


def test_the_model_transition_itself_enforces_the_limit(campaign, chair):
    _, apps = campaign
    application = Application.objects.with_assessment_data().get(pk=apps["n1"].pk)

    with pytest.raises(TransitionNotAllowed):
        application.shortlist(by=chair)


def test_withdrawn_candidates_leave_the_limit(campaign, chair):
    vacancy, apps = campaign
    set_state(apps["g1"], "withdrawn")

    limit = assessment.interview_limit_of(vacancy)

    assert limit.protected == {apps["g2"].pk, apps["g3"].pk}
    assert (limit.outside, limit.taken, limit.waiting, limit.places_left) == (set(), 0, 2, 0)


def test_without_a_limit_the_guarantee_is_unchanged(closed, chair):
    application = make(closed, [2, 2, 0], guaranteed=True)

    assert assessment.interview_limit_of(closed) is None
    assert assessment.interview_guaranteed(application) is True
    assert assessment.shortlist_refusal(application) is None


def test_listing_a_limited_vacancys_applications_works_the_limit_out_once(
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
        make(vacancy, [2, 2, i % 3], guaranteed=True)

    with django_assert_num_queries(len(small)):
        response = client.get(url)

    results = response.json()["results"]
    assert len(results) == 12
    # The 3 at 6 essential marks and the 9 at 4 (equal at the boundary of 5) are all protected.
    assert [r["interview_guaranteed"] for r in results] == [True] * 12
    assert all(r["available_actions"] == ["shortlist"] for r in results)


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
