"""The sift is blind in fact (docs/domain.md, "The sift is decided on merit, blind").

Two candidates apply to the same vacancy with the same statement and evidence and get the
same scores. One declares everything there is to declare (a guaranteed-interview scheme, the
positive-action declaration, every equality answer) and asks for an adjustment, which HR
agrees; the other declares nothing. Everything the chair and a panel member can reach is read
for both — every page, every API answer, the actions offered, the errors, the e-mails sent
to them — and must be identical but for what names the application itself (its reference
and id) and the clock. That holds before the scores are agreed, after, and after the chair
has decided both on merit; only completing the sift (the guarantee) tells them apart, and
then only as "invited to interview".
"""

import difflib
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from adjustments import services as adjustment_services
from recruitment.applications import notifications, services
from recruitment.models import Application
from recruitment.scoring import services as services_
from tests.recruitment.scoring.test_guarantee import SCHEME_WORDS
from tests.support.factories import PositiveActionPlanFactory, UserFactory
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

STATEMENT = "Nine years of casework in a busy children's team."
EQUALITY = {
    "ethnicity": "black_caribbean",
    "sex": "female",
    "gender_identity_same": "no",
    "sexual_orientation": "bisexual",
    "religion": "muslim",
    "disability_condition": "yes",
    "disability_impact": "a_lot",
    "age_band": "45-54",
}
#: Words that would say something was declared or asked for ("adjustments" and
#: "positive_action_eligible" are field names every application has).
TELLING = [
    *SCHEME_WORDS,
    "arrangement",
    "extra time",
    "dyslexia",
    "black_caribbean",
    "bisexual",
    "muslim",
]
TIMES = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"), "WHEN"),
    (re.compile(r"\d{1,2} \w{3,9} \d{4}(, | at )\d{1,2}[:.]\d{2}(am|pm)?"), "WHEN"),
    (re.compile(r"\d{1,2}:\d{2}"), "HH:MM"),
]


@pytest.fixture
def world(vacancy, hr, chair, panel_member, other_panel_member):
    """The vacancy (open, then closed), the declaring candidate ``a`` and the plain ``b``."""
    PositiveActionPlanFactory(vacancy=vacancy)
    people = [UserFactory(full_name=f"Person {n}") for n in ("A", "B")]
    evidence = [services.EvidenceInput(c.pk, "The same evidence.") for c in vacancy.criteria.all()]
    a = services.application_submit(
        candidate=people[0],
        vacancy=vacancy,
        statement=STATEMENT,
        evidence=evidence,
        interview_guarantee="disability_confident",
        positive_action=True,
        equality=EQUALITY,
    )
    b = services.application_submit(
        candidate=people[1], vacancy=vacancy, statement=STATEMENT, evidence=evidence
    )
    asked, _ = adjustment_services.adjustment_request(
        application=a,
        by=people[0],
        stage="interview",
        category="extra_time",
        details="I have dyslexia and need extra time.",
    )
    adjustment_services.adjustment_agree(adjustment_id=asked.pk, by=hr, arrangement="Extra time.")
    Vacancy.objects.filter(pk=vacancy.pk).update(closing_date=timezone.now() - timedelta(hours=1))
    from vacancies import services as vacancy_services

    vacancy_services.vacancy_close(vacancy_id=vacancy.pk, by=hr)
    return Vacancy.objects.get(pk=vacancy.pk), a, b


def score_both(world, members, values):
    vacancy, a, b = world
    for application in (a, b):
        for member in members:
            services_.scores_submit(
                application_id=application.pk,
                by=member,
                stage="shortlisting",
                scores=[
                    services_.ScoreInput(c.pk, v)
                    for c, v in zip(vacancy.criteria.all(), values, strict=True)
                ],
            )


def agree_both(world, chair, values):
    vacancy, a, b = world
    for application in (a, b):
        services_.agreed_scores_set(
            application_id=application.pk,
            by=chair,
            stage="shortlisting",
            scores=[
                services_.ScoreInput(c.pk, v)
                for c, v in zip(vacancy.criteria.all(), values, strict=True)
            ],
            note="Agreed at moderation.",
        )


def normal(text, application):
    """``text`` with what names the application itself, and the clock, taken out."""
    text = json_ids(text, application)
    text = re.sub(r'nonce="[^"]+"', 'nonce="N"', text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = text.replace(application.reference, "REF")
    text = text.replace(f"/applications/{application.pk}/", "/applications/ID/")
    text = text.replace(
        f'name="applications" type="checkbox" value="{application.pk}"',
        'name="applications" type="checkbox" value="ID"',
    )
    # The first checkbox of a list carries the bare id (the error summary links to it): a
    # matter of place in the list, not of the candidate.
    text = re.sub(rf'"id_applications(_{application.pk})?"', '"id_applications_X"', text)
    for pattern, mark in TIMES:
        text = pattern.sub(mark, text)
    return text


def json_ids(text, application):
    """In a JSON answer, the application's own id (as ``id`` beside its reference, or as
    ``application``) replaced; other ids (scorers, criteria) kept."""
    try:
        data = json.loads(text)
    except ValueError:
        return text

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            value = {k: walk(v) for k, v in value.items()}
            if value.get("reference") == application.reference and "id" in value:
                value["id"] = "ID"
            if value.get("application") == application.pk:
                value["application"] = "ID"
            return value
        return value

    return json.dumps(walk(data), sort_keys=True)


def pieces(html, application):
    """The rows and list items of a page that mention the application, normalised."""
    found = [
        normal(m.group(0), application)
        for m in re.finditer(r"<(tr|li)\b[^>]*>.*?</\1>", html, flags=re.S)
        if application.reference in m.group(0)
    ]
    return sorted(found)


def api_rows(data, application):
    """The items of a list answer (or a ranking) about the application, normalised."""
    items = data["results"] if isinstance(data, dict) and "results" in data else data
    return sorted(
        normal(json.dumps(item), application)
        for item in items
        if item.get("reference") == application.reference
        or item.get("application") == application.pk
        or item.get("id") == application.pk
    )


def per_application_channels(user, api, browser, application, vacancy):
    """Everything the user can read about one application, as a dict of channel → text."""
    pk = application.pk
    pages = {
        "page: application": f"/staff/applications/{pk}/",
        "page: your scores": f"/staff/applications/{pk}/scoring/shortlisting/",
        "page: moderate": f"/staff/applications/{pk}/moderation/shortlisting/",
        "page: offer": f"/staff/applications/{pk}/offer-decision/",
    }
    seen = {}
    for name, url in pages.items():
        response = browser.get(url)
        seen[name] = f"{response.status_code} {normal(response.content.decode(), application)}"
    answers = {
        "api: detail": f"/api/v1/applications/{pk}/",
        "api: scores": f"/api/v1/applications/{pk}/scores/?stage=shortlisting",
        "api: history": f"/api/v1/applications/{pk}/history/",
        "api: score history": f"/api/v1/applications/{pk}/score-history/",
        "api: adjustments": f"/api/v1/applications/{pk}/adjustments/",
    }
    for name, url in answers.items():
        response = api.get(url)
        seen[name] = f"{response.status_code} {normal(response.content.decode(), application)}"
    # The errors a refused action gives: each refusal leaves the application as it was.
    refusals = {
        "refused: no reason": ("reject", {}),
        "refused: schedule": ("schedule_interview", {"interview_at": "2031-06-01T10:00:00Z"}),
        "refused: offer": ("offer", {}),
        "refused: record": ("record_interview", {}),
    }
    before = Application.objects.get(pk=pk).state
    for name, (action, body) in refusals.items():
        response = api.post(f"/api/v1/applications/{pk}/actions/{action}/", body, format="json")
        assert response.status_code >= 400, (name, response.content)
        seen[name] = f"{response.status_code} {normal(response.content.decode(), application)}"
    assert Application.objects.get(pk=pk).state == before
    # The rows about it on the vacancy's pages and lists.
    vacancy_pages = {
        "rows: applications": f"/staff/vacancies/{vacancy.pk}/applications/",
        "rows: ranking": f"/staff/vacancies/{vacancy.pk}/ranking/shortlisting/",
        "rows: moderation": f"/staff/vacancies/{vacancy.pk}/moderation/shortlisting/",
        "rows: scoring queue": f"/staff/vacancies/{vacancy.pk}/scoring/shortlisting/",
        "rows: interviews": f"/staff/vacancies/{vacancy.pk}/interviews/",
    }
    for name, url in vacancy_pages.items():
        response = browser.get(url)
        seen[name] = (response.status_code, pieces(response.content.decode(), application))
    for name, url in {
        "api rows: list": f"/api/v1/applications/?vacancy={vacancy.pk}&page_size=100",
        "api rows: ranking": f"/api/v1/vacancies/{vacancy.pk}/ranking/?stage=shortlisting",
        "api rows: ranking pages": f"/api/v1/vacancies/{vacancy.pk}/ranked-applications/",
    }.items():
        response = api.get(url)
        seen[name] = (
            response.status_code,
            api_rows(response.json(), application) if response.status_code == 200 else [],
        )
    # The ranking as a CSV download: its header and the application's row.
    response = api.get(f"/api/v1/vacancies/{vacancy.pk}/ranked-applications/?format=csv")
    lines = (
        b"".join(response.streaming_content).decode().splitlines()
        if response.status_code == 200
        else []
    )
    seen["csv: ranking"] = (
        response.status_code,
        [normal(line, application) for line in lines[:1] if line],
        sorted(  # the id is the second column
            normal(line, application).replace(f",{application.pk},", ",ID,", 1)
            for line in lines
            if application.reference in line
        ),
    )
    return seen


def assert_same(user, world, client_for, moment):
    vacancy, a, b = world
    api, browser = client_for(user), Client()
    browser.force_login(user)
    seen_a = per_application_channels(user, api, browser, a, vacancy)
    seen_b = per_application_channels(user, api, browser, b, vacancy)
    differ = [name for name in seen_a if seen_a[name] != seen_b[name]]
    for name in differ:  # show what differs
        print(f"--- {moment}, {user.username}: {name}")
        print(
            "\n".join(
                difflib.unified_diff(
                    str(seen_a[name]).splitlines(), str(seen_b[name]).splitlines(), lineterm=""
                )
            )
        )
    assert differ == [], (moment, user.username)
    # Something was read, and none of it says anything was declared.
    assert str(seen_a["api: detail"]).startswith("200 ")
    everything = json.dumps(seen_a).lower()
    assert not [word for word in TELLING if word in everything], moment
    return seen_a


@pytest.mark.parametrize("persona", ["chair", "panel_member"])
def test_nothing_the_chair_or_panel_reads_differs_between_a_declarer_and_a_non_declarer(
    persona, request, world, chair, panel_member, other_panel_member, client_for
):
    user = request.getfixturevalue(persona)
    _, a, b = world

    # Before anyone scores
    assert_same(user, world, client_for, "before scoring")
    # Once the panel has scored, before the scores are agreed
    score_both(world, [panel_member, other_panel_member], [3, 2, 1])
    assert_same(user, world, client_for, "scored, not agreed")
    # Once the scores are agreed
    agree_both(world, chair, [3, 2, 1])
    after_agreed = assert_same(user, world, client_for, "agreed")
    assert "reject" in after_agreed["api: detail"] or persona == "panel_member"
    # The chair decides both on merit: the same answer for both
    answers = [
        client_for(chair).post(
            f"/api/v1/applications/{x.pk}/actions/reject/", {"reason": "Others were stronger."}
        )
        for x in (a, b)
    ]
    assert [r.status_code for r in answers] == [200, 200]
    assert normal(answers[0].content.decode(), a) == normal(answers[1].content.decode(), b)
    assert_same(user, world, client_for, "decided on merit, sift not complete")


def test_the_e_mails_to_staff_are_the_same_for_both(
    world, chair, panel_member, other_panel_member, settings
):
    vacancy, a, b = world
    # Reminders of what waits for their scores, by reference
    Vacancy.objects.filter(pk=vacancy.pk).update(closed_at=timezone.now() - timedelta(days=30))
    notifications.scoring_reminders_send()
    reminders = [m for m in mail.outbox if "score" in m.subject.lower()]
    assert reminders
    for message in reminders:
        assert message.body.count(a.reference) == message.body.count(b.reference) == 1
        line_a = next(line for line in message.body.splitlines() if a.reference in line)
        line_b = next(line for line in message.body.splitlines() if b.reference in line)
        assert normal(line_a, a) == normal(line_b, b)
        assert not [w for w in TELLING if w in message.body.lower()]
    # A score changed after agreement: the chair is told the same way for both
    score_both(world, [panel_member], [3, 2, 1])
    agree_both(world, chair, [3, 2, 1])
    mail.outbox.clear()
    score_both(world, [panel_member], [2, 2, 1])
    assert notifications.agreement_reopened_send(a.pk, "shortlisting") is True
    assert notifications.agreement_reopened_send(b.pk, "shortlisting") is True
    first, second = mail.outbox
    assert normal(first.subject, a) == normal(second.subject, b)
    assert normal(first.body, a) == normal(second.body, b)
    assert not [w for w in TELLING if w in first.body.lower()]


def test_completing_the_sift_is_where_they_part_and_the_panel_sees_only_an_invitation(
    world, chair, panel_member, other_panel_member, hr, client_for
):
    vacancy, a, b = world
    score_both(world, [panel_member, other_panel_member], [3, 2, 1])
    agree_both(world, chair, [3, 2, 1])
    for x in (a, b):
        services.application_reject(application_id=x.pk, by=chair, reason="Others were stronger.")

    response = client_for(chair).post(
        f"/api/v1/vacancies/{vacancy.pk}/complete-sift/", {"confirm": True}, format="json"
    )

    assert response.json()["invited"] == [a.reference]
    panel = client_for(panel_member)
    history = panel.get(f"/api/v1/applications/{a.pk}/history/").json()
    assert [(h["transition"], h["reason"]) for h in history[-2:]] == [
        ("reject_at_sift", "Others were stronger."),
        ("invite_to_interview", None),
    ]
    detail = panel.get(f"/api/v1/applications/{a.pk}/").content.decode().lower()
    assert not [w for w in SCHEME_WORDS if w in detail]
    assert "positive_action" not in detail
    # HR reads why
    step = client_for(hr).get(f"/api/v1/applications/{a.pk}/").json()["guarantee_step"]
    assert step["outcome"] == "invited"
    assert "Disability Confident" in step["reason"]
