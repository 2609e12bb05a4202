"""The web pages call the same services and permission checks as the API: the same
refusals, shown as messages, and the same 404s for what a user may not see."""

import pytest

from recruitment.models import Application
from tests.support.clients import banner
from tests.support.clients import page_client as browser
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    VacancyFactory,
    agree,
    set_state,
    set_vacancy_status,
)
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db


def test_rejecting_from_the_page_rests_on_agreed_essential_scores(vacancy, chair):
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy)
    GuaranteeDeclarationFactory(application=application)
    agree(application, [2])  # the second essential criterion not agreed

    response = browser(chair).post(
        f"/staff/applications/{application.pk}/reject/", {"reject-reason": "Weak evidence"}
    )

    assert response.status_code == 302
    assert banner(response) == [
        "Agree a score for every essential criterion before deciding not to shortlist."
    ]
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_rejecting_from_the_page_needs_a_reason_and_shows_the_error(vacancy, chair):
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy)

    response = browser(chair).post(f"/staff/applications/{application.pk}/reject/", {})

    assert response.status_code == 200
    assert "Enter a reason" in response.content.decode()
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_shortlisting_while_open_is_refused_with_the_services_message(vacancy, chair):
    application = ApplicationFactory(vacancy=vacancy)

    response = browser(chair).post(f"/staff/applications/{application.pk}/shortlist/")

    assert banner(response) == ["Shortlisting starts when the vacancy has closed."]
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_interview_dates_are_validated_on_the_page(vacancy, chair):
    set_vacancy_status(vacancy, "closed")
    application = set_state(ApplicationFactory(vacancy=vacancy), "shortlisted", "shortlisted")

    response = browser(chair).post(
        f"/staff/applications/{application.pk}/schedule_interview/",
        {
            "interview-interview_date_0": "1",
            "interview-interview_date_1": "1",
            "interview-interview_date_2": "2020",
            "interview-interview_time": "10:00",
            "interview-interview_minutes": "45",
            "interview-interview_format": "video",
            "interview-interview_place": "",
        },
    )

    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert "The interview must be in the future." in response.content.decode()
    assert "Say where it is (the address and room) or how to join" in response.content.decode()
    assert Application.objects.get(pk=application.pk).state == "shortlisted"
    page = browser(chair).get(f"/staff/applications/{application.pk}/").content.decode()
    assert "<title>Error: " not in page


def test_an_interview_s_place_format_and_length_reach_the_candidate_and_the_panel(
    vacancy, chair, panel_member, eager, django_capture_on_commit_callbacks
):
    from django.core import mail

    set_vacancy_status(vacancy, "closed")
    application = set_state(ApplicationFactory(vacancy=vacancy), "shortlisted", "shortlisted")

    with django_capture_on_commit_callbacks(execute=True):
        response = browser(chair).post(
            f"/staff/applications/{application.pk}/schedule_interview/",
            {
                "interview-interview_date_0": "1",
                "interview-interview_date_1": "6",
                "interview-interview_date_2": "2031",
                "interview-interview_time": "10:00",
                "interview-interview_minutes": "45",
                "interview-interview_format": "in_person",
                "interview-interview_place": "Shire Hall, Room 2, Castle Street",
            },
        )

    application.refresh_from_db()
    assert response.status_code == 302
    assert (application.interview_format, application.interview_minutes) == ("in_person", 45)
    assert application.interview_place == "Shire Hall, Room 2, Castle Street"
    said = "In person at Shire Hall, Room 2, Castle Street, for 45 minutes"
    assert said in mail.outbox[-1].body
    candidate_page = browser(application.candidate).get(f"/applications/{application.pk}/")
    assert said in candidate_page.content.decode()
    schedule = browser(panel_member).get(f"/staff/vacancies/{vacancy.pk}/interviews/")
    assert "Shire Hall, Room 2, Castle Street" in schedule.content.decode()
    assert "45 minutes" in schedule.content.decode()


def test_a_place_needs_a_format_in_the_api_and_reads_as_one_sentence(
    vacancy, chair, eager, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.support.clients import api_client

    set_vacancy_status(vacancy, "closed")
    application = set_state(ApplicationFactory(vacancy=vacancy), "shortlisted", "shortlisted")
    url = f"/api/v1/applications/{application.pk}/actions/schedule_interview/"
    when = "2031-06-01T10:00:00+01:00"

    refused = api_client(chair).post(
        url, {"interview_at": when, "interview_place": "Hall"}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["interview_format"]
    assert Application.objects.get(pk=application.pk).state == "shortlisted"

    with django_capture_on_commit_callbacks(execute=True):
        done = api_client(chair).post(
            url,
            {"interview_at": when, "interview_format": "in_person", "interview_place": "Hall."},
            format="json",
        )

    assert done.status_code == 200, done.json()
    assert "In person at Hall.\n" in mail.outbox[-1].body
    assert ".." not in mail.outbox[-1].body


def test_the_panel_list_is_name_blind_until_shortlisted(vacancy, panel_member):
    set_vacancy_status(vacancy, "closed")
    hidden = ApplicationFactory(vacancy=vacancy, candidate__full_name="Zadie Quartermaine")
    shown = set_state(
        ApplicationFactory(vacancy=vacancy, candidate__full_name="Olu Adeyemi"),
        "shortlisted",
        "shortlisted",
    )

    page = browser(panel_member).get(f"/staff/vacancies/{vacancy.pk}/applications/")
    html = page.content.decode()

    assert hidden.reference in html
    assert shown.reference in html
    assert "Zadie Quartermaine" not in html
    assert "Olu Adeyemi" in html
    detail = browser(panel_member).get(f"/staff/applications/{hidden.pk}/").content.decode()
    assert "Zadie" not in detail
    assert hidden.candidate.email not in detail


@pytest.mark.parametrize(
    "path",
    ["/applications/{app}/", "/applications/{app}/withdraw/", "/applications/{app}/sent/"],
)
def test_another_candidates_application_pages_are_not_found(path, application, other_candidate):
    response = browser(other_candidate).get(path.format(app=application.pk))
    assert response.status_code == 404


def test_staff_pages_are_refused_to_candidates_and_hidden_from_outsiders(
    application, candidate, outsider_panel
):
    assert browser(candidate).get("/staff/vacancies/").status_code == 403
    assert browser(candidate).get(f"/staff/applications/{application.pk}/").status_code == 403
    assert browser(outsider_panel).get(f"/staff/applications/{application.pk}/").status_code == 404
    response = browser(outsider_panel).get(
        f"/staff/vacancies/{application.vacancy_id}/applications/"
    )
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(application):
    response = browser().get(f"/applications/{application.pk}/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next=/applications/{application.pk}/",
    )


def test_withdrawing_asks_for_confirmation_first(application, candidate):
    page = browser(candidate).get(f"/applications/{application.pk}/withdraw/")
    assert "Are you sure you want to withdraw your application?" in page.content.decode()
    assert (
        "requests for adjustments still open, or agreed and not yet in place, will be closed"
        in (page.content.decode())
    )
    assert Application.objects.get(pk=application.pk).state == "submitted"

    response = browser(candidate).post(f"/applications/{application.pk}/withdraw/")

    assert banner(response) == [
        "Your application has been withdrawn. Any requests for adjustments still open, or "
        "agreed and not yet in place, have been closed."
    ]
    assert Application.objects.get(pk=application.pk).state == "withdrawn"


def test_applying_to_a_closed_vacancy_or_twice_is_turned_away(vacancy, candidate):
    ApplicationFactory(vacancy=vacancy, candidate=candidate)
    existing = Application.objects.get(vacancy=vacancy, candidate=candidate)
    response = browser(candidate).get(f"/jobs/{vacancy.pk}/apply/statement/")
    assert (response.status_code, response["Location"]) == (302, f"/applications/{existing.pk}/")

    closed = VacancyFactory(status="closed")
    response = browser(candidate).get(f"/jobs/{closed.pk}/apply/statement/")
    assert response.status_code == 404  # a closed vacancy the candidate never applied to


def test_a_draft_can_be_edited_and_a_published_vacancy_cannot(chair, vacancy):
    draft = VacancyFactory(status="draft", hiring_manager=chair)
    form = browser(chair).get(f"/staff/vacancies/{draft.pk}/edit/")
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if not isinstance(v, list)}
    data |= {
        "title": "Principal Social Worker",
        "hiring_manager": chair.pk,
        "closing_date_0": "1",
        "closing_date_1": "6",
        "closing_date_2": "2031",
        "essential_criteria": "Registration\nLeadership",
        "desirable_criteria": "",
        "minimum_criteria_rule": "aggregate_60_no_zero",
        "interview_guarantees": ["care_leaver"],
    }
    response = browser(chair).post(f"/staff/vacancies/{draft.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    draft = Vacancy.objects.get(pk=draft.pk)
    assert (draft.title, draft.minimum_criteria_rule, draft.interview_guarantees) == (
        "Principal Social Worker",
        "aggregate_60_no_zero",
        ["care_leaver"],
    )
    assert [c.text for c in draft.criteria.all()] == ["Registration", "Leadership"]

    response = browser(chair).get(f"/staff/vacancies/{vacancy.pk}/edit/")
    assert banner(response) == ["Only a draft vacancy can be edited."]


def test_a_criterion_is_shown_to_candidates_as_text_never_as_markup(candidate):
    vacancy = VacancyFactory(criteria=[("essential", '<img src=x onerror="alert(1)"> & more')])

    html = browser(candidate).get(f"/jobs/{vacancy.pk}/apply/statement/").content.decode()

    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more" in html


def test_the_error_summary_links_a_radio_group_to_its_first_radio(vacancy, candidate):
    import re

    client = browser(candidate)
    client.post(f"/jobs/{vacancy.pk}/apply/statement/", {"statement": "Eight years."})

    html = client.post(f"/jobs/{vacancy.pk}/apply/guarantee/", {}).content.decode()

    links = re.findall(r'govuk-error-summary__list">.*?href="#([^"]+)"', html, re.S)
    assert links == ["id_scheme_1"]
    assert 'id="id_scheme_1"' in html


def test_the_staff_vacancy_page_names_the_schemes_and_the_sift_in_words(vacancy, hr, chair):
    page = browser(hr).get(f"/staff/vacancies/{vacancy.pk}/").content.decode()
    assert "Disability Confident, Care leaver (care-experienced), Armed forces veteran" in page
    assert "disability_confident" not in page
    assert ">Sift<" not in page  # open: nothing to say yet
    set_vacancy_status(vacancy, "closed")
    page = browser(chair).get(f"/staff/vacancies/{vacancy.pk}/").content.decode()
    assert "Not complete: candidates not shortlisted have not been told yet" in page
    assert "Complete the sift" in page
