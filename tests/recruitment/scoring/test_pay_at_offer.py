"""Pay at offer: the offer records the salary (within the vacancy's range, at its bottom
unless a reason is given), the monitoring row records where it sits in the range, and the
appointment keeps it. Refusals name the field and change nothing. The salary reaches HR, the
chair and the candidate; never the panel."""

import pytest
from django.core import mail
from django.urls import reverse
from django_fsm_log.models import StateLog

from recruitment.models import Application, EqualityAnswers, OfferDecision
from tests.support.clients import banner
from tests.support.clients import page_client as browser
from tests.support.factories import ApplicationFactory, agree, set_state, set_vacancy_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def interviewed(vacancy, candidate):
    """An interviewed candidate with agreed interview scores; the range is £41,000–£45,000."""
    set_vacancy_status(vacancy, "closed")
    application = set_state(
        ApplicationFactory(vacancy=vacancy, candidate=candidate), "interviewed", "interviewed"
    )
    agree(application, [3, 3, 3], stage="interview")
    assert (vacancy.salary_min, vacancy.salary_max) == (41_000, 45_000)
    return application


def offer(client, application, **body):
    return client.post(f"/api/v1/applications/{application.pk}/actions/offer/", body, format="json")


def nothing_changed(application):
    return (
        Application.objects.get(pk=application.pk).state == "interviewed"
        and not OfferDecision.objects.filter(application=application).exists()
        and EqualityAnswers.objects.get(application=application).pay_position is None
        and not StateLog.objects.filter(object_id=application.pk, transition="offer").exists()
    )


def test_an_offer_without_a_salary_is_at_the_bottom_of_the_range(interviewed, chair, client_for):
    response = offer(client_for(chair), interviewed)

    assert response.status_code == 200, response.json()
    assert response.json()["offer"]["salary"] == 41_000
    decision = OfferDecision.objects.get(application=interviewed)
    assert (decision.salary, decision.salary_reason) == (41_000, "")
    assert EqualityAnswers.objects.get(application=interviewed).pay_position == 0


def test_above_the_bottom_the_reason_is_kept_and_the_position_recorded(
    interviewed, chair, client_for
):
    why = "Matches her current salary at a neighbouring council."
    response = offer(client_for(chair), interviewed, salary=43_100, salary_reason=f"  {why} ")

    assert response.status_code == 200, response.json()
    assert response.json()["offer"] == {
        "salary": 43_100,
        "salary_reason": why,
        "decided_at": response.json()["offer"]["decided_at"],
    }
    # (43,100 − 41,000) / (45,000 − 41,000) = 0.525 of the way up.
    assert EqualityAnswers.objects.get(application=interviewed).pay_position == 525


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"salary": 40_999}, "salary", "within the vacancy's range, £41,000 to £45,000"),
        ({"salary": 45_001, "salary_reason": "x"}, "salary", "£41,000 to £45,000"),
        ({"salary": 42_000}, "salary_reason", "more than the bottom of the range (£41,000)"),
        ({"salary": 42_000, "salary_reason": "   "}, "salary_reason", "Give the reason"),
        # Found in review: invisible characters are no reason, and text-direction controls
        # would make the reason read differently from what it says.
        ({"salary": 42_000, "salary_reason": "\u200b\u200d"}, "salary_reason", "Give the reason"),
        (
            {"salary": 42_000, "salary_reason": "Current \u202esalary"},
            "salary_reason",
            "change the text's direction",
        ),
        ({"salary": "a lot"}, "salary", "valid integer"),
        ({"salary": -1}, "salary", "greater than or equal to 0"),
        ({"salary_reason": "x" * 2001}, "salary_reason", "2000"),
    ],
)
def test_a_salary_out_of_range_or_without_its_reason_is_refused_naming_the_field(
    interviewed, chair, client_for, body, field, message
):
    response = offer(client_for(chair), interviewed, **body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert nothing_changed(interviewed)


def test_the_top_of_the_range_is_the_top_and_accepting_keeps_the_salary(
    interviewed, chair, hr, candidate, panel_member, client_for
):
    offer(client_for(chair), interviewed, salary=45_000, salary_reason="Scarce specialism.")
    accepted = client_for(candidate).post(
        f"/api/v1/applications/{interviewed.pk}/actions/accept_offer/", {}, format="json"
    )

    assert accepted.status_code == 200, accepted.json()
    assert Application.objects.get(pk=interviewed.pk).state == "appointed"
    row = EqualityAnswers.objects.get(application=interviewed)
    assert (row.furthest_stage, row.pay_position) == ("appointed", 1000)
    for user in (hr, chair, candidate):
        body = client_for(user).get(f"/api/v1/applications/{interviewed.pk}/").json()
        assert body["offer"]["salary"] == 45_000, user.role
    # The panel's part ended at the interview: no pay.
    panel = client_for(panel_member).get(f"/api/v1/applications/{interviewed.pk}/").json()
    assert "offer" not in panel


def test_the_offer_page_records_the_salary_and_shows_it(interviewed, chair, candidate):
    page = browser(chair).get(f"/staff/applications/{interviewed.pk}/offer-decision/")
    html = page.content.decode()
    assert 'name="salary" value="41000"' in html
    assert "The range is £41,000 to £45,000." in html

    refused = browser(chair).post(
        f"/staff/applications/{interviewed.pk}/offer-decision/", {"salary": "44000"}
    )
    assert refused.status_code == 200
    assert "Give the reason for offering more than the bottom" in refused.content.decode()
    assert nothing_changed(interviewed)

    done = browser(chair).post(
        f"/staff/applications/{interviewed.pk}/offer-decision/",
        {"salary": " £44,000 ", "salary_reason": "Current salary."},  # as people write it
    )
    assert done.status_code == 302
    assert banner(done) == [f"Job offered to {interviewed.reference} at £44,000 a year."]
    staff_page = browser(chair).get(f"/staff/applications/{interviewed.pk}/").content.decode()
    assert "Salary offered" in staff_page
    assert "£44,000 a year" in staff_page
    mine = browser(candidate).get(reverse("my-application", args=[interviewed.pk]))
    mine = mine.content.decode()
    assert "The salary offered: <strong>£44,000 a year</strong>" in mine


def test_a_reason_sent_with_the_bottom_of_the_range_is_not_kept(interviewed, chair, client_for):
    response = offer(client_for(chair), interviewed, salary=41_000, salary_reason="Negotiated.")

    assert response.status_code == 200, response.json()
    decision = OfferDecision.objects.get(application=interviewed)
    assert (decision.salary, decision.salary_reason) == (41_000, "")


def test_the_offer_e_mail_says_the_salary(
    interviewed, chair, candidate, client_for, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer(client_for(chair), interviewed, salary=43_250, salary_reason="Her current pay.")

    (message,) = [m for m in mail.outbox if m.to == [candidate.email]]
    assert "at a starting salary of £43,250 a year." in message.body
    assert "Her current pay" not in message.body  # the reason stays with the team
