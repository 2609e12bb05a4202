"""The tribunal export: HR downloads a campaign's complete decision record in one file."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from recruitment.applications import services
from recruitment.models import EqualityAnswers
from recruitment.scoring import decisions
from recruitment.scoring import services as services_
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    interview_time_passes,
    set_vacancy_status,
)

pytestmark = pytest.mark.django_db


def scores(vacancy, value):
    return [
        services_.ScoreInput(criterion=c.pk, score=value, note=f"Note {value}")
        for c in vacancy.criteria.all()
    ]


@pytest.fixture
def campaign(vacancy, chair, panel_member, other_panel_member, hr):
    """Two applications: one appointed through every step, one not shortlisted; a score
    changed after agreement; a hold placed and released."""
    set_vacancy_status(vacancy, "closed")
    chosen = ApplicationFactory(vacancy=vacancy)
    other = ApplicationFactory(vacancy=vacancy)
    GuaranteeDeclarationFactory(application=other, scheme="disability_confident")
    EqualityAnswers.objects.filter(application=chosen).update(ethnicity="white_irish")
    for application in (chosen, other):
        for member in (panel_member, other_panel_member):
            services_.scores_submit(
                application_id=application.pk,
                by=member,
                stage="shortlisting",
                scores=scores(vacancy, 2),
            )
    services_.agreed_scores_set(
        application_id=chosen.pk,
        by=chair,
        stage="shortlisting",
        scores=scores(vacancy, 3),
        note="Strong.",
    )
    services_.agreed_scores_set(
        application_id=other.pk,
        by=chair,
        stage="shortlisting",
        scores=scores(vacancy, 1),
        note="Thin.",
    )
    services.application_reject(application_id=other.pk, by=chair, reason="Below the pass mark.")
    services.application_shortlist(application_id=chosen.pk, by=chair, reason="Best evidence.")
    decisions.sift_complete(vacancy_id=vacancy.pk, by=chair, confirm=True)
    services.application_schedule_interview(
        application_id=chosen.pk, by=chair, interview_at=timezone.now() + timedelta(days=1)
    )
    interview_time_passes(chosen)
    services.application_record_interview(application_id=chosen.pk, by=panel_member)
    services_.scores_submit(
        application_id=chosen.pk, by=panel_member, stage="interview", scores=scores(vacancy, 3)
    )
    services_.agreed_scores_set(
        application_id=chosen.pk, by=chair, stage="interview", scores=scores(vacancy, 3)
    )
    services_.scores_submit(
        application_id=chosen.pk, by=panel_member, stage="interview", scores=scores(vacancy, 4)
    )
    services_.agreed_scores_set(
        application_id=chosen.pk,
        by=chair,
        stage="interview",
        scores=scores(vacancy, 4),
        note="Re-agreed.",
    )
    services.application_offer(application_id=chosen.pk, by=chair, reason="Best interview.")
    services.application_legal_hold_set(
        application_id=other.pk, by=hr, held=True, reason="ET claim 3301234/2026"
    )
    services.application_legal_hold_set(
        application_id=other.pk, by=hr, held=False, reason="Claim withdrawn.", confirm=True
    )
    return vacancy, chosen, other


def test_hr_downloads_the_whole_record_of_a_campaign(campaign, hr, chair, panel_member, client_for):
    vacancy, chosen, other = campaign

    response = client_for(hr).get(f"/api/v1/vacancies/{vacancy.pk}/decision-record/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="decision-record-{vacancy.reference}.json"'
    )
    record = response.json()
    assert record["generated_by"] == {"id": hr.pk, "full_name": hr.full_name, "role": "hr"}
    assert record["vacancy"]["reference"] == vacancy.reference
    assert record["vacancy"]["chair"]["full_name"] == chair.full_name
    apps = {a["reference"]: a for a in record["applications"]}
    assert list(apps) == [chosen.reference, other.reference]

    mine = apps[chosen.reference]
    assert mine["state"] == "offered"
    assert mine["candidate"]["full_name"] == chosen.candidate.full_name
    assert [(h["transition"], h["to"], h["reason"]) for h in mine["history"]] == [
        ("shortlist", "shortlisted", "Best evidence."),
        ("schedule_interview", "interview_scheduled", None),
        ("record_interview", "interviewed", None),
        ("offer", "offered", "Best interview."),
    ]
    assert mine["history"][3]["by"]["full_name"] == chair.full_name
    agreed = {a["stage"]: a for a in mine["agreed"]}
    assert agreed["interview"]["total"] == 4 * vacancy.criteria.count()
    assert agreed["interview"]["note"] == "Re-agreed."
    assert agreed["interview"]["out_of_date"] is False
    assert agreed["shortlisting"]["note"] == "Strong."
    interview_changes = [c for c in mine["score_history"] if c["stage"] == "interview"]
    assert [(c["before"], c["after"], c["after_agreement"]) for c in interview_changes] == [
        (None, 3, False)
    ] * vacancy.criteria.count() + [(3, 4, True)] * vacancy.criteria.count()
    assert mine["offer"]["positive_action_used"] is False
    assert mine["offer"]["decided_by"]["full_name"] == chair.full_name

    theirs = apps[other.reference]
    assert theirs["state"] == "not_shortlisted"
    assert theirs["interview_guarantee_declared"] == "disability_confident"
    assert theirs["meets_minimum_criteria"] is False
    assert theirs["guarantee_step"]["outcome"] == "minimum_not_met"
    assert theirs["guarantee_step"]["essential_total"] == 2
    assert mine["guarantee_step"] is None
    assert record["vacancy"]["sift_completed_by"]["full_name"] == chair.full_name
    assert theirs["history"][0]["reason"] == "Below the pass mark."
    assert [(h["on"], h["held"], h["reason"]) for h in record["holds"]] == [
        (other.reference, True, "ET claim 3301234/2026"),
        (other.reference, False, "Claim withdrawn."),
    ]
    # Never an equality answer.
    assert "white_irish" not in response.content.decode()
    assert "ethnicity" not in response.content.decode()
    assert EqualityAnswers.objects.filter(application=chosen).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("chair", 403), ("panel_member", 403), ("candidate", 403), ("outsider_panel", 403)],
)
def test_only_hr_downloads_it(persona, status, request, vacancy, client_for):
    response = client_for(request.getfixturevalue(persona)).get(
        f"/api/v1/vacancies/{vacancy.pk}/decision-record/"
    )
    assert (response.status_code, response.json()["code"]) == (status, "permission_denied")


def test_a_hidden_vacancy_is_not_found(hr, chair, client_for):
    from tests.support.factories import VacancyFactory

    draft = VacancyFactory(hiring_manager=hr, status="draft")
    response = client_for(chair).get(f"/api/v1/vacancies/{draft.pk}/decision-record/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_export_costs_a_bounded_number_of_queries(
    campaign, hr, client_for, django_assert_max_num_queries
):
    vacancy, _, _ = campaign
    for _ in range(10):
        ApplicationFactory(vacancy=vacancy)
    client = client_for(hr)

    # A bound that holds with room to spare (the score history is read in one batch).
    with django_assert_max_num_queries(20 + 3 * 12):
        assert client.get(f"/api/v1/vacancies/{vacancy.pk}/decision-record/").status_code == 200


def test_hr_finds_the_download_on_the_vacancy_page(vacancy, hr, chair):
    browser = Client()
    browser.force_login(hr)
    page = browser.get(f"/staff/vacancies/{vacancy.pk}/").content.decode()
    assert f'href="/api/v1/vacancies/{vacancy.pk}/decision-record/"' in page
    download = browser.get(f"/api/v1/vacancies/{vacancy.pk}/decision-record/")
    assert download.status_code == 200
    browser.force_login(chair)
    assert (
        "Download the decision record"
        not in browser.get(f"/staff/vacancies/{vacancy.pk}/").content.decode()
    )
