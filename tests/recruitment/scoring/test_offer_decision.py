"""The offer page and the positive-action tie-breaker (Equality Act 2010 s.159), and HR's
audit export of those decisions.

The page offers the tie-breaker only to an eligible candidate in a tie at interview, shows
the evidence and the conditions, and needs a written justification; off a tie the service
refuses it whatever the page is sent. Every offer records whom the candidate was tied with."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from recruitment.models import Application, OfferDecision
from tests.support.clients import banner
from tests.support.clients import page_client as browser
from tests.support.factories import (
    ApplicationFactory,
    PositiveActionDeclarationFactory,
    PositiveActionPlanFactory,
    agree,
    set_state,
    set_vacancy_status,
)
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

EVIDENCE = "22% of officers at this grade vs 38% of the local working-age population"


@pytest.fixture
def pair(vacancy):
    """Two interviewed candidates; the second declared for the positive-action plan."""
    PositiveActionPlanFactory(vacancy=vacancy)
    set_vacancy_status(vacancy, "closed")
    first = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    second = set_state(ApplicationFactory(vacancy=vacancy), "interviewed", "interviewed")
    PositiveActionDeclarationFactory(application=second)
    return first, second


def page_url(application):
    return f"/staff/applications/{application.pk}/offer-decision/"


def bottom(application):
    """The offer page's salary as it comes prefilled: the bottom of the vacancy's range."""
    return {"salary": str(application.vacancy.salary_min)}


def unchanged(application):
    row = Application.objects.get(pk=application.pk)
    return (
        row.state == "interviewed"
        and not OfferDecision.objects.filter(application=application).exists()
        and not StateLog.objects.filter(object_id=application.pk, transition="offer").exists()
    )


def test_off_a_tie_the_page_does_not_offer_the_tie_breaker(pair, chair):
    first, second = pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 2], stage="interview")

    html = browser(chair).get(page_url(second)).content.decode()

    assert "No one: this candidate is not in a tie" in html
    assert "use_tie_breaker" not in html
    assert EVIDENCE not in html


def test_off_a_tie_a_forged_request_to_use_it_is_refused_and_changes_nothing(pair, chair):
    first, second = pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 2], stage="interview")

    response = browser(chair).post(
        page_url(second),
        {"use_tie_breaker": "yes", "justification": "Under-represented.", **bottom(second)},
    )

    assert response.status_code == 302
    assert banner(response) == [
        "The positive-action tie-breaker applies only to an eligible candidate in a tie on "
        "the agreed interview scores."
    ]
    assert unchanged(second)


def test_on_a_tie_the_page_shows_the_evidence_and_the_conditions(pair, chair):
    first, second = pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")

    html = browser(chair).get(page_url(second)).content.decode()

    assert f"{first.reference} (total 9)" in html
    assert EVIDENCE in html
    conditions = html[
        html.index('id="conditions"') : html.index("</ul>", html.index('id="conditions"'))
    ]
    for words in ("as qualified as", "no policy", "proportionate"):
        assert words in conditions
    assert 'name="use_tie_breaker"' in html
    assert 'name="justification"' in html


def test_on_a_tie_using_it_needs_a_written_justification(pair, chair):
    _, second = pair
    agree(pair[0], [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")

    response = browser(chair).post(
        page_url(second), {"use_tie_breaker": "yes", "justification": " ", **bottom(second)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter why the tie-breaker is justified" in html
    assert unchanged(second)


def test_on_a_tie_using_it_with_a_justification_is_recorded(pair, chair):
    first, second = pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")
    why = "Equal interview scores; ethnic minorities are under-represented at P3 (see plan)."

    response = browser(chair).post(
        page_url(second),
        {
            "use_tie_breaker": "yes",
            "justification": why,
            "reason": "Panel decision 12 Jan.",
            **bottom(second),
        },
    )

    assert response.status_code == 302
    assert banner(response) == [
        f"Job offered to {second.reference} at £{second.vacancy.salary_min:,} a year, using the "
        "positive-action tie-breaker."
    ]
    assert Application.objects.get(pk=second.pk).state == "offered"
    decision = OfferDecision.objects.get(application=second)
    assert (
        decision.positive_action_used,
        decision.justification,
        decision.decided_by,
        decision.tied_with,
        decision.evidence,
    ) == (True, why, chair, [first.reference], EVIDENCE)
    log = StateLog.objects.get(object_id=second.pk, transition="offer")
    assert (log.by, log.description) == (chair, "Panel decision 12 Jan.")


def test_on_a_tie_choosing_the_other_candidate_records_the_tie(pair, chair):
    first, second = pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 3], stage="interview")

    page = browser(chair).get(page_url(first)).content.decode()
    response = browser(chair).post(
        page_url(first), {"reason": "Stronger safeguarding answers.", **bottom(first)}
    )

    assert "Another candidate in this tie is eligible" in page
    assert 'name="use_tie_breaker"' not in page
    assert response.status_code == 302
    decision = OfferDecision.objects.get(application=first)
    assert (decision.positive_action_used, decision.justification, decision.tied_with) == (
        False,
        "",
        [second.reference],
    )


def test_a_recorded_tie_band_makes_close_totals_a_tie_for_the_tie_breaker(pair, chair, client_for):
    first, second = pair
    agree(first, [3, 3, 3], stage="interview")
    agree(second, [3, 3, 2], stage="interview")
    body = {"positive_action": {"justification": "Within the recorded band."}}

    refused = client_for(chair).post(
        f"/api/v1/applications/{second.pk}/actions/offer/", body, format="json"
    )
    Vacancy.objects.filter(pk=second.vacancy_id).update(
        tie_band=1, tie_band_reason="One mark is within the panel's measurement error."
    )
    allowed = client_for(chair).post(
        f"/api/v1/applications/{second.pk}/actions/offer/", body, format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "positive_action_not_applicable")
    assert allowed.status_code == 200, allowed.json()
    assert OfferDecision.objects.get(application=second).tied_with == [first.reference]


def test_only_an_interviewed_candidate_reaches_the_offer_page(pair, chair):
    application = set_state(pair[0], "interview_scheduled")

    response = browser(chair).get(page_url(application))

    assert response.status_code == 302
    assert banner(response) == ["Only a candidate who has been interviewed can be offered the job."]


def test_the_offer_page_is_refused_to_the_panel_and_hidden_from_outsiders(
    pair, panel_member, outsider_manager
):
    assert browser(panel_member).get(page_url(pair[1])).status_code == 403
    assert browser(outsider_manager).get(page_url(pair[1])).status_code == 404
    assert browser(panel_member).post(page_url(pair[1]), {"reason": "x"}).status_code == 403
    assert unchanged(pair[1])


# --- HR's audit of positive-action decisions ----------------------------------------------------


@pytest.fixture
def decisions(pair, chair):
    """Three offers: the tie-breaker used (last week), a tie where it was not used
    (yesterday), and an offer with no tie (excluded from the audit)."""
    first, second = pair
    used = OfferDecision.objects.create(
        application=second,
        positive_action_used=True,
        justification='=HYPERLINK("http://x")',
        evidence=EVIDENCE,
        tied_with=[first.reference],
        decided_by=chair,
    )
    not_used = OfferDecision.objects.create(
        application=first, tied_with=[second.reference], decided_by=chair
    )
    plain = OfferDecision.objects.create(
        application=ApplicationFactory(vacancy=first.vacancy), decided_by=chair
    )
    now = timezone.now()
    OfferDecision.objects.filter(pk=used.pk).update(decided_at=now - timedelta(days=7))
    OfferDecision.objects.filter(pk=not_used.pk).update(decided_at=now - timedelta(days=1))
    return used, not_used, plain


def test_hr_exports_the_decisions_as_csv(decisions, hr, client_for):
    used, not_used, _ = decisions

    response = client_for(hr).get("/api/v1/positive-action-decisions/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="positive-action-decisions.csv"' in response["Content-Disposition"]
    headings, *lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert headings == [
        "Decided on",
        "Vacancy",
        "Application",
        "Tie-breaker used",
        "Decided by",
        "Justification",
        "Evidence",
        "Tied with",
    ]
    keys = ["date", "vacancy_reference", "application_reference", "used", "decided_by",
            "justification", "evidence", "tied_with"]  # fmt: skip
    rows = [dict(zip(keys, line, strict=True)) for line in lines]
    decided = OfferDecision.objects.get(pk=used.pk).decided_at
    assert rows[0]["date"] == f"{timezone.localtime(decided):%Y-%m-%d %H:%M}"
    vacancy = used.application.vacancy.reference
    assert [{k: v for k, v in row.items() if k != "date"} for row in rows] == [
        {
            "vacancy_reference": vacancy,
            "application_reference": used.application.reference,
            "used": "yes",
            "decided_by": "Sam Okafor",
            # A formula is neutralised for spreadsheets.
            "justification": '\'=HYPERLINK("http://x")',
            "evidence": EVIDENCE,
            "tied_with": not_used.application.reference,
        },
        {
            "vacancy_reference": vacancy,
            "application_reference": not_used.application.reference,
            "used": "no",
            "decided_by": "Sam Okafor",
            "justification": "",
            "evidence": "",
            "tied_with": used.application.reference,
        },
    ]


def test_the_export_covers_a_period_of_days(decisions, hr, client_for):
    used, not_used, _ = decisions
    today = timezone.localdate()

    recent = client_for(hr).get(
        f"/api/v1/positive-action-decisions/?from={today - timedelta(days=2)}&to={today}"
    )
    earlier = client_for(hr).get(
        f"/api/v1/positive-action-decisions/?to={today - timedelta(days=2)}"
    )

    assert [r["application_reference"] for r in recent.json()["results"]] == [
        not_used.application.reference
    ]
    assert [r["application_reference"] for r in earlier.json()["results"]] == [
        used.application.reference
    ]
    assert recent.json()["results"][0]["tied_with"] == [used.application.reference]


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=yesterday", "from"), ("to=2026-13-01", "to"), ("from=2026-02-01&to=2026-01-01", "to")],
)
def test_a_bad_period_is_a_400_naming_the_field(query, field, hr, client_for):
    response = client_for(hr).get(f"/api/v1/positive-action-decisions/?{query}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("persona", ["chair", "panel_member", "candidate"])
def test_only_hr_sees_the_positive_action_decisions(persona, request, decisions, client_for):
    user = request.getfixturevalue(persona)

    response = client_for(user).get("/api/v1/positive-action-decisions/")
    page = browser(user).get("/staff/positive-action-decisions/")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert page.status_code == 403


def test_the_hr_page_lists_the_decisions_and_links_the_csv(decisions, hr):
    _, not_used, plain = decisions
    today = timezone.localdate()
    start = today - timedelta(days=2)

    html = (
        browser(hr)
        .get(
            "/staff/positive-action-decisions/",
            {
                "date_from_0": start.day,
                "date_from_1": start.month,
                "date_from_2": start.year,
            },
        )
        .content.decode()
    )

    assert re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', html) == [
        not_used.application.reference
    ]
    assert plain.application.reference not in html
    assert f"/api/v1/positive-action-decisions/?format=csv&amp;from={start.isoformat()}" in html
