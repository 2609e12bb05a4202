"""`make screenshots`: PNGs of the main pages in screenshots/, for reviewers."""

from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from recruitment.models import Application
from vacancies.models import Vacancy

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "screenshots"


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign in").click()


def test_screenshots_of_the_main_pages(page, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    OUT.mkdir(exist_ok=True)
    base = live_server.url
    page.set_viewport_size({"width": 1100, "height": 900})
    open_vacancy = Vacancy.objects.get(reference="SW-2026-014")
    closed = Vacancy.objects.get(reference="EH-2026-003")
    guaranteed = Application.objects.get(vacancy=closed, candidate__username="chloe")

    def shot(name, path):
        page.goto(base + path)
        page.screenshot(path=OUT / f"{name}.png", full_page=True)

    shot("01-home", "/")
    shot("02-jobs", "/jobs/")
    shot("03-job", f"/jobs/{open_vacancy.pk}/")
    shot("04-register", "/accounts/register/")
    sign_in(page, base, "ben")
    for i, step in enumerate(["statement", "guarantee", "positive-action", "equality"], start=5):
        shot(f"{i:02d}-apply-{step}", f"/jobs/{open_vacancy.pk}/apply/{step}/")
    shot("09-your-applications", "/applications/")
    mine = Application.objects.filter(candidate=User.objects.get(username="ben")).first()
    shot("10-your-application", f"/applications/{mine.pk}/")
    page.context.clear_cookies()
    sign_in(page, base, "manager")
    shot("11-staff-vacancies", "/staff/vacancies/")
    shot("12-staff-vacancy", f"/staff/vacancies/{closed.pk}/")
    shot("13-staff-applications", f"/staff/vacancies/{closed.pk}/applications/")
    shot("14-staff-application-declared", f"/staff/applications/{guaranteed.pk}/")
    shot("15-create-vacancy", "/staff/vacancies/new/")
    shot("16-interview-schedule", f"/staff/vacancies/{closed.pk}/interviews/")
    shot("19-moderation", f"/staff/vacancies/{closed.pk}/moderation/shortlisting/")
    shot("20-ranking", f"/staff/vacancies/{closed.pk}/ranking/shortlisting/")
    page.context.clear_cookies()
    sign_in(page, base, "panel1")
    shot("21-scoring-queue", f"/staff/vacancies/{closed.pk}/scoring/shortlisting/")
    dev = Application.objects.get(vacancy=closed, candidate__username="dev")
    shot("22-score-application", f"/staff/applications/{dev.pk}/scoring/shortlisting/")
    page.context.clear_cookies()
    sign_in(page, base, "hr")
    shot("17-adjustment-queue", "/staff/adjustments/?state=all")
    shot("18-adjustment-report", "/staff/adjustments/report/")
    shot("23-monitoring", "/staff/monitoring/?characteristic=sex")
    assert len(list(OUT.glob("*.png"))) >= 23
