"""The tribunal export: HR downloads a campaign's complete decision record in one file."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recruitment.applications import services
from recruitment.models import EqualityAnswers
from recruitment.privacy import decision_record
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
    record = json.loads(b"".join(response.streaming_content))
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
    assert "white_irish" not in json.dumps(record)
    assert "ethnicity" not in json.dumps(record)
    assert EqualityAnswers.objects.filter(application=chosen).exists()
    # The streamed file is the record the service builds in one piece.
    assert {k: v for k, v in record.items() if k != "generated_at"} == {
        k: v
        for k, v in decision_record.decision_record(vacancy, by=hr).items()
        if k != "generated_at"
    }


def mine_interviewer(application):
    from django_fsm_log.models import StateLog

    return StateLog.objects.for_(application).get(transition="record_interview").by.full_name


def test_the_csv_has_a_row_an_application_with_its_decisions(campaign, hr, chair, client_for):
    vacancy, chosen, other = campaign

    response = client_for(hr).get(f"/api/v1/vacancies/{vacancy.pk}/decision-record/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="decision-record-{vacancy.reference}.csv"'
    )
    text = b"".join(response.streaming_content).decode()
    headings, *lines = list(csv.reader(io.StringIO(text)))
    assert headings[:4] == [
        "Reference",
        "Candidate's name",
        "Candidate's email address",
        "Personal data erased",
    ]
    assert not [h for h in headings if "_" in h]  # words, not codes
    rows = [dict(zip(decision_record.CSV_COLUMNS, line, strict=True)) for line in lines]
    assert [r["reference"] for r in rows] == [chosen.reference, other.reference]
    mine, theirs = rows
    n = vacancy.criteria.count()
    # A spreadsheet for a person: words, not codes.
    assert (mine["state"], mine["shortlisting_agreed_total"]) == ("Offered", str(3 * n))
    assert (mine["interview_agreed_total"], mine["offer_positive_action_used"]) == (
        str(4 * n),
        "no",
    )
    assert mine["offer_decided_by"] == chair.full_name
    assert mine["score_changes_after_agreement"] == str(n)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", mine["submitted_at"])  # to the minute
    decisions_made = [d.split(": ", 1)[1] for d in mine["decisions"].split("; ")]
    assert decisions_made == [
        f"Shortlisted by {chair.full_name} (Best evidence.)",
        f"Interview arranged by {chair.full_name}",
        f"Interviewed by {mine_interviewer(chosen)}",
        f"Job offered by {chair.full_name} (Best interview.)",
    ]
    assert (theirs["state"], theirs["meets_minimum_criteria"]) == ("Not shortlisted", "no")
    assert (theirs["interview_guarantee_declared"], theirs["guarantee_step"]) == (
        "Disability Confident",
        "Minimum criteria not met",
    )
    assert (theirs["interview_agreed_total"], theirs["offer_decided_by"]) == ("", "")
    assert "white_irish" not in text
    assert "ethnicity" not in text


def test_a_large_campaign_is_read_a_batch_at_a_time(campaign, hr, client_for, monkeypatch):
    """The queries grow with the batches, not with the applications: at a batch of 2, the
    12 applications below cost six batches' queries."""
    vacancy, _, _ = campaign
    for _ in range(10):
        ApplicationFactory(vacancy=vacancy)
    monkeypatch.setattr(decision_record, "BATCH", 2)
    client = client_for(hr)
    url = f"/api/v1/vacancies/{vacancy.pk}/decision-record/?format=csv"

    with CaptureQueriesContext(connection) as six_batches:
        rows = list(csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode())))
    monkeypatch.setattr(decision_record, "BATCH", 1000)
    with CaptureQueriesContext(connection) as one_batch:
        b"".join(client.get(url).streaming_content)
    for _ in range(12):
        ApplicationFactory(vacancy=vacancy)
    with CaptureQueriesContext(connection) as twice_the_size:
        b"".join(client.get(url).streaming_content)

    assert len(rows) == 1 + 12
    assert len(twice_the_size) == len(one_batch)
    # Each batch: the applications, their history and, where there are any, their scores,
    # agreed assessments with theirs, and the score history: one to six queries.
    assert len(one_batch) + 5 <= len(six_batches) <= len(one_batch) + 5 * 6


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
        response = client.get(f"/api/v1/vacancies/{vacancy.pk}/decision-record/")
        assert response.status_code == 200
        b"".join(response.streaming_content)


def test_hr_finds_the_download_on_the_vacancy_page(vacancy, hr, chair):
    browser = Client()
    browser.force_login(hr)
    page = browser.get(f"/staff/vacancies/{vacancy.pk}/").content.decode()
    assert f'href="/api/v1/vacancies/{vacancy.pk}/decision-record/"' in page
    assert f'href="/api/v1/vacancies/{vacancy.pk}/decision-record/?format=csv"' in page
    for url in (
        f"/api/v1/vacancies/{vacancy.pk}/decision-record/",
        f"/api/v1/vacancies/{vacancy.pk}/decision-record/?format=csv",
    ):
        assert browser.get(url).status_code == 200
    browser.force_login(chair)
    assert "decision record" not in browser.get(f"/staff/vacancies/{vacancy.pk}/").content.decode()
