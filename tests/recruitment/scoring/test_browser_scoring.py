"""Scoring, moderation and the bulk shortlisting decision in Debian's Chromium, keyboard only,
with axe-core run on every page reached: zero WCAG 2.0/2.1/2.2 A and AA violations."""

import re

import pytest
from playwright.sync_api import expect

from recruitment.models import AgreedAssessment, Application, Score
from tests.support.browser import Keyboard, no_violations, sign_in
from tests.support.factories import (
    ApplicationFactory,
    EvidenceFactory,
    GuaranteeDeclarationFactory,
    ScoreFactory,
    set_vacancy_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def score_all(application, scorer, scores):
    for criterion, value in zip(application.vacancy.criteria.all(), scores, strict=True):
        ScoreFactory(application=application, criterion=criterion, scorer=scorer, score=value)


def test_a_panel_member_scores_independently_with_the_keyboard_only(
    page, live_server, vacancy, panel_member, other_panel_member
):
    vacancy = set_vacancy_status(vacancy, "closed")
    first = ApplicationFactory(vacancy=vacancy, candidate__full_name="Zadie Quartermaine")
    second = ApplicationFactory(vacancy=vacancy)
    criteria = list(vacancy.criteria.all())
    EvidenceFactory(application=first, criterion=criteria[0], text="Registered since 2015.")
    score_all(first, other_panel_member, [4, 3, 1])
    keys = Keyboard(page)

    sign_in(keys, page, live_server.url, panel_member.username)
    keys.activate(page.get_by_role("link", name="Vacancies you work on").first)
    keys.activate(page.get_by_role("link", name=vacancy.title))
    keys.activate(page.get_by_role("button", name="Score applications"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Score applications: shortlisting")
    expect(page.locator("#progress")).to_have_text("You have scored 0 of 2 applications.")
    keys.activate(page.get_by_role("link", name=first.reference))

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Score application {first.reference}"
    )
    expect(page.locator("main")).not_to_contain_text("Zadie")
    expect(page.locator("main")).to_contain_text("Registered since 2015.")
    expect(page.locator("main")).to_contain_text("Hidden until you have scored every criterion")
    expect(page.locator("main")).not_to_contain_text(other_panel_member.full_name)
    for criterion, value in zip(criteria, ["3", "2", "0"], strict=True):
        keys.choose(f"score_{criterion.pk}", value)
    keys.type_into(
        page.get_by_label(f"Your note on ‘{criteria[0].text}’ (optional)"), "Clear evidence."
    )
    keys.activate(page.get_by_role("button", name="Save scores"))

    # On to the next application in the member's order
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Your scores for {first.reference} are saved."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Score application {second.reference}"
    )
    assert list(
        Score.objects.filter(application=first, scorer=panel_member)
        .order_by("criterion__position")
        .values_list("score", "note")
    ) == [(3, "Clear evidence."), (2, ""), (0, "")]

    # Now that they have scored it, they see the other member's scores
    keys.activate(page.get_by_role("link", name="Back to applications to score"))
    expect(page.locator("#progress")).to_have_text("You have scored 1 of 2 applications.")
    keys.activate(page.get_by_role("link", name=first.reference))
    others = page.locator("#others ~ table")
    expect(others).to_contain_text(other_panel_member.full_name)
    expect(others.locator("tbody td")).to_have_text(["4", "3", "1"])
    no_violations(keys)
    assert len(keys.scans) == 7  # sign in, home, vacancies, vacancy, list, two applications


def test_the_chair_moderates_and_shortlists_in_bulk_with_the_keyboard_only(
    page, live_server, vacancy, chair, panel_member, other_panel_member
):
    vacancy = set_vacancy_status(vacancy, "closed")
    strong = ApplicationFactory(vacancy=vacancy)
    guaranteed = ApplicationFactory(vacancy=vacancy)
    GuaranteeDeclarationFactory(application=guaranteed, scheme="armed_forces")
    score_all(strong, panel_member, [1, 3, 2])
    score_all(strong, other_panel_member, [3, 3, 2])
    keys = Keyboard(page)

    sign_in(keys, page, live_server.url, chair.username)
    keys.activate(page.get_by_role("link", name="Vacancies you work on").first)
    keys.activate(page.get_by_role("link", name=vacancy.title))
    keys.activate(page.get_by_role("button", name="Moderate scores"))
    expect(page.locator("#progress")).to_contain_text("1 of 2 applications")
    keys.activate(page.get_by_role("link", name=strong.reference))

    table = page.locator("#panel-scores")
    expect(table).to_contain_text(panel_member.full_name)
    expect(table).to_contain_text(other_panel_member.full_name)
    expect(table.locator("tr.app-spread-discuss")).to_have_count(1)
    expect(table.locator("tr.app-spread-discuss")).to_contain_text("2: discuss")
    for criterion, value in zip(vacancy.criteria.all(), ["2", "3", "2"], strict=True):
        keys.choose(f"score_{criterion.pk}", value)
    keys.type_into(
        page.get_by_label("Moderation note (optional)"), "Agreed 2: registration pending."
    )
    keys.activate(page.get_by_role("button", name="Save agreed scores"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Agreed scores saved for {strong.reference}."
    )
    expect(page.locator("#progress")).to_contain_text(re.compile(r"Agreed\s*1 of 2 applications"))
    agreed = AgreedAssessment.objects.get(application=strong, stage="shortlisting")
    assert (agreed.note, agreed.agreed_by) == ("Agreed 2: registration pending.", chair)
    assert sorted(agreed.scores.values_list("score", flat=True)) == [2, 2, 3]

    # The guaranteed candidate's scores are agreed too, by the same page
    keys.activate(page.get_by_role("link", name=guaranteed.reference))
    expect(page.locator("main")).to_contain_text("appear here once all 2 panel members")
    for criterion in vacancy.criteria.all():
        keys.choose(f"score_{criterion.pk}", "2")
    keys.activate(page.get_by_role("button", name="Save agreed scores"))

    # The ranking: decide both on merit, in bulk; nothing marks the candidate who declared
    keys.activate(page.get_by_role("link", name="Back to the vacancy"))
    keys.activate(page.get_by_role("button", name="Ranking and shortlisting"))
    expect(page.locator("#sift")).to_contain_text("How the sift works")
    expect(page.locator("#ranking")).not_to_contain_text("guarantee")
    expect(page.locator("main")).not_to_contain_text("armed")
    keys.check(page.get_by_label(f"Select {strong.reference}"))
    keys.check(page.get_by_label(f"Select {guaranteed.reference}"))
    keys.choose("decision", "reject")
    keys.type_into(page.get_by_label("Reason", exact=True), "Not taking anyone forward.")
    keys.activate(page.get_by_role("button", name="Apply to the selected applications"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Do not shortlist 2 applications?")
    keys.activate(page.get_by_role("button", name="Do not shortlist 2 applications"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "2 applications not shortlisted."
    )
    assert Application.objects.get(pk=guaranteed.pk).state == "not_shortlisted"
    assert Application.objects.get(pk=strong.pk).state == "not_shortlisted"

    # Completing the sift needs a confirmation, then applies the guarantee
    keys.activate(page.get_by_role("button", name="Complete the sift"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that every")
    keys.check(page.get_by_label("Every application has been decided"))
    keys.activate(page.get_by_role("button", name="Complete the sift"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sift complete. 1 candidate will be told they were not shortlisted. 1 candidate was "
        "invited to interview."
    )
    expect(page.locator("#sift")).to_contain_text("The sift was completed on")
    assert Application.objects.get(pk=guaranteed.pk).state == "shortlisted"
    assert Application.objects.get(pk=strong.pk).state == "not_shortlisted"
    no_violations(keys)
