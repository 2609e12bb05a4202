"""Deciding by rank in Chromium, keyboard only, with axe on every page reached: the form on
the ranking page, and the progress page that follows the run by itself."""

import re

import pytest
from playwright.sync_api import expect

from recruitment.models import Application, DecisionRun, DecisionRunItem
from recruitment.scoring.decision_runs import decision_run_advance
from tests.support.browser import Keyboard, axe_violations
from tests.support.factories import PASSWORD, ApplicationFactory, agree, set_vacancy_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, keys, user):
    page.goto(live_server.url + "/accounts/login/")
    keys.type_into(page.get_by_label("Username"), user.username)
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    keys.activate(page.get_by_role("button", name="Sign in"))


def test_the_chair_shortlists_the_top_two_by_rank_with_the_keyboard_only(
    page, live_server, vacancy, chair, eager
):
    set_vacancy_status(vacancy, "closed")
    apps = [ApplicationFactory(vacancy=vacancy) for _ in range(3)]
    for application, scores in zip(apps, ([3, 3, 3], [3, 3, 2], [1, 1, 1]), strict=True):
        agree(application, scores)
    keys = Keyboard(page)
    sign_in(page, live_server, keys, chair)
    page.goto(f"{live_server.url}/staff/vacancies/{vacancy.pk}/ranking/shortlisting/")
    keys.scan()

    keys.activate(page.get_by_role("button", name="Decide by rank"))  # nothing filled in
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select shortlist or do not shortlist")
    expect(summary).to_contain_text("Enter the last rank to decide")
    rank = page.get_by_label("Every undecided application ranked 1 to")
    expect(rank).to_have_class(re.compile(r"\bgovuk-input\b"))
    keys.choose("by-rank-decision", "shortlist")
    keys.type_into(rank, "2")
    keys.activate(page.get_by_role("button", name="Decide by rank"))

    # Nothing decided yet: the page says what it covers and asks to confirm.
    expect(page.locator("h1")).to_have_text("Shortlist 2 applications?")
    expect(page.locator("#preview")).to_contain_text("Every undecided application ranked 1 to 2: 2")
    expect(page.locator("#preview")).to_contain_text("2 meet them; 0 do not")
    assert not DecisionRun.objects.exists()
    keys.activate(page.get_by_role("button", name="Shortlist 2 applications"))

    run = DecisionRun.objects.get()
    assert page.url == f"{live_server.url}/staff/decision-runs/{run.pk}/"
    expect(page.locator("#progress")).to_have_text(
        "2 of 2 applications decided (100%): 2 done, 0 refused, 0 waiting"
    )
    states = dict(Application.objects.values_list("pk", "state"))
    assert [states[a.pk] for a in apps] == ["shortlisted", "shortlisted", "submitted"]
    failing = {p: found for p, found in keys.scans.items() if found}
    assert failing == {}, failing


def test_the_progress_page_follows_a_run_by_itself_and_lists_the_refusals(
    page, live_server, vacancy, chair
):
    vacancy = set_vacancy_status(vacancy, "closed")
    vacancy.interview_limit = 1
    vacancy.interview_limit_reason = "High-volume campaign."
    vacancy.save()
    apps = [ApplicationFactory(vacancy=vacancy) for _ in range(2)]
    agree(apps[0], [3, 3, 3])
    agree(apps[1], [2, 2, 2])
    # Asked for, its task not yet taken by a worker.
    run = DecisionRun.objects.create(
        vacancy=vacancy, action="shortlist", up_to_rank=2, requested_by=chair
    )
    DecisionRunItem.objects.bulk_create(
        DecisionRunItem(run=run, application=a, position=i) for i, a in enumerate(apps)
    )
    keys = Keyboard(page)
    sign_in(page, live_server, keys, chair)
    page.goto(f"{live_server.url}/staff/decision-runs/{run.pk}/")
    expect(page.locator("#progress")).to_contain_text("0 of 2 applications decided (0%)")
    expect(page.locator("#run-progress")).to_have_attribute("value", "0")
    assert axe_violations(page) == []

    decision_run_advance(run.pk)  # the worker does its work

    # The page polls, then reloads once the run has finished: the refusal is listed.
    expect(page.locator("#refusals")).to_contain_text(apps[1].reference, timeout=10_000)
    expect(page.locator("#refusals")).to_contain_text("interview")
    expect(page.locator("#progress")).to_have_text(
        "2 of 2 applications decided (100%): 1 done, 1 refused, 0 waiting"
    )
    expect(page.locator("#run-progress")).to_have_count(0)
    assert axe_violations(page) == []
