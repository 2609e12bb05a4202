"""A decision record that holds: no offer without an agreed interview assessment, an
interview recorded as held only once its time has come, and a score changed after agreement
reopening moderation visibly, every score change in the history the chair and HR read."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kernel.template_filters import govuk_time
from recruitment.models import AgreedAssessment, Application, OfferDecision, Score
from recruitment.scoring import services as services_
from tests.support.factories import ApplicationFactory, agree, set_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def interviewed(vacancy):
    return set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")


def offer(client, application):
    return client.post(f"/api/v1/applications/{application.pk}/actions/offer/", {}, format="json")


def state_of(application):
    return Application.objects.get(pk=application.pk).state


def score(application, by, value, stage="interview", note=""):
    services_.scores_submit(
        application_id=application.pk,
        by=by,
        stage=stage,
        scores=[
            services_.ScoreInput(criterion=c.pk, score=value, note=note)
            for c in application.vacancy.criteria.all()
        ],
    )


# --- No offer without an agreed interview assessment ------------------------------------------


def test_an_offer_without_agreed_interview_scores_is_refused_and_changes_nothing(
    interviewed, chair, client_for
):
    client = client_for(chair)
    before = client.get(f"/api/v1/applications/{interviewed.pk}/").json()

    response = offer(client, interviewed)

    assert response.status_code == 409
    assert response.json()["code"] == "assessment_incomplete"
    assert response.json()["detail"] == (
        "Agree a score for every criterion at interview before making an offer."
    )
    assert state_of(interviewed) == "interviewed"
    assert not OfferDecision.objects.filter(application=interviewed).exists()
    assert "offer" not in before["available_actions"]


def test_an_offer_on_part_of_the_criteria_agreed_is_refused(interviewed, chair, client_for):
    agree(interviewed, [3], stage="interview")  # the first of the vacancy's three criteria

    response = offer(client_for(chair), interviewed)

    assert (response.status_code, response.json()["code"]) == (409, "assessment_incomplete")
    assert state_of(interviewed) == "interviewed"


def test_an_offer_on_agreed_interview_scores_is_made(interviewed, chair, client_for):
    agree(interviewed, [3] * interviewed.vacancy.criteria.count(), stage="interview")
    client = client_for(chair)
    assert (
        "offer" in client.get(f"/api/v1/applications/{interviewed.pk}/").json()["available_actions"]
    )

    response = offer(client, interviewed)

    assert response.status_code == 200
    assert state_of(interviewed) == "offered"
    assert OfferDecision.objects.get(application=interviewed).decided_by == chair


# --- An interview recorded as held only once its time has come ---------------------------------


def test_an_interview_set_for_next_week_cannot_be_recorded_as_held_today(
    vacancy, chair, client_for
):
    application = set_state(ApplicationFactory(vacancy=vacancy), "interview_scheduled")
    when = timezone.now() + timedelta(days=7)
    Application.objects.filter(pk=application.pk).update(interview_at=when)
    client = client_for(chair)

    response = client.post(
        f"/api/v1/applications/{application.pk}/actions/record_interview/", {}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "interview_not_held"
    local = timezone.localtime(when)
    assert response.json()["detail"] == (
        f"The interview is set for {local:%-d %B %Y} at {govuk_time(local)}: it can be recorded as held "
        "from then."
    )
    assert state_of(application) == "interview_scheduled"
    detail = client.get(f"/api/v1/applications/{application.pk}/").json()
    assert "record_interview" not in detail["available_actions"]

    # Once the time has come, it can.
    Application.objects.filter(pk=application.pk).update(
        interview_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(
        f"/api/v1/applications/{application.pk}/actions/record_interview/", {}, format="json"
    )
    assert response.status_code == 200
    assert state_of(application) == "interviewed"


def test_the_page_says_when_the_interview_can_be_recorded(vacancy, chair):
    application = set_state(ApplicationFactory(vacancy=vacancy), "interview_scheduled")
    Application.objects.filter(pk=application.pk).update(
        interview_at=timezone.now() + timedelta(days=2)
    )
    browser = Client()
    browser.force_login(chair)

    page = browser.get(f"/staff/applications/{application.pk}/").content.decode()

    assert "The interview can be recorded as held from" in page
    assert "Record that the interview took place" not in page


# --- A score changed after agreement reopens moderation visibly ---------------------------------


@pytest.fixture
def agreed(vacancy, panel_member, other_panel_member, chair):
    application = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    score(application, panel_member, 3)
    score(application, other_panel_member, 3)
    services_.agreed_scores_set(
        application_id=application.pk,
        by=chair,
        stage="interview",
        scores=[services_.ScoreInput(criterion=c.pk, score=3) for c in vacancy.criteria.all()],
    )
    mail.outbox.clear()
    return application


def test_a_score_changed_after_agreement_reopens_it_and_tells_the_chair_once(
    agreed, panel_member, chair, client_for, django_capture_on_commit_callbacks, eager
):
    assert AgreedAssessment.objects.get(application=agreed, stage="interview").out_of_date is False

    with django_capture_on_commit_callbacks(execute=True):
        score(agreed, panel_member, 1)
    with django_capture_on_commit_callbacks(execute=True):
        score(agreed, panel_member, 0)  # already reopened: no second message

    assert AgreedAssessment.objects.get(application=agreed, stage="interview").out_of_date is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [chair.email]
    assert message.subject == (
        f"Scores changed after agreement: {agreed.vacancy.reference} {agreed.reference}"
    )
    assert agreed.reference in message.body
    assert agreed.candidate.full_name not in message.body  # name-blind

    # The offer waits for a new agreement.
    response = offer(client_for(chair), agreed)
    assert (response.status_code, response.json()["code"]) == (409, "assessment_out_of_date")
    assert state_of(agreed) == "interviewed"
    detail = client_for(chair).get(f"/api/v1/applications/{agreed.pk}/").json()
    assert detail["agreed_scores"]["interview"]["out_of_date"] is True
    assert "offer" not in detail["available_actions"]

    # Agreed again: up to date, and the offer goes.
    services_.agreed_scores_set(
        application_id=agreed.pk,
        by=chair,
        stage="interview",
        scores=[
            services_.ScoreInput(criterion=c.pk, score=2) for c in agreed.vacancy.criteria.all()
        ],
    )
    assert AgreedAssessment.objects.get(application=agreed, stage="interview").out_of_date is False
    assert offer(client_for(chair), agreed).status_code == 200


def test_the_same_scores_again_change_nothing(
    agreed, panel_member, django_capture_on_commit_callbacks, eager
):
    with django_capture_on_commit_callbacks(execute=True):
        score(agreed, panel_member, 3)

    assert AgreedAssessment.objects.get(application=agreed, stage="interview").out_of_date is False
    assert mail.outbox == []


def test_the_chair_and_hr_read_every_score_change_and_the_panel_does_not(
    agreed, panel_member, other_panel_member, chair, hr, client_for
):
    score(agreed, panel_member, 1, note="Weaker on reflection.")
    path = f"/api/v1/applications/{agreed.pk}/score-history/"

    history = client_for(chair).get(path).json()

    criteria = [c.text for c in agreed.vacancy.criteria.all()]
    rows = [
        (h["stage"], h["criterion"], h["scorer"], h["before"], h["after"], h["after_agreement"])
        for h in history
    ]
    assert rows == [
        *[("interview", c, panel_member.full_name, None, 3, False) for c in criteria],
        *[("interview", c, other_panel_member.full_name, None, 3, False) for c in criteria],
        *[("interview", c, panel_member.full_name, 3, 1, True) for c in criteria],
    ]
    assert [h["note_changed"] for h in history] == [False] * 6 + [True] * 3
    assert client_for(hr).get(path).json() == history

    refused = client_for(panel_member).get(path)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")

    browser = Client()
    browser.force_login(chair)
    page = browser.get(f"/staff/applications/{agreed.pk}/").content.decode()
    assert "Score history" in page
    assert "After agreement" in page
    assert "The agreed interview scores are out of date" in page
    browser.force_login(panel_member)
    page = browser.get(f"/staff/applications/{agreed.pk}/").content.decode()
    assert "Score history" not in page
    assert "The agreed interview scores are out of date" in page  # the state, not the scores


def test_score_history_costs_a_fixed_number_of_queries(
    agreed, panel_member, chair, django_assert_max_num_queries
):
    for value in (0, 1, 2, 4):
        score(agreed, panel_member, value)
    application = Application.objects.get(pk=agreed.pk)

    with django_assert_max_num_queries(5):
        from recruitment.scoring import selectors

        changes = selectors.score_history(application)

    criteria = agreed.vacancy.criteria.count()
    assert criteria == 3
    assert len(changes) == 2 * criteria + 4 * criteria  # two first scores, four changes
    assert [c.after_agreement for c in changes] == [False] * 6 + [True] * 12
    assert not any(c.note_changed for c in changes)
    assert Score.objects.filter(application=agreed).count() == 2 * criteria  # one row each


def test_the_chair_reads_no_panel_score_in_the_history_before_the_whole_panel_has_scored(
    vacancy, panel_member, other_panel_member, chair, hr, client_for
):
    """Independent scoring holds in the history too: the chair sees the panel's scores of a
    stage only once everyone expected to score has (as on the scores page)."""
    application = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    score(application, panel_member, 4)
    path = f"/api/v1/applications/{application.pk}/score-history/"

    hidden = client_for(chair).get(path).json()
    scores_page = (
        client_for(chair)
        .get(f"/api/v1/applications/{application.pk}/scores/?stage=interview")
        .json()
    )

    assert hidden == []
    assert scores_page["others"] is None
    assert len(client_for(hr).get(path).json()) == vacancy.criteria.count()  # HR: all
    browser = Client()
    browser.force_login(chair)
    page = browser.get(f"/staff/applications/{application.pk}/").content.decode()
    assert panel_member.full_name not in page

    score(application, other_panel_member, 2)
    shown = client_for(chair).get(path).json()
    assert sorted({h["scorer"] for h in shown}) == sorted(
        [panel_member.full_name, other_panel_member.full_name]
    )


def test_the_pages_say_what_the_offer_waits_for_and_flag_a_reopened_agreement(
    agreed, panel_member, chair
):
    browser = Client()
    browser.force_login(chair)
    page = browser.get(f"/staff/applications/{agreed.pk}/").content.decode()
    assert 'id="offer-waits"' not in page  # agreed: the offer is open
    assert "Offer the job" in page

    score(agreed, panel_member, 1)

    page = browser.get(f"/staff/applications/{agreed.pk}/").content.decode()
    assert "Offer the job" not in page
    assert (
        "An interview score was changed after the scores were agreed: agree them again "
        "before making an offer."
    ) in page
    listing = browser.get(f"/staff/vacancies/{agreed.vacancy_id}/moderation/interview/")
    assert "Out of date" in listing.content.decode()
    moderate = browser.get(f"/staff/applications/{agreed.pk}/moderation/interview/")
    assert 'id="out-of-date"' in moderate.content.decode()


def test_an_interviewed_application_without_agreed_scores_says_so(interviewed, chair):
    browser = Client()
    browser.force_login(chair)
    page = browser.get(f"/staff/applications/{interviewed.pk}/").content.decode()
    assert "Agree a score for every criterion at interview before making an offer." in page
    assert f"/staff/applications/{interviewed.pk}/moderation/interview/" in page
