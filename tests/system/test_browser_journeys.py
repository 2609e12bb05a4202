"""The candidate and staff journeys in Debian's Chromium, keyboard only, with axe-core run on
every page reached: zero WCAG 2.0/2.1/2.2 A and AA violations."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from recruitment.models import Application, EqualityAnswers, PositiveActionDeclaration
from tests.support.browser import Keyboard, axe_violations, no_violations
from tests.support.factories import (
    PASSWORD,
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    PositiveActionPlanFactory,
    UserFactory,
    VacancyFactory,
    agree,
    set_vacancy_status,
)
from vacancies.models import Vacancy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pages_are_styled_by_govuk_frontend(page, live_server):
    page.goto(live_server.url + "/")
    header = page.locator(".govuk-header")
    expect(header).to_have_css("background-color", "rgb(11, 12, 12)")
    font = page.locator("p.govuk-body").first.evaluate("el => getComputedStyle(el).fontFamily")
    assert font.lower().startswith("arial")


def test_a_new_candidate_finds_a_job_and_applies_with_the_keyboard_only(
    page, live_server, chair, panel_member
):
    vacancy = VacancyFactory(
        title="Senior Social Worker",
        hiring_manager=chair,
        panel=[panel_member],
        interview_guarantees=["disability_confident", "care_leaver"],
    )
    PositiveActionPlanFactory(vacancy=vacancy)
    VacancyFactory(title="Gardener", department="Parks", grade="S1")
    keys = Keyboard(page)
    page.goto(live_server.url + "/")
    keys.scan()

    # Find the job, filter by department
    keys.activate(page.get_by_role("link", name="Find a job").first)
    keys.tab_to(page.get_by_label("Department"))
    page.keyboard.type("Children")
    keys.activate(page.get_by_role("button", name="Apply filter"))
    expect(page.get_by_role("link", name="Gardener")).to_have_count(0)
    keys.activate(page.get_by_role("link", name="Senior Social Worker"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Senior Social Worker")

    # Apply: sign-in is needed, so create an account
    keys.activate(page.get_by_role("button", name="Apply for this job"))
    keys.activate(page.get_by_role("link", name="Create an account"))
    keys.type_into(page.get_by_label("Full name"), "Amara Mensah")
    keys.type_into(page.get_by_label("Email address"), "amara@example.org")
    keys.type_into(page.get_by_label("Username"), "amara")
    keys.type_into(page.get_by_label("Password"), "a-long-unusual-passphrase")
    keys.activate(page.get_by_role("button", name="Create account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    keys.activate(page.get_by_role("link", name="Continue"))

    # Statement and evidence
    expect(page.get_by_role("heading", level=1)).to_have_text("Your statement and evidence")
    keys.type_into(
        page.get_by_label("Your supporting statement"), "Eight years in child protection."
    )
    for criterion in vacancy.criteria.all():
        keys.type_into(page.get_by_label(criterion.text), f"Evidence for {criterion.text}.")
    keys.activate(page.get_by_role("button", name="Continue"))

    # Guarantee, positive action, equality monitoring
    keys.choose("scheme", "disability_confident")
    keys.activate(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Positive action")
    keys.choose("declared", "no")
    keys.activate(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Equality monitoring")
    keys.choose("ethnicity", "black_african")
    keys.choose("sex", "female")
    keys.choose("religion", "prefer_not_to_say")
    keys.activate(page.get_by_role("button", name="Continue"))

    # Check answers, change one, send
    expect(page.get_by_text("Yes, the Disability Confident scheme")).to_have_count(0)
    expect(page.locator(".govuk-summary-list")).to_contain_text(["Disability Confident"])
    keys.activate(page.get_by_role("link", name="Change guaranteed interview scheme"))
    keys.choose("scheme", "disability_confident")
    keys.activate(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    keys.activate(page.get_by_role("button", name="Send application"))

    application = Application.objects.get(vacancy=vacancy, candidate__username="amara")
    expect(page.locator(".govuk-panel")).to_contain_text(application.reference)
    keys.activate(page.get_by_role("link", name="View your application"))
    expect(page.locator("h2")).to_contain_text(["Status: Received"])

    assert application.guarantee_declaration.scheme == "disability_confident"
    assert not PositiveActionDeclaration.objects.filter(application=application).exists()
    answers = EqualityAnswers.objects.get(application=application)
    assert (answers.ethnicity, answers.sex, answers.religion, answers.age_band) == (
        "black_african",
        "female",
        "prefer_not_to_say",
        "",
    )
    no_violations(keys)
    assert len(keys.scans) >= 11


def test_hr_creates_publishes_and_closes_a_vacancy_with_the_keyboard_only(page, live_server, chair):
    hr = UserFactory(username="hr", full_name="Priya Shah", role=Role.HR)
    UserFactory(username="panel", full_name="Alex Morgan", role=Role.PANEL_MEMBER)
    keys = Keyboard(page)
    page.goto(live_server.url + "/accounts/login/")
    keys.scan()
    keys.type_into(page.get_by_label("Username"), hr.username)
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))
    keys.activate(page.get_by_role("link", name="Vacancies you work on").first)
    keys.activate(page.get_by_role("button", name="Create a vacancy"))

    keys.type_into(page.get_by_label("Job title"), "Environmental Health Officer")
    keys.type_into(page.get_by_label("Vacancy reference"), "EH-2027-001")
    keys.type_into(page.get_by_label("Department"), "Environment")
    keys.type_into(page.get_by_label("Grade"), "P2")
    keys.type_into(page.get_by_label("Location"), "Ely")
    keys.type_into(page.get_by_label("Job description"), "Food safety inspections.")
    keys.type_into(page.get_by_label("Minimum salary (£ a year)"), "35000")
    keys.type_into(page.get_by_label("Maximum salary (£ a year)"), "39000")
    keys.type_into(page.get_by_label("Day", exact=True), "15")
    keys.type_into(page.get_by_label("Month", exact=True), "12")
    keys.type_into(page.get_by_label("Year", exact=True), "2030")
    keys.tab_to(page.get_by_label("Hiring manager (chairs the panel)"))
    page.keyboard.type("Sam")
    keys.check(page.get_by_label("Alex Morgan"))
    keys.type_into(
        page.get_by_label("Essential criteria"), "EHRB registration\nFood hygiene inspection"
    )
    keys.type_into(page.get_by_label("Desirable criteria"), "Driving licence")
    keys.check(page.get_by_label("Disability Confident"))
    keys.activate(page.get_by_role("button", name="Save draft"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved as a draft")
    vacancy = Vacancy.objects.get(reference="EH-2027-001")
    assert (vacancy.status, vacancy.hiring_manager, vacancy.interview_guarantees) == (
        "draft",
        chair,
        ["disability_confident"],
    )
    assert [c.text for c in vacancy.criteria.all()] == [
        "EHRB registration",
        "Food hygiene inspection",
        "Driving licence",
    ]
    assert [u.username for u in vacancy.panel.all()] == ["panel"]

    keys.activate(page.get_by_role("button", name="Publish"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Vacancy published")
    keys.activate(page.get_by_role("button", name="Close to applications"))
    # Before its closing date: a page asks first, and nothing is closed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Close this vacancy early?")
    assert Vacancy.objects.get(pk=vacancy.pk).status == "open"
    keys.activate(page.get_by_role("button", name="Close it now"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Vacancy closed")
    assert Vacancy.objects.get(pk=vacancy.pk).status == "closed"
    expect(page.locator("main")).to_contain_text("Closed early, on ")
    no_violations(keys)


def test_the_chair_decides_on_merit_with_nothing_marking_a_declarer_by_keyboard_only(
    page, live_server, vacancy, chair
):
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy)
    GuaranteeDeclarationFactory(application=application, scheme="armed_forces")
    agree(application, [3, 2, 1])
    keys = Keyboard(page)
    page.goto(live_server.url + "/accounts/login/")
    keys.type_into(page.get_by_label("Username"), chair.username)
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))
    page.goto(f"{live_server.url}/staff/vacancies/{vacancy.pk}/applications/")
    keys.scan()
    expect(page.locator("tbody")).to_contain_text("Hidden until shortlisted")
    expect(page.locator("main")).not_to_contain_text("guarantee")
    keys.activate(page.get_by_role("link", name=application.reference))
    expect(page.locator("body")).not_to_contain_text("armed")
    expect(page.locator("main")).not_to_contain_text("guarantee")
    # Both decisions are offered, as for anyone with agreed scores
    expect(page.get_by_role("button", name="Do not shortlist")).to_have_count(1)
    keys.activate(page.get_by_role("button", name="Shortlist", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Shortlisted.")
    expect(page.locator(".govuk-summary-list").first).to_contain_text(
        application.candidate.full_name
    )
    assert Application.objects.get(pk=application.pk).state == "shortlisted"
    no_violations(keys)


def test_the_error_summary_links_each_problem_to_its_field(page, live_server):
    keys = Keyboard(page)
    page.goto(live_server.url + "/accounts/register/")
    keys.type_into(page.get_by_label("Username"), "not valid!")
    keys.type_into(page.get_by_label("Password"), "password")
    keys.activate(page.get_by_role("button", name="Create account"))

    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.locator("a")
    expect(links).to_have_text(
        [
            "Enter your full name",
            "Enter your email address",
            "Use only letters, numbers and . + - _",
        ]
    )
    keys.tab_to(links.nth(2))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username")).to_be_focused()
    expect(page.locator("#id_username")).to_have_attribute("aria-describedby", re.compile("error"))
    assert axe_violations(page) == []
