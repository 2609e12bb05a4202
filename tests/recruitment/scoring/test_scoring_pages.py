"""The panel's scoring pages and the chair's moderation pages: name-blind, independent
scoring (others' scores hidden until one's own are in), the member's own order, the spread
and the progress, the agreed scores; the same services and permissions as the API."""

import hashlib
import re

import pytest

from recruitment.models import AgreedAssessment, Score
from tests.recruitment.scoring.test_guarantee import SCHEME_WORDS
from tests.support.clients import banner
from tests.support.clients import page_client as browser
from tests.support.factories import (
    ApplicationFactory,
    EvidenceFactory,
    ScoreFactory,
    agree,
    set_state,
)
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db


def references_in(html, applications):
    """The applications' references in the order the page lists them."""
    found = {a.reference: html.index(a.reference) for a in applications}
    return sorted(found, key=found.get)


def score_all(application, scorer, scores, stage="shortlisting"):
    for criterion, value in zip(application.vacancy.criteria.all(), scores, strict=True):
        ScoreFactory(
            application=application, criterion=criterion, scorer=scorer, score=value, stage=stage
        )


def form_data(vacancy, scores, notes=None):
    data = {}
    for i, (criterion, value) in enumerate(zip(vacancy.criteria.all(), scores, strict=True)):
        data[f"score_{criterion.pk}"] = str(value)
        data[f"note_{criterion.pk}"] = (notes or {}).get(i, "")
    return data


@pytest.fixture
def applications(closed):
    names = ["Zadie Quartermaine", "Olu Adeyemi", "Priti Varma"]
    return [ApplicationFactory(vacancy=closed, candidate__full_name=name) for name in names]


# --- The member's list --------------------------------------------------------------------------


def test_the_list_is_name_blind_and_in_arrival_order_by_default(applications, panel_member):
    html = (
        browser(panel_member)
        .get(f"/staff/vacancies/{applications[0].vacancy_id}/scoring/shortlisting/")
        .content.decode()
    )

    assert references_in(html, applications) == [a.reference for a in applications]
    for application in applications:
        assert application.candidate.full_name not in html
        assert application.candidate.email not in html
    assert "You have scored 0 of 3 applications." in html


def test_with_the_option_each_member_gets_their_own_stable_order(
    closed, panel_member, other_panel_member
):
    vacancy = Vacancy.objects.get(pk=closed.pk)
    Vacancy.objects.filter(pk=vacancy.pk).update(randomise_order=True)
    apps = [ApplicationFactory(vacancy=vacancy) for _ in range(8)]
    url = f"/staff/vacancies/{vacancy.pk}/scoring/shortlisting/"

    def expected(member):
        digest = {
            a.reference: hashlib.sha256(f"{vacancy.pk}:{member.pk}:{a.pk}".encode()).hexdigest()
            for a in apps
        }
        return sorted(digest, key=digest.get)

    mine = references_in(browser(panel_member).get(url).content.decode(), apps)
    again = references_in(browser(panel_member).get(url).content.decode(), apps)
    theirs = references_in(browser(other_panel_member).get(url).content.decode(), apps)

    assert mine == again == expected(panel_member)
    assert theirs == expected(other_panel_member)
    assert mine != theirs
    assert mine != [a.reference for a in apps]


def test_the_list_shows_each_members_own_progress(applications, panel_member, other_panel_member):
    score_all(applications[0], panel_member, [2, 2, 2])
    ScoreFactory(application=applications[1], scorer=panel_member, score=3)
    score_all(applications[2], other_panel_member, [1, 1, 1])

    html = (
        browser(panel_member)
        .get(f"/staff/vacancies/{applications[0].vacancy_id}/scoring/shortlisting/")
        .content.decode()
    )

    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S)[1:]
    assert [re.sub(r"<[^>]+>|\s+", " ", r).split() for r in rows] == [
        [applications[0].reference, "Scored", "Open"],
        [applications[1].reference, "1", "of", "3", "criteria", "Open"],
        [applications[2].reference, "Not", "started", "Open"],
    ]
    assert "You have scored 1 of 3 applications." in html


def test_the_list_costs_the_same_queries_for_3_and_12_applications(
    closed, panel_member, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser(panel_member)
    url = f"/staff/vacancies/{closed.pk}/scoring/shortlisting/"
    for _ in range(3):
        score_all(ApplicationFactory(vacancy=closed), panel_member, [2, 2, 2])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(9):
        score_all(ApplicationFactory(vacancy=closed), panel_member, [2, 2, 2])

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert "You have scored 12 of 12 applications." in response.content.decode()


def test_at_interview_the_list_holds_the_interviews_only(closed, panel_member):
    ApplicationFactory(vacancy=closed)
    interview = set_state(ApplicationFactory(vacancy=closed), "interview_scheduled", "shortlisted")

    html = (
        browser(panel_member)
        .get(f"/staff/vacancies/{closed.pk}/scoring/interview/")
        .content.decode()
    )

    assert "You have scored 0 of 1 application." in html
    assert interview.reference in html


# --- Scoring one application --------------------------------------------------------------------


def test_scoring_saves_every_criterion_and_goes_to_the_next_application(applications, panel_member):
    first, second, _ = applications
    EvidenceFactory(application=first, text="Registered since 2015.")
    url = f"/staff/applications/{first.pk}/scoring/shortlisting/"
    page = browser(panel_member).get(url).content.decode()
    assert "Registered since 2015." in page
    assert page.count("<fieldset") == 3
    assert first.candidate.full_name not in page
    assert not any(word in page.lower() for word in SCHEME_WORDS)

    response = browser(panel_member).post(
        url, form_data(first.vacancy, [3, 2, 0], {0: "Clear evidence."})
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/applications/{second.pk}/scoring/shortlisting/"
    assert banner(response) == [f"Your scores for {first.reference} are saved."]
    assert list(
        Score.objects.filter(application=first, scorer=panel_member)
        .order_by("criterion__position")
        .values_list("stage", "score", "note")
    ) == [
        ("shortlisting", 3, "Clear evidence."),
        ("shortlisting", 2, ""),
        ("shortlisting", 0, ""),
    ]


def test_a_missing_or_bad_score_shows_the_error_summary_and_saves_nothing(
    applications, panel_member
):
    application = applications[0]
    data = form_data(application.vacancy, [3, 2, 1])
    second = list(application.vacancy.criteria.all())[1]
    data.pop(f"score_{second.pk}")
    data[f"score_{list(application.vacancy.criteria.all())[2].pk}"] = "5"

    response = browser(panel_member).post(
        f"/staff/applications/{application.pk}/scoring/shortlisting/", data
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert f"Select a score for ‘{second.text}’" in html
    assert f'href="#id_score_{second.pk}_1"' in html
    assert f'id="id_score_{second.pk}_1"' in html
    assert "Select a valid choice" in html
    assert not Score.objects.exists()


def test_others_scores_are_hidden_until_the_member_has_scored_every_criterion(
    applications, panel_member, other_panel_member
):
    application = applications[0]
    score_all(application, other_panel_member, [4, 4, 4])
    url = f"/staff/applications/{application.pk}/scoring/shortlisting/"

    before = browser(panel_member).get(url).content.decode()
    browser(panel_member).post(url, form_data(application.vacancy, [1, 1, 1]))
    after = browser(panel_member).get(url).content.decode()

    assert "Hidden until you have scored every criterion" in before
    assert other_panel_member.full_name not in before
    assert "Hidden until you have scored every criterion" not in after
    others = after[after.index('id="others"') :]
    assert other_panel_member.full_name in others
    assert re.findall(r"numeric\">(\d)</td>", others) == ["4", "4", "4"]


def test_scores_cannot_change_once_the_decision_is_made(applications, panel_member):
    application = set_state(applications[0], "shortlisted", "shortlisted")
    url = f"/staff/applications/{application.pk}/scoring/shortlisting/"

    page = browser(panel_member).get(url).content.decode()
    response = browser(panel_member).post(url, form_data(application.vacancy, [4, 4, 4]))

    assert "Shortlisting scores cannot be changed now: the application is shortlisted." in page
    assert '<form method="post" novalidate>' not in page
    assert banner(response) == ["These scores can no longer change."]
    assert not Score.objects.exists()


def test_scoring_pages_answer_404_to_outsiders_and_403_to_those_who_do_not_score(
    applications, hr, candidate, outsider_panel
):
    application = applications[0]
    vacancy_id = application.vacancy_id
    pages = [
        f"/staff/vacancies/{vacancy_id}/scoring/shortlisting/",
        f"/staff/applications/{application.pk}/scoring/shortlisting/",
    ]
    for page in pages:
        assert browser(outsider_panel).get(page).status_code == 404
        assert browser(hr).get(page).status_code == 403  # HR does not score
        assert browser(candidate).get(page).status_code == 403
    assert browser(hr).post(pages[1], form_data(application.vacancy, [1, 1, 1])).status_code == 403
    assert not Score.objects.exists()


def test_an_unknown_stage_is_not_found(applications, panel_member):
    client = browser(panel_member)
    assert (
        client.get(f"/staff/vacancies/{applications[0].vacancy_id}/scoring/final/").status_code
        == 404
    )
    assert client.get(f"/staff/applications/{applications[0].pk}/scoring/final/").status_code == 404


# --- Moderation ---------------------------------------------------------------------------------


def test_the_moderation_overview_counts_progress_and_marks_wide_spreads(
    applications, chair, panel_member, other_panel_member
):
    scored, half, agreed = applications
    score_all(scored, panel_member, [1, 3, 2])
    score_all(scored, other_panel_member, [3, 3, 2])
    score_all(half, panel_member, [2, 2, 2])
    score_all(agreed, panel_member, [2, 2, 2])
    score_all(agreed, other_panel_member, [2, 3, 2])
    agree(agreed, [2, 3, 2])

    html = (
        browser(chair)
        .get(f"/staff/vacancies/{scored.vacancy_id}/moderation/shortlisting/")
        .content.decode()
    )

    progress = html[html.index('id="progress"') : html.index("</dl>")].split(">", 1)[1]
    assert " ".join(re.sub(r"<[^>]+>", " ", progress).split()) == (
        "Scored by all 2 panel members 2 of 3 applications Agreed 1 of 3 applications"
    )
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S)[1:]
    cells = [re.sub(r"<[^>]+>|\s+", " ", r).split() for r in rows]
    assert cells == [
        [scored.reference, "All", "scored", "2:", "discuss", "Not", "agreed"],
        [half.reference, "1", "of", "2", "scored", "–", "Not", "agreed"],
        [agreed.reference, "All", "scored", "1", "7"],
    ]


def test_the_chair_sees_the_panels_scores_only_once_the_whole_panel_has_scored(
    applications, chair, panel_member, other_panel_member
):
    application = applications[0]
    score_all(application, panel_member, [1, 3, 2])
    url = f"/staff/applications/{application.pk}/moderation/shortlisting/"

    before = browser(chair).get(url).content.decode()
    score_all(application, other_panel_member, [3, 3, 1])
    after = browser(chair).get(url).content.decode()

    assert "appear here once all 2 panel members have scored every criterion (1 so far)" in before
    assert panel_member.full_name not in before
    table = after[after.index('id="panel-scores"') : after.index("</table>")]
    assert [panel_member.full_name in table, other_panel_member.full_name in table] == [True, True]
    rows = re.findall(
        r"<tr class=\"govuk-table__row( app-spread-discuss)?\">(.*?)</tr>", table, re.S
    )
    assert [
        (bool(flag), re.sub(r"<[^>]+>|\s+", " ", row).split()[-3:]) for flag, row in rows[1:]
    ] == [
        (True, ["3", "2:", "discuss"]),
        (False, ["3", "3", "0"]),
        (False, ["2", "1", "1"]),
    ]


def test_the_api_shows_the_chair_the_panels_scores_on_the_same_rule(
    applications, chair, panel_member, other_panel_member, client_for
):
    application = applications[0]
    url = f"/api/v1/applications/{application.pk}/scores/?stage=shortlisting"
    score_all(application, panel_member, [1, 3, 2])

    hidden = client_for(chair).get(url).json()
    score_all(application, other_panel_member, [3, 3, 1])
    shown = client_for(chair).get(url).json()

    assert (hidden["others"], hidden["others_hidden"]) == (None, True)
    assert (len(shown["others"]), shown["others_hidden"]) == (6, False)


def test_the_chair_records_the_agreed_scores_and_note(
    applications, chair, panel_member, other_panel_member
):
    application, following, _ = applications
    for app in (application, following):
        score_all(app, panel_member, [2, 2, 2])
        score_all(app, other_panel_member, [2, 3, 2])
    data = form_data(application.vacancy, [2, 3, 1])
    data = {k: v for k, v in data.items() if k.startswith("score_")} | {"note": "Settled on 3."}

    response = browser(chair).post(
        f"/staff/applications/{application.pk}/moderation/shortlisting/", data
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/applications/{following.pk}/moderation/shortlisting/"
    agreed = AgreedAssessment.objects.get(application=application, stage="shortlisting")
    assert (agreed.note, agreed.agreed_by) == ("Settled on 3.", chair)
    assert list(agreed.scores.order_by("criterion__position").values_list("score", flat=True)) == [
        2,
        3,
        1,
    ]


def test_moderation_is_refused_to_the_panel_and_hidden_from_outsiders(
    applications, panel_member, outsider_manager
):
    application = applications[0]
    pages = [
        f"/staff/vacancies/{application.vacancy_id}/moderation/shortlisting/",
        f"/staff/applications/{application.pk}/moderation/shortlisting/",
    ]
    for page in pages:
        assert browser(panel_member).get(page).status_code == 403
        assert browser(outsider_manager).get(page).status_code == 404
    response = browser(panel_member).post(
        pages[1], {f"score_{c.pk}": "4" for c in application.vacancy.criteria.all()}
    )
    assert response.status_code == 403
    assert not AgreedAssessment.objects.exists()


def test_the_moderation_overview_costs_the_same_queries_for_3_and_12_applications(
    closed, chair, panel_member, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser(chair)
    url = f"/staff/vacancies/{closed.pk}/moderation/shortlisting/"

    def add(n):
        for _ in range(n):
            application = ApplicationFactory(vacancy=closed)
            score_all(application, panel_member, [2, 2, 2])
            agree(application, [2, 2, 2])

    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(9)

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert "12 of 12 applications" in response.content.decode()


# --- The vacancy form -----------------------------------------------------------------------------


def test_the_vacancy_form_needs_a_reason_for_a_band_or_a_limit(chair):
    client = browser(chair)
    form = client.get("/staff/vacancies/new/")
    assert form.status_code == 200
    data = {
        "title": "Care Worker",
        "reference": "CW-2027-010",
        "department": "Adult Services",
        "grade": "S4",
        "location": "Ely",
        "description": "Home care.",
        "salary_min": "24000",
        "salary_max": "26000",
        "closing_date_0": "1",
        "closing_date_1": "6",
        "closing_date_2": "2031",
        "hiring_manager": chair.pk,
        "essential_criteria": "Caring experience",
        "pass_mark": "2",
        "minimum_criteria_rule": "all_essential_at_pass_mark",
        "tie_band": "2",
        "interview_limit": "30",
    }

    refused = client.post("/staff/vacancies/new/", data)
    saved = client.post(
        "/staff/vacancies/new/",
        data
        | {
            "tie_band_reason": "Two marks is one judgement apart.",
            "interview_limit_reason": "Seasonal peak.",
            "randomise_order": "on",
        },
    )

    html = refused.content.decode()
    assert "Enter why totals this close are treated as equal" in html
    assert "Enter why the number of interviews is limited" in html
    assert saved.status_code == 302
    vacancy = Vacancy.objects.get(reference="CW-2027-010")
    assert (
        vacancy.tie_band,
        vacancy.tie_band_reason,
        vacancy.interview_limit,
        vacancy.interview_limit_reason,
        vacancy.randomise_order,
    ) == (2, "Two marks is one judgement apart.", 30, "Seasonal peak.", True)
