"""Who may do what, everywhere: a role × endpoint matrix over every API operation and every
web form that changes something.

Each row is an operation (an API action or page action counts as its own operation) in a
given state of one small world; each column a persona:

- ``anon``: not signed in;
- ``cand``: the candidate who owns the application (and its adjustment request);
- ``other``: another candidate, with no application;
- ``outs``: a panel member of another vacancy only (``outsider_panel``);
- ``panel``: a panel member of the vacancy;
- ``chair``: the vacancy's hiring manager;
- ``netrev``: a staff network reviewer whose grant is live (never an application, a vacancy's
  internals nor an exact figure: on those rows it answers as ``other`` does, or as staff do
  where a page is for candidates only; its reads of the released statistics are recorded,
  ``RECORDED``);
- ``hr``.

Each cell is the exact answer (docs/api.md): API 401 without credentials, 404 for an
object the caller may not see, 403 for one they see but may not act on, 200/201 when allowed,
409 with its code when the state forbids it. Pages: ``LOGIN`` (302 to sign in), 404, 403,
``DONE`` (302 on, the change made), ``KEPT`` (302 on with a message, nothing changed).

Every request is made inside a savepoint that is rolled back, so each cell starts from the
same world; a fingerprint of every row of every model (accounts, vacancies, recruitment,
adjustments, the transition log and the audit log) is taken before and after. A refused write
and every read must leave it exactly as it was; an allowed write must change it, as its row
says. A few reads write when allowed, and their rows say so (``writes_on_read``): a download
of the exact statutory return is recorded, and HR's first read of the monitoring statistics
after a reporting year has become publishable decides and stores that year's release plan.

The API rows must cover every operation of the OpenAPI schema (each action of an
``actions/{action_name}`` operation separately), and the page rows every page that takes a
POST: a new endpoint fails ``test_every_*_is_in_the_matrix`` until it has a row here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django_fsm_log.models import StateLog
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import ReviewerGrant, StatisticsView
from adjustments import services as adjustment_services
from adjustments.models import AdjustmentRequest, PreApplicationRequest
from recruitment.applications import services, workflow
from recruitment.models import (
    AgreedAssessment,
    Application,
    ApplicationDraft,
    DecidedYear,
    DecisionRun,
    InterviewBooking,
    InterviewSlot,
    PackComment,
    PublicationPack,
    Score,
    StatutoryReturnDownload,
)
from recruitment.monitoring import years
from recruitment.monitoring.disclosure import period_of
from recruitment.scoring import decision_runs
from tests.recruitment.monitoring.test_statistics import PAST, finish, people
from tests.support.factories import (
    PASSWORD,
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    VacancyFactory,
    agree,
    complete_sift,
    set_state,
    set_vacancy_status,
)
from vacancies import views as vacancy_views
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

PERSONAS = ("anon", "cand", "other", "outs", "panel", "chair", "netrev", "hr")
FINGERPRINTED_APPS = ("accounts", "vacancies", "recruitment", "adjustments", "otp_totp")

LOGIN, DONE, KEPT = "login", "done", "kept"
#: An API answer of 200 that changed nothing (a bulk decision whose every item was refused).
OK_UNCHANGED = "200 unchanged"
#: A network reviewer's read of the statistics: 200, and the read recorded (one
#: ``StatisticsView`` row of theirs), where HR's same read changes nothing.
RECORDED = "200 recorded"


def conflict(code: str) -> str:
    return f"409 {code}"


# --- The world --------------------------------------------------------------------------------


@pytest.fixture
def world(
    hr, chair, panel_member, outsider_panel, candidate, other_candidate, network_reviewer, vacancy
):
    """``vacancy`` (open; chaired by ``chair``, ``panel_member`` on its panel), the
    candidate's ``application`` to it (submitted) with an adjustment ``request`` (requested),
    and a ``draft`` vacancy with the same chair and panel member."""
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    request = AdjustmentRequest.objects.create(
        application=application,
        stage="interview",
        category="extra_time",
        details="I have dyslexia and need extra time to read.",
    )
    draft = VacancyFactory(status="draft", hiring_manager=chair, panel=[panel_member])
    users = {
        "cand": candidate,
        "other": other_candidate,
        "outs": outsider_panel,
        "panel": panel_member,
        "chair": chair,
        "netrev": network_reviewer,
        "hr": hr,
    }
    return SimpleNamespace(
        users=users,
        vacancy=vacancy,
        draft=draft,
        application=application,
        request=request,
        criteria=list(vacancy.criteria.all()),
    )


def fingerprint(ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every row of every model that holds the service's state (but the ``ignore``d
    "app.Model.field"s), read with plain SQL: this runs twice a cell. On PostgreSQL each
    table is one digest of its rows in key order, all tables in one query; elsewhere the
    rows themselves."""
    models = [
        model
        for label in FINGERPRINTED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    models += [StateLog, LogEntry]
    quote = connection.ops.quote_name
    reads = []
    for model in models:
        label = model._meta.label
        skip = {name.rsplit(".", 1)[1] for name in ignore if name.rsplit(".", 1)[0] == label}
        columns = [quote(f.column) for f in model._meta.concrete_fields if f.attname not in skip]
        reads.append((label, columns, quote(model._meta.db_table), quote(model._meta.pk.column)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            digest = (
                "(SELECT md5(coalesce(string_agg(ROW({}) ::text, '|' ORDER BY {}), '')) FROM {})"
            )
            digests = ", ".join(digest.format(", ".join(c), k, t) for _, c, t, k in reads)
            cursor.execute(f"SELECT {digests}")
            return dict(zip([label for label, *_ in reads], cursor.fetchone(), strict=True))
        result = {}
        for label, columns, table, pk in reads:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {pk}")  # noqa: S608
            result[label] = cursor.fetchall()
        return result


# --- States -----------------------------------------------------------------------------------


def closed(w):
    w.vacancy = set_vacancy_status(w.vacancy, "closed")


def filled(w):
    application_in("appointed")(w)
    w.vacancy = set_vacancy_status(w.vacancy, "filled")


def hold(name):
    def setup(w):
        obj = getattr(w, name)
        type(obj).objects.filter(pk=obj.pk).update(legal_hold=True, legal_hold_reason="ET/1234")

    return setup


STAGE_REACHED = {
    "shortlisted": "shortlisted",
    "interview_scheduled": "shortlisted",
    "interviewed": "interviewed",
    "offered": "offered",
    "appointed": "appointed",
}


def application_in(state):
    """The vacancy closed and the application moved on to ``state``."""

    def setup(w):
        closed(w)
        w.application = set_state(w.application, state, STAGE_REACHED.get(state))

    setup.__name__ = state
    return setup


def interviewed_and_agreed(w):
    """Interviewed, with the interview scores agreed: an offer can be made."""
    application_in("interviewed")(w)
    agree(w.application, [3, 3, 3], stage="interview", by=w.users["chair"])


def scored(w):
    """The vacancy closed; agreed scores for every criterion: a decision on merit is open."""
    closed(w)
    agree(w.application, [1, 1, 1], by=w.users["chair"])


def told_not_shortlisted(w):
    """Scored, not shortlisted, and the sift complete: the candidate has been told."""
    scored(w)
    w.application = set_state(w.application, "not_shortlisted")
    complete_sift(w.vacancy)


def feedback_off(w):
    Vacancy.objects.filter(pk=w.vacancy.pk).update(score_feedback=False)


def feedback_given(value):
    return lambda w, user: Vacancy.objects.get(pk=w.vacancy.pk).score_feedback is value


def pack_published(w, user):
    return PublicationPack.objects.filter(year="2024-25", published_by=user).exists()


def slots_published(w):
    """The sift complete, the candidate invited, two phone slots a week ahead (the chair on
    their panel): ``w.slot`` and ``w.other_slot``."""
    application_in("shortlisted")(w)
    complete_sift(w.vacancy)
    w.slot, w.other_slot = (
        InterviewSlot.objects.create(
            vacancy=w.vacancy,
            starts_at=timezone.now() + timedelta(days=7, hours=i),
            minutes=45,
            format="phone",
            created_by=w.users["chair"],
        )
        for i in range(2)
    )
    for slot in (w.slot, w.other_slot):
        slot.panel.set([w.users["chair"]])


def interview_booked(w):
    """``w.slot`` booked by the candidate."""
    slots_published(w)
    services.take("book_interview", application_id=app(w), by=w.users["cand"], slot=w.slot.pk)


def slot_run_body(w):
    return {"starts_at": (timezone.now() + timedelta(days=9)).isoformat(), "minutes": 45,
            "format": "phone", "panel": [w.users["chair"].pk], "count": 2}  # fmt: skip


def slot_run_form(w):
    day = timezone.localdate() + timedelta(days=9)
    return {"date_0": str(day.day), "date_1": str(day.month), "date_2": str(day.year),
            "time": "10:00", "minutes": "45", "count": "2", "gap": "15", "format": "phone",
            "panel": [str(w.users["chair"].pk)]}  # fmt: skip


def slots_published_by(w, user):
    return InterviewSlot.objects.filter(vacancy=w.vacancy, created_by=user).count() == 2


def slot_gone(w, user):
    return not InterviewSlot.objects.published().filter(pk=w.slot.pk).exists()


def booked_slot(name):
    return lambda w, user: (
        InterviewBooking.objects.live().get(application=w.application).slot == getattr(w, name)
    )


def asked_before_applying(w, user):
    return PreApplicationRequest.objects.filter(vacancy=w.vacancy, email="ola@example.org").exists()


def asked_first(w):
    w.asked = PreApplicationRequest.objects.create(
        vacancy=w.vacancy, full_name="Ola Ade", email="ola@example.org",
        category="alternative_format", details="Large print, please.",
    )  # fmt: skip


def deactivated(name):
    def setup(w):
        type(w.users[name]).objects.filter(pk=w.users[name].pk).update(is_active=False)

    return setup


def not_set_up(name):
    """Invited: no password set yet."""

    def setup(w):
        type(w.users[name]).objects.filter(pk=w.users[name].pk).update(password="!")

    return setup


def second_factor(name):
    def setup(w):
        TOTPDevice.objects.create(user=w.users[name], name="app", confirmed=True)

    return setup


def invited(w, user):
    return apps.get_model("accounts", "User").objects.filter(email="nia@council.example").exists()


def run_requested(w):
    """Agreed scores, and a decision from the ranking asked for by the chair (queued)."""
    scored(w)
    w.run = decision_runs.decision_run_request(
        vacancy_id=w.vacancy.pk,
        by=w.users["chair"],
        action="shortlist",
        up_to_rank=1,
        confirm=True,
    )


def run_requested_by(w, user):
    return DecisionRun.objects.filter(vacancy=w.vacancy, requested_by=user).exists()


def sift_completed(w, user):
    return Vacancy.objects.get(pk=w.vacancy.pk).sift_completed_at is not None


def guaranteed(complete):
    """The candidate declared a scheme the vacancy offers; agreed scores that meet the
    minimum criteria (or none at all)."""

    def setup(w):
        closed(w)
        GuaranteeDeclarationFactory(application=w.application, scheme="disability_confident")
        if complete:
            agree(w.application, [3, 3, 3], by=w.users["chair"])

    return setup


def request_in(state):
    def setup(w):
        AdjustmentRequest.objects.filter(pk=w.request.pk).update(state=state)

    return setup


def finished_year(applications, *, decided):
    """A campaign of ``applications`` people that closed in 2024-25 (a reporting year that has
    ended) and was filled, so the year can be published; its release plan already decided
    (stored) or not yet."""

    def setup(w):
        campaign = VacancyFactory(department="Adult Services")
        people(campaign, {"sex": "female"}, "applied", applications)
        finish(campaign, year=PAST)
        if decided:
            assert years.decide_year(PAST)

    return setup


def this_year():
    """The reporting year now running: it has not ended, so it is not published."""
    return period_of(timezone.now()).year_period.key


# --- Bodies -----------------------------------------------------------------------------------


def vacancy_body(w):
    return {
        "title": "Care Worker",
        "reference": "CW-2031-001",
        "department": "Adult Services",
        "grade": "S4",
        "location": "Ely",
        "description": "Home care.",
        "salary_min": 24000,
        "salary_max": 26000,
        "closing_date": "2031-06-01T23:59:00Z",
        "hiring_manager": w.users["chair"].pk,
        "panel": [w.users["panel"].pk],
        "criteria": [{"kind": "essential", "text": "Caring experience"}],
    }


def vacancy_form(w):
    return {
        "title": "Care Worker",
        "reference": "CW-2031-001",
        "department": "Adult Services",
        "grade": "S4",
        "location": "Ely",
        "description": "Home care.",
        "salary_min": "24000",
        "salary_max": "26000",
        "closing_date_0": "1",
        "closing_date_1": "6",
        "closing_date_2": "2031",
        "hiring_manager": w.users["chair"].pk,
        "panel": [w.users["panel"].pk],
        "essential_criteria": "Caring experience",
        "pass_mark": "2",
        "minimum_criteria_rule": "all_essential_at_pass_mark",
        "tie_band": "0",
    }


def scores_body(w):
    return {
        "stage": "shortlisting",
        "scores": [{"criterion": c.pk, "score": 2, "note": "Fine."} for c in w.criteria],
    }


def agreed_body(w):
    return {
        "stage": "shortlisting",
        "scores": [{"criterion": c.pk, "score": 2} for c in w.criteria],
        "note": "Agreed.",
    }


def scores_form(w):
    return {f"score_{c.pk}": "2" for c in w.criteria}


# --- Effects: what an allowed write must have changed -----------------------------------------


def application_state(state):
    return lambda w, user: Application.objects.get(pk=w.application.pk).state == state


def vacancy_status(name, status):
    return lambda w, user: Vacancy.objects.get(pk=getattr(w, name).pk).status == status


def request_state(state):
    return lambda w, user: AdjustmentRequest.objects.get(pk=w.request.pk).state == state


def scored_by(w, user):
    return Score.objects.filter(application=w.application, scorer=user).count() == len(w.criteria)


def agreed_by(w, user):
    return AgreedAssessment.objects.filter(application=w.application, agreed_by=user).exists()


def vacancy_created(w, user):
    return Vacancy.objects.filter(reference="CW-2031-001", created_by=user).exists()


def applied(w, user):
    return Application.objects.filter(vacancy=w.vacancy, candidate=user).exists()


def adjustment_requested(w, user):
    return AdjustmentRequest.objects.filter(application=w.application).count() == 2


def registered(w, user):
    return apps.get_model("accounts", "User").objects.filter(username="newcomer").exists()


def token_issued(w, user):
    return AuthToken.objects.filter(user=w.users["cand"]).exists()


def held(name, value):
    return lambda w, user: (
        type(getattr(w, name)).objects.get(pk=getattr(w, name).pk).legal_hold is value
    )


def draft_edited(w, user):
    return Vacancy.objects.get(pk=w.draft.pk).title == "Care Worker"


def year_decided(w, user):
    return DecidedYear.objects.filter(year=PAST.key).exists()


def statutory_download_recorded(w, user):
    return StatutoryReturnDownload.objects.filter(user=user, year=PAST.key).count() == 1


# --- Staff network reviewers -------------------------------------------------------------------

NR = "/api/v1/network-reviewers"
COMMENTS = "/api/v1/monitoring/publication/2024-25/comments"


def grant_of(w):
    """The network reviewer's live grant."""
    return ReviewerGrant.objects.get(user=w.users["netrev"])


def grant_ended(w):
    ReviewerGrant.objects.filter(user=w.users["netrev"]).update(
        withdrawn_at=timezone.now(), withdrawn_by=w.users["hr"], withdrawn_reason="Left."
    )


def grant_body(w):
    return {"full_name": "Sam Ade", "email": "sam@network.example",
            "network": "Carers' staff network",
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat()}  # fmt: skip


def grant_form(w):
    day = timezone.localdate() + timedelta(days=30)
    return {"full_name": "Sam Ade", "email": "sam@network.example",
            "network": "Carers' staff network", "expires_on_0": str(day.day),
            "expires_on_1": str(day.month), "expires_on_2": str(day.year)}  # fmt: skip


def granted(w, user):
    return ReviewerGrant.objects.filter(
        user__email="sam@network.example", user__role="network_reviewer", granted_by=user
    ).exists()


def grant_withdrawn(w, user):
    return ReviewerGrant.objects.get(user=w.users["netrev"]).withdrawn_by == user


def draft_year(w):
    """A finished reporting year (2024-25), decided: its report is a draft."""
    finished_year(25, decided=True)(w)


def published_year(w):
    draft_year(w)
    PublicationPack.objects.create(year="2024-25", figures={}, html="", pdf=b"", sha256="",
                                   published_by=w.users["hr"])  # fmt: skip


def commented(w):
    """The draft has a comment from the network reviewer: ``w.comment``."""
    draft_year(w)
    w.comment = PackComment.objects.create(
        year="2024-25", author=w.users["netrev"], body="Why is age not broken down further?"
    )


def answered(w):
    commented(w)
    PackComment.objects.filter(pk=w.comment.pk).update(
        answer="Too few people.", answered_by=w.users["hr"], answered_at=timezone.now()
    )


def comment_sent(w, user):
    return PackComment.objects.filter(year="2024-25", author=user).exists()


def comment_answered(w, user):
    return PackComment.objects.get(pk=w.comment.pk).answered_by == user


# --- The matrix -------------------------------------------------------------------------------


@dataclass
class Row:
    op: str  # "METHOD /path/in/the/schema/" (+ " action" for actions/{action_name}), or a page
    path: Callable[[Any], str]
    expect: tuple[Any, ...]  # one per PERSONAS
    setup: Callable[[Any], None] | None = None
    body: Callable[[Any], Any] | None = None
    effect: Callable[[Any, Any], bool] | None = None
    note: str = ""
    page: bool = False
    session: Callable[[Any], dict[str, Any]] | None = None
    #: An allowed write that changes nothing fingerprinted (a token is not domain data).
    changes: bool = True
    #: "app.Model.field" left out of the fingerprint for this row (a sign-in's last_login).
    ignore: tuple[str, ...] = ()
    #: A GET that writes when allowed, as a write does (its effect says what): a recorded
    #: download, or a reporting year's release plan decided on HR's first read of it.
    writes_on_read: bool = False
    id: str = field(default="")

    def __post_init__(self) -> None:
        assert len(self.expect) == len(PERSONAS), self.op
        self.id = self.op + (f" [{self.note}]" if self.note else "")

    @property
    def method(self) -> str:
        return "POST" if self.page else self.op.split()[0]


def app(w):
    return w.application.pk


def api(op, path, *expect, **kw):
    return Row(op, path, expect, **kw)


def page(name, path, *expect, **kw):
    return Row(name, path, expect, page=True, **kw)


V = "/api/v1/vacancies"
A = "/api/v1/applications"
ADJ = "/api/v1/adjustments"
HR_ONLY = (401, 403, 403, 403, 403, 403, 403, 200)
EVERYONE_SIGNED_IN = (401, 200, 200, 200, 200, 200, 200, 200)
#: The released statistics: HR, and a live network reviewer whose read is recorded.
RELEASED = (401, 403, 403, 403, 403, 403, RECORDED, 200)

# fmt: off
API_ROWS = [
    # ---------------------------------------------------------------- anon cand other outs panel chair netrev hr
    api("POST /api/v1/auth/register/", lambda w: "/api/v1/auth/register/",
        201, 201, 201, 201, 201, 201, 201, 201, effect=registered,
        body=lambda w: {"username": "newcomer", "email": "new@example.org",
                        "password": "a-long-passphrase-2031", "full_name": "New Comer"}),
    api("POST /api/v1/auth/token/", lambda w: "/api/v1/auth/token/",
        200, 200, 200, 200, 200, 200, 200, 200, changes=False, ignore=("accounts.User.last_login",),
        body=lambda w: {"username": w.users["cand"].username, "password": PASSWORD},
        effect=token_issued),
    api("POST /api/v1/auth/logout/", lambda w: "/api/v1/auth/logout/",
        401, 204, 204, 204, 204, 204, 204, 204, changes=False),
    api("POST /api/v1/auth/logout-all/", lambda w: "/api/v1/auth/logout-all/",
        401, 204, 204, 204, 204, 204, 204, 204, changes=False),
    api("POST /api/v1/auth/password-reset/", lambda w: "/api/v1/auth/password-reset/",
        202, 202, 202, 202, 202, 202, 202, 202, changes=False,
        body=lambda w: {"email": w.users["cand"].email}),
    api("GET /api/v1/auth/me/", lambda w: "/api/v1/auth/me/", *EVERYONE_SIGNED_IN),
    api("GET /api/v1/auth/me/data/", lambda w: "/api/v1/auth/me/data/", *EVERYONE_SIGNED_IN),
    api("GET /api/v1/users/", lambda w: "/api/v1/users/",
        401, 403, 403, 403, 403, 200, 403, 200),
    api("GET /api/v1/monitoring/funnel/",
        lambda w: "/api/v1/monitoring/funnel/?characteristic=sex", *RELEASED),
    api("GET /api/v1/monitoring/relative-likelihood/",
        lambda w: "/api/v1/monitoring/relative-likelihood/?characteristic=sex", *RELEASED),
    api("GET /api/v1/monitoring/representation/",
        lambda w: "/api/v1/monitoring/representation/?characteristic=sex", *RELEASED),
    api("GET /api/v1/monitoring/starting-pay/",
        lambda w: "/api/v1/monitoring/starting-pay/?characteristic=sex", *RELEASED),
    api("GET /api/v1/monitoring/adjustments/", lambda w: "/api/v1/monitoring/adjustments/",
        *HR_ONLY),
    api("GET /api/v1/monitoring/units/", lambda w: "/api/v1/monitoring/units/", *RELEASED),
    # HR's read (and a reviewer's, recorded too) decides and stores the plan of a year that
    # has become publishable; the refused reads decide nothing.
    api("GET /api/v1/monitoring/units/", lambda w: "/api/v1/monitoring/units/?period=2024-25",
        *RELEASED[:-2], 200, 200, setup=finished_year(25, decided=False), writes_on_read=True,
        effect=year_decided, note="a year to decide"),
    api("GET /api/v1/monitoring/statutory-return/",
        lambda w: f"/api/v1/monitoring/statutory-return/?year={this_year()}",
        *HR_ONLY[:-1], conflict("not_releasable"), note="year not ended"),
    api("GET /api/v1/monitoring/statutory-return/",
        lambda w: "/api/v1/monitoring/statutory-return/?year=2024-25",
        *HR_ONLY[:-1], conflict("not_releasable"), setup=finished_year(25, decided=True),
        note="fewer than 100 applications"),
    # Every download of the exact figures is recorded (who, when, which year).
    api("GET /api/v1/monitoring/statutory-return/",
        lambda w: "/api/v1/monitoring/statutory-return/?year=2024-25",
        *HR_ONLY, setup=finished_year(100, decided=True), writes_on_read=True,
        effect=statutory_download_recorded, note="published"),
    api("GET /api/v1/positive-action-decisions/",
        lambda w: "/api/v1/positive-action-decisions/", *HR_ONLY),
    api("GET /api/v1/vacancies/{id}/decision-record/",
        lambda w: f"/api/v1/vacancies/{w.vacancy.pk}/decision-record/", *HR_ONLY),
    api("GET /api/v1/positive-action-decisions/",
        lambda w: "/api/v1/positive-action-decisions/?format=csv", *HR_ONLY, note="csv"),

    # Staff network reviewers: HR grants and withdraws, and reads what each reviewer read.
    api("GET /api/v1/network-reviewers/", lambda w: f"{NR}/", *HR_ONLY),
    api("POST /api/v1/network-reviewers/", lambda w: f"{NR}/", *HR_ONLY[:-1], 201,
        body=grant_body, effect=granted),
    api("POST /api/v1/network-reviewers/", lambda w: f"{NR}/", *HR_ONLY[:-1], 400,
        body=lambda w: {"email": "x", "network": " ", "expires_on": "2020-01-01"},
        note="bad input"),
    api("POST /api/v1/network-reviewers/{id}/withdraw/",
        lambda w: f"{NR}/{grant_of(w).pk}/withdraw/", *HR_ONLY,
        body=lambda w: {"reason": "Left the network."}, effect=grant_withdrawn),
    api("POST /api/v1/network-reviewers/{id}/withdraw/",
        lambda w: f"{NR}/{grant_of(w).pk}/withdraw/", *HR_ONLY[:-1],
        conflict("invalid_transition"), setup=grant_ended,
        body=lambda w: {"reason": "Left the network."}, note="withdrawn already"),
    api("GET /api/v1/network-reviewers/{id}/views/",
        lambda w: f"{NR}/{grant_of(w).pk}/views/", *HR_ONLY),
    # Comments on a draft report: a live reviewer writes them, HR answers each once.
    api("GET /api/v1/monitoring/publication/{year}/comments/", lambda w: f"{COMMENTS}/",
        401, 403, 403, 403, 403, 403, 200, 200, setup=commented),
    api("POST /api/v1/monitoring/publication/{year}/comments/", lambda w: f"{COMMENTS}/",
        401, 403, 403, 403, 403, 403, 201, 403, setup=draft_year, effect=comment_sent,
        body=lambda w: {"body": "Please show the change from last year."}),
    api("POST /api/v1/monitoring/publication/{year}/comments/", lambda w: f"{COMMENTS}/",
        401, 403, 403, 403, 403, 403, conflict("already_published"), 403,
        setup=published_year, body=lambda w: {"body": "Too late?"}, note="published"),
    api("POST /api/v1/monitoring/publication/{year}/comments/{id}/answer/",
        lambda w: f"{COMMENTS}/{w.comment.pk}/answer/", *HR_ONLY, setup=commented,
        body=lambda w: {"answer": "Too few people."}, effect=comment_answered),
    api("POST /api/v1/monitoring/publication/{year}/comments/{id}/answer/",
        lambda w: f"{COMMENTS}/{w.comment.pk}/answer/", *HR_ONLY[:-1],
        conflict("invalid_transition"), setup=answered,
        body=lambda w: {"answer": "Again."}, note="answered already"),

    # Vacancies ---------------------------------------------------------- anon cand other outs panel chair netrev hr
    api("GET /api/v1/vacancies/", lambda w: f"{V}/", 200, 200, 200, 200, 200, 200, 200, 200),
    api("POST /api/v1/vacancies/", lambda w: f"{V}/",
        401, 403, 403, 403, 403, 201, 403, 201, body=vacancy_body, effect=vacancy_created),
    api("GET /api/v1/vacancies/{id}/", lambda w: f"{V}/{w.vacancy.pk}/",
        200, 200, 200, 200, 200, 200, 200, 200, note="open"),
    api("GET /api/v1/vacancies/{id}/", lambda w: f"{V}/{w.draft.pk}/",
        404, 404, 404, 404, 200, 200, 404, 200, note="draft"),
    api("POST /api/v1/vacancies/{id}/publish/", lambda w: f"{V}/{w.draft.pk}/publish/",
        401, 404, 404, 404, 403, 200, 404, 200, effect=vacancy_status("draft", "open")),
    api("POST /api/v1/vacancies/{id}/publish/", lambda w: f"{V}/{w.vacancy.pk}/publish/",
        401, 403, 403, 403, 403, conflict("invalid_transition"),
        403, conflict("invalid_transition"), note="already open"),
    api("POST /api/v1/vacancies/{id}/close/", lambda w: f"{V}/{w.vacancy.pk}/close/",
        401, 403, 403, 403, 403, 200, 403, 200, effect=vacancy_status("vacancy", "closed")),
    api("POST /api/v1/vacancies/{id}/close/", lambda w: f"{V}/{w.draft.pk}/close/",
        401, 404, 404, 404, 403, conflict("invalid_transition"),
        404, conflict("invalid_transition"), note="draft"),
    api("POST /api/v1/vacancies/{id}/cancel/", lambda w: f"{V}/{w.vacancy.pk}/cancel/",
        401, 403, 403, 403, 403, 200, 403, 200, effect=vacancy_status("vacancy", "cancelled")),
    api("POST /api/v1/vacancies/{id}/cancel/", lambda w: f"{V}/{w.vacancy.pk}/cancel/",
        401, 403, 404, 404, 403, conflict("invalid_transition"),
        404, conflict("invalid_transition"), setup=filled, note="filled"),
    api("POST /api/v1/vacancies/{id}/fill/", lambda w: f"{V}/{w.vacancy.pk}/fill/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=application_in("appointed"),
        effect=vacancy_status("vacancy", "filled")),
    api("POST /api/v1/vacancies/{id}/fill/", lambda w: f"{V}/{w.vacancy.pk}/fill/",
        401, 403, 404, 404, 403, conflict("invalid_transition"),
        404, conflict("invalid_transition"), setup=closed, note="nobody appointed"),
    api("GET /api/v1/vacancies/{id}/ranking/", lambda w: f"{V}/{w.vacancy.pk}/ranking/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=closed),
    api("GET /api/v1/vacancies/{id}/ranked-applications/",
        lambda w: f"{V}/{w.vacancy.pk}/ranked-applications/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=closed),
    api("POST /api/v1/vacancies/{id}/decisions/", lambda w: f"{V}/{w.vacancy.pk}/decisions/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=closed,
        body=lambda w: {"action": "shortlist", "applications": [app(w)]},
        effect=application_state("shortlisted")),
    api("POST /api/v1/vacancies/{id}/decisions/", lambda w: f"{V}/{w.vacancy.pk}/decisions/",
        401, 403, 403, 403, 403, OK_UNCHANGED, 403, OK_UNCHANGED, note="vacancy open",
        body=lambda w: {"action": "shortlist", "applications": [app(w)]}),
    api("POST /api/v1/vacancies/{id}/ranked-decisions/",
        lambda w: f"{V}/{w.vacancy.pk}/ranked-decisions/",
        401, 403, 404, 404, 403, 202, 404, 202, setup=scored, effect=run_requested_by,
        body=lambda w: {"action": "shortlist", "up_to_rank": 1, "confirm": True}),
    api("POST /api/v1/vacancies/{id}/ranked-decisions/",
        lambda w: f"{V}/{w.vacancy.pk}/ranked-decisions/",
        401, 403, 404, 404, 403, conflict("decision_run_open"), 404, conflict("decision_run_open"),
        setup=run_requested, note="a run still open",
        body=lambda w: {"action": "shortlist", "up_to_rank": 1, "confirm": True}),
    api("POST /api/v1/vacancies/{id}/ranked-decisions/",
        lambda w: f"{V}/{w.vacancy.pk}/ranked-decisions/",
        401, 403, 403, 403, 403, conflict("vacancy_open"), 403, conflict("vacancy_open"),
        body=lambda w: {"action": "shortlist", "up_to_rank": 1, "confirm": True},
        note="vacancy open"),
    api("GET /api/v1/decision-runs/{id}/", lambda w: f"/api/v1/decision-runs/{w.run.pk}/",
        401, 404, 404, 404, 404, 200, 404, 200, setup=run_requested),
    api("POST /api/v1/vacancies/{id}/complete-sift/",
        lambda w: f"{V}/{w.vacancy.pk}/complete-sift/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=application_in("shortlisted"),
        body=lambda w: {"confirm": True}, effect=sift_completed),
    api("POST /api/v1/vacancies/{id}/complete-sift/",
        lambda w: f"{V}/{w.vacancy.pk}/complete-sift/",
        401, 403, 404, 404, 403, conflict("sift_incomplete"), 404, conflict("sift_incomplete"),
        setup=closed, body=lambda w: {"confirm": True}, note="an application undecided"),
    api("POST /api/v1/vacancies/{id}/complete-sift/",
        lambda w: f"{V}/{w.vacancy.pk}/complete-sift/",
        401, 403, 403, 403, 403, conflict("vacancy_open"), 403, conflict("vacancy_open"),
        body=lambda w: {"confirm": True}, note="vacancy open"),

    api("POST /api/v1/vacancies/{id}/legal-hold/", lambda w: f"{V}/{w.vacancy.pk}/legal-hold/",
        401, 403, 403, 403, 403, 403, 403, 200, body=lambda w: {"held": True, "reason": "ET/1234"},
        effect=held("vacancy", True)),
    api("POST /api/v1/vacancies/{id}/legal-hold/", lambda w: f"{V}/{w.draft.pk}/legal-hold/",
        401, 404, 404, 404, 403, 403, 404, 200,
        body=lambda w: {"held": False, "reason": "Claim withdrawn.", "confirm": True}, setup=hold("draft"),
        effect=held("draft", False), note="release, draft"),

    # Applications ------------------------------------------------------- anon cand other outs panel chair netrev hr
    api("GET /api/v1/applications/", lambda w: f"{A}/", *EVERYONE_SIGNED_IN),
    api("POST /api/v1/applications/", lambda w: f"{A}/",
        401, conflict("duplicate_application"), 201, 403, 403, 403, 403, 403,
        body=lambda w: {"vacancy": w.vacancy.pk, "statement": "I can."}, effect=applied),
    api("POST /api/v1/applications/", lambda w: f"{A}/",
        401, conflict("vacancy_not_open"), conflict("vacancy_not_open"), 403, 403, 403, 403, 403,
        setup=closed, note="vacancy closed",
        body=lambda w: {"vacancy": w.vacancy.pk, "statement": "I can."}),
    api("GET /api/v1/applications/{id}/", lambda w: f"{A}/{app(w)}/",
        401, 200, 404, 404, 200, 200, 404, 200),
    api("GET /api/v1/applications/{id}/history/", lambda w: f"{A}/{app(w)}/history/",
        401, 200, 404, 404, 200, 200, 404, 200),
    api("GET /api/v1/applications/{id}/scores/", lambda w: f"{A}/{app(w)}/scores/",
        401, 403, 404, 404, 200, 200, 404, 200),
    api("GET /api/v1/applications/{id}/score-history/",
        lambda w: f"{A}/{app(w)}/score-history/",
        401, 403, 404, 404, 403, 200, 404, 200),
    api("PUT /api/v1/applications/{id}/scores/", lambda w: f"{A}/{app(w)}/scores/",
        401, 403, 404, 404, 200, 200, 404, 403, setup=closed, body=scores_body, effect=scored_by),
    api("PUT /api/v1/applications/{id}/scores/", lambda w: f"{A}/{app(w)}/scores/",
        401, 403, 404, 404, conflict("invalid_transition"), conflict("invalid_transition"), 404, 403,
        setup=application_in("shortlisted"), body=scores_body, note="sift over"),
    api("PUT /api/v1/applications/{id}/agreed-scores/",
        lambda w: f"{A}/{app(w)}/agreed-scores/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=closed, body=agreed_body, effect=agreed_by),
    api("PUT /api/v1/applications/{id}/agreed-scores/",
        lambda w: f"{A}/{app(w)}/agreed-scores/",
        401, 403, 404, 404, 403, conflict("invalid_transition"), 404, conflict("invalid_transition"),
        setup=application_in("shortlisted"), body=agreed_body, note="sift over"),
    api("POST /api/v1/applications/{id}/legal-hold/", lambda w: f"{A}/{app(w)}/legal-hold/",
        401, 403, 404, 404, 403, 403, 404, 200, body=lambda w: {"held": True, "reason": "ET/1234"},
        effect=held("application", True)),
    api("POST /api/v1/applications/{id}/legal-hold/", lambda w: f"{A}/{app(w)}/legal-hold/",
        401, 403, 404, 404, 403, 403, 404, 200,
        body=lambda w: {"held": False, "reason": "Claim withdrawn.", "confirm": True},
        setup=hold("application"), effect=held("application", False), note="release"),
    # Feedback from the scores: the candidate's alone; to everyone else it does not exist.
    api("GET /api/v1/applications/{id}/feedback/", lambda w: f"{A}/{app(w)}/feedback/",
        401, conflict("feedback_not_ready"), 404, 404, 404, 404, 404, 404, note="no decision yet"),
    api("GET /api/v1/applications/{id}/feedback/", lambda w: f"{A}/{app(w)}/feedback/",
        401, 200, 404, 404, 404, 404, 404, 404, setup=told_not_shortlisted),
    api("GET /api/v1/applications/{id}/feedback/", lambda w: f"{A}/{app(w)}/feedback/",
        401, conflict("feedback_not_offered"), 404, 404, 404, 404, 404, 404,
        setup=feedback_off, note="turned off"),
    api("POST /api/v1/applications/{id}/adjustments/",
        lambda w: f"{A}/{app(w)}/adjustments/",
        401, 201, 404, 404, 403, 403, 404, 403, effect=adjustment_requested,
        body=lambda w: {"stage": "interview", "category": "rest_breaks", "details": "Breaks."}),
    api("POST /api/v1/applications/{id}/adjustments/",
        lambda w: f"{A}/{app(w)}/adjustments/",
        401, conflict("invalid_transition"), 404, 404, 403, 403, 404, 403,
        setup=application_in("withdrawn"), note="withdrawn",
        body=lambda w: {"stage": "interview", "category": "rest_breaks", "details": "Breaks."}),

    # Application actions ------------------------------------------------ anon cand other outs panel chair netrev hr
    api("POST /api/v1/applications/{id}/actions/{action_name}/ shortlist",
        lambda w: f"{A}/{app(w)}/actions/shortlist/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=closed, effect=application_state("shortlisted")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ shortlist",
        lambda w: f"{A}/{app(w)}/actions/shortlist/",
        401, 403, 404, 404, 403, conflict("vacancy_open"), 404, conflict("vacancy_open"),
        note="vacancy open"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ reject",
        lambda w: f"{A}/{app(w)}/actions/reject/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=scored, body=lambda w: {"reason": "Weak."},
        effect=application_state("not_shortlisted")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ reject",
        lambda w: f"{A}/{app(w)}/actions/reject/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=guaranteed(complete=True),
        body=lambda w: {"reason": "Weak."}, effect=application_state("not_shortlisted"),
        note="guarantee declared: decided on merit like anyone"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ reject",
        lambda w: f"{A}/{app(w)}/actions/reject/",
        401, 403, 404, 404, 403, conflict("assessment_incomplete"),
        404, conflict("assessment_incomplete"), setup=closed,
        body=lambda w: {"reason": "Weak."}, note="not assessed"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ reject",
        lambda w: f"{A}/{app(w)}/actions/reject/",
        401, 403, 404, 404, 403, conflict("assessment_incomplete"),
        404, conflict("assessment_incomplete"), setup=guaranteed(complete=False),
        body=lambda w: {"reason": "Weak."}, note="guarantee declared, not assessed"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ schedule_interview",
        lambda w: f"{A}/{app(w)}/actions/schedule_interview/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=application_in("shortlisted"),
        body=lambda w: {"interview_at": (timezone.now() + timedelta(days=7)).isoformat()},
        effect=application_state("interview_scheduled")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ schedule_interview",
        lambda w: f"{A}/{app(w)}/actions/schedule_interview/",
        401, 403, 404, 404, 403, conflict("invalid_transition"), 404, conflict("invalid_transition"),
        setup=closed, note="not shortlisted",
        body=lambda w: {"interview_at": (timezone.now() + timedelta(days=7)).isoformat()}),
    api("GET /api/v1/vacancies/{id}/interview-slots/",
        lambda w: f"{V}/{w.vacancy.pk}/interview-slots/",
        401, 404, 404, 404, 200, 200, 404, 200, setup=slots_published),
    api("POST /api/v1/vacancies/{id}/interview-slots/",
        lambda w: f"{V}/{w.vacancy.pk}/interview-slots/",
        401, 404, 404, 404, 403, 201, 404, 201, setup=closed, body=slot_run_body,
        effect=slots_published_by),
    api("POST /api/v1/vacancies/{id}/interview-slots/",
        lambda w: f"{V}/{w.vacancy.pk}/interview-slots/",
        401, 404, 404, 404, 403, conflict("vacancy_open"), 404, conflict("vacancy_open"),
        body=slot_run_body, note="vacancy open"),
    api("DELETE /api/v1/interview-slots/{id}/", lambda w: f"/api/v1/interview-slots/{w.slot.pk}/",
        401, 404, 404, 404, 403, 204, 404, 204, setup=slots_published, effect=slot_gone),
    api("DELETE /api/v1/interview-slots/{id}/", lambda w: f"/api/v1/interview-slots/{w.slot.pk}/",
        401, 404, 404, 404, 403, conflict("slot_taken"), 404, conflict("slot_taken"),
        setup=interview_booked, note="booked"),
    api("GET /api/v1/applications/{id}/interview-slots/",
        lambda w: f"{A}/{app(w)}/interview-slots/",
        401, 200, 404, 404, 403, 403, 404, 403, setup=slots_published),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ book_interview",
        lambda w: f"{A}/{app(w)}/actions/book_interview/",
        401, 200, 404, 404, 403, 403, 404, 403, setup=slots_published,
        body=lambda w: {"slot": w.other_slot.pk}, effect=booked_slot("other_slot")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ book_interview",
        lambda w: f"{A}/{app(w)}/actions/book_interview/",
        401, conflict("slot_taken"), 404, 404, 403, 403, 404, 403, setup=interview_booked,
        body=lambda w: {"slot": w.slot.pk}, note="already theirs"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ cancel_interview",
        lambda w: f"{A}/{app(w)}/actions/cancel_interview/",
        401, 200, 404, 404, 403, 403, 404, 403, setup=interview_booked,
        effect=application_state("shortlisted")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ cancel_interview",
        lambda w: f"{A}/{app(w)}/actions/cancel_interview/",
        401, conflict("invalid_transition"), 404, 404, 403, 403, 404, 403, setup=slots_published,
        note="nothing booked"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ record_interview",
        lambda w: f"{A}/{app(w)}/actions/record_interview/",
        401, 403, 404, 404, 200, 200, 404, 200, setup=application_in("interview_scheduled"),
        effect=application_state("interviewed")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ record_interview",
        lambda w: f"{A}/{app(w)}/actions/record_interview/",
        401, 403, 404, 404, conflict("invalid_transition"), conflict("invalid_transition"),
        404, conflict("invalid_transition"), setup=closed, note="no interview"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ offer",
        lambda w: f"{A}/{app(w)}/actions/offer/",
        401, 403, 404, 404, 403, 200, 404, 200, setup=interviewed_and_agreed,
        effect=application_state("offered")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ offer",
        lambda w: f"{A}/{app(w)}/actions/offer/",
        401, 403, 404, 404, 403, conflict("assessment_incomplete"),
        404, conflict("assessment_incomplete"), setup=application_in("interviewed"),
        note="interview scores not agreed"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ offer",
        lambda w: f"{A}/{app(w)}/actions/offer/",
        401, 403, 404, 404, 403, conflict("positive_action_not_applicable"),
        404, conflict("positive_action_not_applicable"), setup=interviewed_and_agreed,
        body=lambda w: {"positive_action": {"justification": "As qualified."}},
        note="tie-breaker off a tie"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ accept_offer",
        lambda w: f"{A}/{app(w)}/actions/accept_offer/",
        401, 200, 404, 404, 403, 403, 404, 200, setup=application_in("offered"),
        effect=application_state("appointed")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ accept_offer",
        lambda w: f"{A}/{app(w)}/actions/accept_offer/",
        401, conflict("invalid_transition"), 404, 404, 403, 403, 404, conflict("invalid_transition"),
        setup=application_in("interviewed"), note="no offer"),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ decline_offer",
        lambda w: f"{A}/{app(w)}/actions/decline_offer/",
        401, 200, 404, 404, 403, 403, 404, 200, setup=application_in("offered"),
        effect=application_state("offer_declined")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ withdraw",
        lambda w: f"{A}/{app(w)}/actions/withdraw/",
        401, 200, 404, 404, 403, 403, 404, 403, effect=application_state("withdrawn")),
    api("POST /api/v1/applications/{id}/actions/{action_name}/ withdraw",
        lambda w: f"{A}/{app(w)}/actions/withdraw/",
        401, conflict("invalid_transition"), 404, 404, 403, 403, 404, 403,
        setup=application_in("withdrawn"), note="already withdrawn"),

    # Adjustments -------------------------------------------------------- anon cand other outs panel chair netrev hr
    api("GET /api/v1/adjustments/", lambda w: f"{ADJ}/", *EVERYONE_SIGNED_IN),
    api("GET /api/v1/adjustments/{id}/", lambda w: f"{ADJ}/{w.request.pk}/",
        401, 200, 404, 404, 404, 404, 404, 200),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ review",
        lambda w: f"{ADJ}/{w.request.pk}/actions/review/",
        401, 403, 404, 404, 404, 404, 404, 200, effect=request_state("under_review")),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ review",
        lambda w: f"{ADJ}/{w.request.pk}/actions/review/",
        401, 403, 404, 404, 404, 404, 404, conflict("invalid_transition"),
        setup=request_in("agreed"), note="already agreed"),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ agree",
        lambda w: f"{ADJ}/{w.request.pk}/actions/agree/",
        401, 403, 404, 404, 404, 404, 404, 200, setup=request_in("under_review"),
        body=lambda w: {"arrangement": "25% extra time."}, effect=request_state("agreed")),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ partially_agree",
        lambda w: f"{ADJ}/{w.request.pk}/actions/partially_agree/",
        401, 403, 404, 404, 404, 404, 404, 200, setup=request_in("under_review"),
        body=lambda w: {"arrangement": "10% extra time.", "reason": "Timed task."},
        effect=request_state("partially_agreed")),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ decline",
        lambda w: f"{ADJ}/{w.request.pk}/actions/decline/",
        401, 403, 404, 404, 404, 404, 404, 200, setup=request_in("under_review"),
        body=lambda w: {"reason": "Not reasonable here."}, effect=request_state("declined")),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ put_in_place",
        lambda w: f"{ADJ}/{w.request.pk}/actions/put_in_place/",
        401, 403, 404, 404, 404, 404, 404, 200, setup=request_in("agreed"),
        effect=request_state("in_place")),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ put_in_place",
        lambda w: f"{ADJ}/{w.request.pk}/actions/put_in_place/",
        401, 403, 404, 404, 404, 404, 404, conflict("invalid_transition"), note="not agreed"),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ withdraw",
        lambda w: f"{ADJ}/{w.request.pk}/actions/withdraw/",
        401, 200, 404, 404, 404, 404, 404, 403, effect=request_state("withdrawn")),
    api("POST /api/v1/adjustments/{id}/actions/{action_name}/ withdraw",
        lambda w: f"{ADJ}/{w.request.pk}/actions/withdraw/",
        401, conflict("invalid_transition"), 404, 404, 404, 404, 404, 403,
        setup=request_in("declined"), note="declined"),
]


def staff_app_action(action):
    return lambda w: f"/staff/applications/{app(w)}/{action}/"


def apply_drafts(w):
    """Each candidate has an application to the vacancy in progress (a draft record)."""
    for persona in ("cand", "other"):
        ApplicationDraft.objects.create(
            candidate=w.users[persona],
            vacancy=w.vacancy,
            data={"statement": "I can.", "evidence": {}, "equality": {}},
        )


PAGE_ROWS = [
    # ---------------------------------------------------------------- anon cand other outs panel chair netrev hr
    page("register-page", lambda w: "/accounts/register/",
         DONE, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT, effect=registered,  # signed in: home
         body=lambda w: {"full_name": "New Comer", "email": "new@example.org",
                         "username": "newcomer", "password": "a-long-passphrase-2031"}),
    page("apply check", lambda w: f"/jobs/{w.vacancy.pk}/apply/check/",
         LOGIN, KEPT, DONE, 403, 403, 403, 403, 403, setup=apply_drafts, effect=applied),
    page("my-application-action withdraw", lambda w: f"/applications/{app(w)}/withdraw/",
         LOGIN, DONE, 404, 403, 403, 403, 403, 403, effect=application_state("withdrawn")),
    page("my-application-action withdraw", lambda w: f"/applications/{app(w)}/withdraw/",
         LOGIN, KEPT, 404, 403, 403, 403, 403, 403, setup=application_in("withdrawn"),
         note="already withdrawn"),
    page("my-application-action accept_offer",
         lambda w: f"/applications/{app(w)}/accept_offer/",
         LOGIN, DONE, 404, 403, 403, 403, 403, 403, setup=application_in("offered"),
         effect=application_state("appointed")),
    page("my-application-action decline_offer",
         lambda w: f"/applications/{app(w)}/decline_offer/",
         LOGIN, DONE, 404, 403, 403, 403, 403, 403, setup=application_in("offered"),
         effect=application_state("offer_declined")),
    page("my-application-action cancel_interview",
         lambda w: f"/applications/{app(w)}/cancel_interview/",
         LOGIN, DONE, 404, 403, 403, 403, 403, 403, setup=interview_booked,
         effect=application_state("shortlisted")),
    page("book-interview", lambda w: f"/applications/{app(w)}/interview/",
         LOGIN, DONE, 404, 404, 404, 404, 404, 404, setup=slots_published,
         body=lambda w: {"slot": str(w.other_slot.pk)}, effect=booked_slot("other_slot")),
    page("interview-slots", lambda w: f"/staff/vacancies/{w.vacancy.pk}/interview-slots/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=closed, body=slot_run_form,
         effect=slots_published_by),
    page("remove-interview-slot", lambda w: f"/staff/interview-slots/{w.slot.pk}/remove/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=slots_published, effect=slot_gone),
    page("publication-year", lambda w: "/staff/monitoring/publication/2024-25/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=finished_year(25, decided=True),
         body=lambda w: {"confirm": "on"}, effect=pack_published),
    page("publication-year", lambda w: f"/staff/monitoring/publication/{this_year()}/",
         LOGIN, 403, 403, 403, 403, 403, 403, KEPT, body=lambda w: {"confirm": "on"},
         note="year not ended"),
    page("request-adjustment", lambda w: f"/applications/{app(w)}/adjustments/new/",
         LOGIN, DONE, 404, 404, 403, 403, 404, 403, effect=adjustment_requested,
         body=lambda w: {"stage": "interview", "category": "rest_breaks", "details": "Breaks."}),
    page("withdraw-adjustment", lambda w: f"/adjustments/{w.request.pk}/withdraw/",
         LOGIN, DONE, 404, 404, 404, 404, 404, 403, effect=request_state("withdrawn")),
    page("adjustment-decide review", lambda w: f"/staff/adjustments/{w.request.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, body=lambda w: {"action": "review"},
         effect=request_state("under_review")),
    page("adjustment-decide agree", lambda w: f"/staff/adjustments/{w.request.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=request_in("under_review"),
         body=lambda w: {"action": "agree", "arrangement": "25% extra time."},
         effect=request_state("agreed")),
    page("adjustment-decide partially_agree", lambda w: f"/staff/adjustments/{w.request.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=request_in("under_review"),
         body=lambda w: {"action": "partially_agree", "arrangement": "10% extra time.",
                         "reason": "Timed task."},
         effect=request_state("partially_agreed")),
    page("adjustment-decide decline", lambda w: f"/staff/adjustments/{w.request.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=request_in("under_review"),
         body=lambda w: {"action": "decline", "reason": "Not reasonable here."},
         effect=request_state("declined")),
    page("adjustment-decide put_in_place", lambda w: f"/staff/adjustments/{w.request.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=request_in("agreed"),
         body=lambda w: {"action": "put_in_place"}, effect=request_state("in_place")),
    page("adjustment-decide put_in_place", lambda w: f"/staff/adjustments/{w.request.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, KEPT, body=lambda w: {"action": "put_in_place"},
         note="not agreed"),
    page("staff-vacancy-create", lambda w: "/staff/vacancies/new/",
         LOGIN, 403, 403, 403, 403, DONE, 403, DONE, body=vacancy_form, effect=vacancy_created),
    page("staff-vacancy-edit", lambda w: f"/staff/vacancies/{w.draft.pk}/edit/",
         LOGIN, 404, 404, 404, 403, DONE, 404, DONE, body=vacancy_form, effect=draft_edited),
    page("staff-vacancy-edit", lambda w: f"/staff/vacancies/{w.vacancy.pk}/edit/",
         LOGIN, 403, 403, 403, 403, KEPT, 403, KEPT, body=vacancy_form, note="published"),
    page("staff-vacancy-action publish", lambda w: f"/staff/vacancies/{w.draft.pk}/publish/",
         LOGIN, 404, 404, 404, 403, DONE, 404, DONE, effect=vacancy_status("draft", "open")),
    page("staff-vacancy-action publish", lambda w: f"/staff/vacancies/{w.vacancy.pk}/publish/",
         LOGIN, 403, 403, 403, 403, KEPT, 403, KEPT, note="already open"),
    page("staff-vacancy-action close", lambda w: f"/staff/vacancies/{w.vacancy.pk}/close/",
         LOGIN, 403, 403, 403, 403, DONE, 403, DONE, effect=vacancy_status("vacancy", "closed"),
         body=lambda w: {"confirm": "yes"}),
    page("staff-vacancy-action close", lambda w: f"/staff/vacancies/{w.vacancy.pk}/close/",
         LOGIN, 403, 403, 403, 403, 200, 403, 200, changes=False, note="asks first"),
    page("staff-vacancy-action cancel", lambda w: f"/staff/vacancies/{w.vacancy.pk}/cancel/",
         LOGIN, 403, 403, 403, 403, DONE, 403, DONE, effect=vacancy_status("vacancy", "cancelled"),
         body=lambda w: {"confirm": "yes"}),
    page("staff-vacancy-action fill", lambda w: f"/staff/vacancies/{w.vacancy.pk}/fill/",
         LOGIN, 403, 404, 404, 403, DONE, 404, DONE, setup=application_in("appointed"),
         effect=vacancy_status("vacancy", "filled")),
    page("staff-vacancy-action fill", lambda w: f"/staff/vacancies/{w.vacancy.pk}/fill/",
         LOGIN, 403, 404, 404, 403, KEPT, 404, KEPT, setup=closed, note="nobody appointed"),
    page("staff-vacancy-action hold", lambda w: f"/staff/vacancies/{w.vacancy.pk}/hold/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, body=lambda w: {"hold-reason": "ET/1234"},
         effect=held("vacancy", True)),
    page("staff-vacancy-action release-hold",
         lambda w: f"/staff/vacancies/{w.draft.pk}/release-hold/",
         LOGIN, 404, 404, 404, 403, 403, 404, DONE, setup=hold("draft"), effect=held("draft", False),
         body=lambda w: {"hold-reason": "Claim withdrawn.", "hold-confirm": "on"}),
    page("staff-vacancy-action feedback-off",
         lambda w: f"/staff/vacancies/{w.vacancy.pk}/feedback-off/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, effect=feedback_given(False)),
    page("staff-vacancy-action feedback-on",
         lambda w: f"/staff/vacancies/{w.vacancy.pk}/feedback-on/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=feedback_off, effect=feedback_given(True)),
    page("staff-application-action hold", staff_app_action("hold"),
         LOGIN, 403, 403, 404, 403, 403, 403, DONE, body=lambda w: {"hold-reason": "ET/1234"},
         effect=held("application", True)),
    page("staff-application-action release-hold", staff_app_action("release-hold"),
         LOGIN, 403, 403, 404, 403, 403, 403, DONE, setup=hold("application"),
         effect=held("application", False),
         body=lambda w: {"hold-reason": "Claim withdrawn.", "hold-confirm": "on"}),
    page("staff-application-action shortlist", staff_app_action("shortlist"),
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=closed,
         effect=application_state("shortlisted")),
    page("staff-application-action shortlist", staff_app_action("shortlist"),
         LOGIN, 403, 403, 404, 403, KEPT, 403, KEPT, note="vacancy open"),
    page("staff-application-action reject", staff_app_action("reject"),
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=scored,
         body=lambda w: {"reject-reason": "Weak."}, effect=application_state("not_shortlisted")),
    page("staff-application-action reject", staff_app_action("reject"),
         LOGIN, 403, 403, 404, 403, KEPT, 403, KEPT, setup=closed,
         body=lambda w: {"reject-reason": "Weak."}, note="not assessed"),
    page("staff-application-action schedule_interview", staff_app_action("schedule_interview"),
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=application_in("shortlisted"),
         body=lambda w: {"interview-interview_date_0": "1", "interview-interview_date_1": "6",
                         "interview-interview_date_2": "2031",
                         "interview-interview_time": "10:00", "interview-interview_minutes": "45",
                         "interview-interview_format": "phone"},
         effect=application_state("interview_scheduled")),
    page("staff-application-action record_interview", staff_app_action("record_interview"),
         LOGIN, 403, 403, 404, DONE, DONE, 403, DONE, setup=application_in("interview_scheduled"),
         effect=application_state("interviewed")),
    page("staff-application-action offer", staff_app_action("offer"),
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=interviewed_and_agreed,
         effect=application_state("offered")),
    page("staff-application-action accept_offer", staff_app_action("accept_offer"),
         LOGIN, 403, 403, 404, 403, 403, 403, DONE, setup=application_in("offered"),
         effect=application_state("appointed")),
    page("staff-application-action decline_offer", staff_app_action("decline_offer"),
         LOGIN, 403, 403, 404, 403, 403, 403, DONE, setup=application_in("offered"),
         effect=application_state("offer_declined")),
    page("score-application", lambda w: f"/staff/applications/{app(w)}/scoring/shortlisting/",
         LOGIN, 403, 403, 404, DONE, DONE, 403, 403, setup=closed, body=scores_form,
         effect=scored_by),
    page("score-application", lambda w: f"/staff/applications/{app(w)}/scoring/shortlisting/",
         LOGIN, 403, 403, 404, KEPT, KEPT, 403, 403, setup=application_in("shortlisted"),
         body=scores_form, note="sift over"),
    page("moderate", lambda w: f"/staff/applications/{app(w)}/moderation/shortlisting/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=closed,
         body=lambda w: {**scores_form(w), "note": "Agreed."}, effect=agreed_by),
    page("complete-sift", lambda w: f"/staff/vacancies/{w.vacancy.pk}/complete-sift/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=application_in("shortlisted"),
         body=lambda w: {"confirm": "yes"}, effect=sift_completed),
    page("complete-sift", lambda w: f"/staff/vacancies/{w.vacancy.pk}/complete-sift/",
         LOGIN, 403, 403, 404, 403, KEPT, 403, KEPT, setup=closed, body=lambda w: {"confirm": "yes"},
         note="an application undecided"),
    page("bulk-decide", lambda w: f"/staff/vacancies/{w.vacancy.pk}/decisions/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=closed,
         body=lambda w: {"applications": [app(w)], "decision": "shortlist", "confirm": "yes"},
         effect=application_state("shortlisted")),
    page("ranked-decision", lambda w: f"/staff/vacancies/{w.vacancy.pk}/ranked-decisions/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=scored, effect=run_requested_by,
         body=lambda w: {"by-rank-decision": "shortlist", "by-rank-up_to_rank": "1",
                         "confirm": "yes"}),
    page("ranked-decision", lambda w: f"/staff/vacancies/{w.vacancy.pk}/ranked-decisions/",
         LOGIN, 403, 403, 404, 403, KEPT, 403, KEPT, setup=run_requested, note="a run still open",
         body=lambda w: {"by-rank-decision": "shortlist", "by-rank-up_to_rank": "1",
                         "confirm": "yes"}),
    page("decision-run", lambda w: f"/staff/decision-runs/{w.run.pk}/",
         LOGIN, 403, 403, 404, 404, KEPT, 403, KEPT, setup=run_requested, note="carry on"),
    page("ask-before-applying", lambda w: f"/jobs/{w.vacancy.pk}/adjustments/",
         200, 200, 200, 200, 200, 200, 200, 200, effect=asked_before_applying,
         body=lambda w: {"full_name": "Ola Ade", "email": "ola@example.org",
                         "category": "alternative_format", "details": "Large print, please."}),
    page("before-applying", lambda w: f"/staff/adjustments/before-applying/{w.asked.pk}/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=asked_first,
         body=lambda w: {"answer": "Sent the form in large print."},
         effect=lambda w, user: type(w.asked).objects.get(pk=w.asked.pk).answered_at is not None),
    page("invite", lambda w: "/staff/people/invite/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, effect=invited,
         body=lambda w: {"full_name": "Nia Jones", "email": "nia@council.example",
                         "role": "panel_member"}),
    page("person-action role", lambda w: f"/staff/people/{w.users['panel'].pk}/role/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, body=lambda w: {"role": "hiring_manager"},
         effect=lambda w, user: w.users["panel"].__class__.objects.get(
             pk=w.users["panel"].pk).role == "hiring_manager"),
    page("person-action deactivate",
         lambda w: f"/staff/people/{w.users['panel'].pk}/deactivate/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, body=lambda w: {"confirm": "yes"},
         effect=lambda w, user: not w.users["panel"].__class__.objects.get(
             pk=w.users["panel"].pk).is_active),
    page("person-action reactivate",
         lambda w: f"/staff/people/{w.users['panel'].pk}/reactivate/",
         LOGIN, 403, 403, 403, LOGIN, 403, 403, DONE, setup=deactivated("panel"),  # panel: deactivated
         effect=lambda w, user: w.users["panel"].__class__.objects.get(
             pk=w.users["panel"].pk).is_active),
    page("person-action resend-invitation",
         lambda w: f"/staff/people/{w.users['panel'].pk}/resend-invitation/",
         LOGIN, 403, 403, 403, LOGIN, 403, 403, KEPT, setup=not_set_up("panel")),  # panel: no password
    page("person-action reset-second-factor",
         lambda w: f"/staff/people/{w.users['panel'].pk}/reset-second-factor/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=second_factor("panel"),
         body=lambda w: {"confirm": "yes"}, effect=lambda w, user: not TOTPDevice.objects.exists()),
    page("network-reviewer-new", lambda w: "/staff/people/network-reviewers/new/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, body=grant_form, effect=granted),
    page("network-reviewer-withdraw",
         lambda w: f"/staff/people/network-reviewers/{grant_of(w).pk}/withdraw/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, body=lambda w: {"reason": "Left."},
         effect=grant_withdrawn),
    page("network-reviewer-withdraw",
         lambda w: f"/staff/people/network-reviewers/{grant_of(w).pk}/withdraw/",
         LOGIN, 403, 403, 403, 403, 403, 403, KEPT, body=lambda w: {"reason": "Left."},
         setup=grant_ended, note="withdrawn already"),
    page("report-comment", lambda w: "/staff/monitoring/publication/2024-25/comments/",
         LOGIN, 403, 403, 403, 403, 403, DONE, 403, setup=draft_year, effect=comment_sent,
         body=lambda w: {"body": "Please show the change from last year."}),
    page("report-comment", lambda w: "/staff/monitoring/publication/2024-25/comments/",
         LOGIN, 403, 403, 403, 403, 403, KEPT, 403, setup=published_year,
         body=lambda w: {"body": "Too late?"}, note="published"),
    page("report-comment-answer",
         lambda w: f"/staff/monitoring/publication/2024-25/comments/{w.comment.pk}/answer/",
         LOGIN, 403, 403, 403, 403, 403, 403, DONE, setup=commented, effect=comment_answered,
         body=lambda w: {f"answer-{w.comment.pk}-answer": "Too few people."}),
    page("report-comment-answer",
         lambda w: f"/staff/monitoring/publication/2024-25/comments/{w.comment.pk}/answer/",
         LOGIN, 403, 403, 403, 403, 403, 403, KEPT, setup=answered,
         body=lambda w: {f"answer-{w.comment.pk}-answer": "Again."}, note="answered already"),
    page("offer-decision", lambda w: f"/staff/applications/{app(w)}/offer-decision/",
         LOGIN, 403, 403, 404, 403, DONE, 403, DONE, setup=interviewed_and_agreed,
         body=lambda w: {"reason": "Best interview.", "salary": "41000"}, effect=application_state("offered")),
]
# fmt: on


# --- Running a row ----------------------------------------------------------------------------


def client_for(persona, w, row):
    user = w.users.get(persona)
    if not row.page:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    if row.session is not None:
        session = client.session
        session.update(row.session(w))
        session.save()
    return client


def call(client, row, w):
    path = row.path(w)
    body = row.body(w) if row.body else {}
    if row.page:
        return client.post(path, body)
    method = row.method.lower()
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body, format="json")


ENVELOPE_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def outcome(row, response):
    """What happened, in the terms of the table."""
    status = response.status_code
    if row.page:
        if status == 302:
            if response["Location"].startswith("/accounts/login/"):
                return LOGIN
            return "302"
        return status
    if status == 409:
        return conflict(response.json()["code"])
    if status in ENVELOPE_CODES and response["Content-Type"].startswith("application/json"):
        assert response.json()["code"] == ENVELOPE_CODES[status], response.content
    return status


def expected_outcome(row, expected):
    if expected in (DONE, KEPT):
        return "302"
    if expected in (OK_UNCHANGED, RECORDED):
        return 200
    return expected


def allowed(expected):
    return expected == DONE or (isinstance(expected, int) and 200 <= expected < 300)


@pytest.mark.parametrize("row", API_ROWS + PAGE_ROWS, ids=lambda row: row.id)
def test_role_matrix(row, world):
    w = world
    if row.setup is not None:
        row.setup(w)
    clients = {persona: client_for(persona, w, row) for persona in PERSONAS}
    writes = row.method != "GET" or row.writes_on_read
    problems = []
    before = fingerprint(row.ignore)
    for persona, expected in zip(PERSONAS, row.expect, strict=True):
        user = w.users.get(persona)
        with transaction.atomic():  # rolled back: every cell starts from the same world
            response = call(clients[persona], row, w)
            got = outcome(row, response)
            after = fingerprint(row.ignore)
            changed = sorted(label for label in before if before[label] != after[label])
            must_change = (writes and allowed(expected) and row.changes) or expected == RECORDED
            if got != expected_outcome(row, expected):
                problems.append(f"{persona}: expected {expected}, got {got}")
            elif bool(changed) != must_change:
                problems.append(
                    f"{persona}: {expected} but the database "
                    + (f"changed: {changed}" if changed else "did not change")
                )
            elif expected == RECORDED and (
                changed != ["accounts.StatisticsView"]
                or StatisticsView.objects.filter(user=user).count() != 1
            ):
                problems.append(f"{persona}: {expected} but not one read recorded: {changed}")
            elif writes and allowed(expected) and row.effect and not row.effect(w, user):
                problems.append(f"{persona}: {expected} but not the expected change")
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
    assert fingerprint(row.ignore) == before


# --- Completeness ----------------------------------------------------------------------------


def schema_operations():
    """Every operation of the OpenAPI schema; an ``actions/{action_name}`` operation once
    for each action its path parameter allows."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = set()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            key = f"{method.upper()} {path}"
            actions = [
                p["schema"]["enum"]
                for p in operation.get("parameters", [])
                if p["in"] == "path" and p["name"] == "action_name"
            ]
            if actions:
                operations |= {f"{key} {action}" for action in actions[0]}
            else:
                operations.add(key)
    return operations


def test_every_api_operation_is_in_the_matrix():
    in_schema = schema_operations()
    in_matrix = {row.op for row in API_ROWS}
    assert sorted(in_schema - in_matrix) == [], "add rows for these operations"
    assert sorted(in_matrix - in_schema) == [], "these rows name no operation of the schema"


#: API URLs that are not operations of the schema.
NOT_IN_SCHEMA = {"api-root": "the router's index of the API (public, GET only)"}


def test_every_api_url_is_in_the_schema():
    """The schema is what the matrix is checked against: no API URL may be missing from it."""
    in_schema = {op.split()[1] for op in schema_operations()}
    templates = set()
    for route, name in routes():
        if not route.startswith("api/v1/") or "format" in route or name in NOT_IN_SCHEMA:
            continue
        template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", template)
        templates.add("/" + template.replace("^", "").replace("$", "").replace("{pk}", "{id}"))
    assert sorted(templates - in_schema) == []


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name

    return list(walk(get_resolver().url_patterns))


#: Pages that change nothing the service keeps, with the reason: GET-only pages, or a POST
#: that only signs in or out or keeps a step of an unfinished form in the session.
NO_STATE_CHANGE = {
    # Reached with an e-mailed one-time link or by one's own session, not by role:
    # tests/accounts/test_self_service.py and test_staff_accounts.py.
    "confirm-email": "confirms one's address with the e-mailed link",
    "resend-confirmation": "queues a message to one's own address",
    "check-email": "GET only",
    "staff-home": "GET only",
    "password-reset": "queues a message, the same answer whatever the address",
    "password-reset-confirm": "sets a password with the e-mailed link",
    "accept-invitation": "sets a password with the e-mailed link",
    "two-factor": "sets up one's own second factor",
    "sso-start": "GET only: to the identity provider (tests/accounts/test_single_sign_on.py)",
    "oidc_authentication_callback": "signs in with single sign-on (the same tests)",
    "people": "GET only",
    "person": "GET only",
    "network-reviewers": "GET only",
    "network-reviewer": "GET only (the grant and what the reviewer read)",
    "home": "GET only",
    "accessibility": "GET only",
    "privacy": "GET only",
    "healthz": "GET only",
    "login": "signs in (tests/accounts/test_session_login.py)",
    "logout": "signs out",
    "vacancy-list": "GET only",
    "vacancy": "GET only",
    "vacancy-feed": "GET only (the Atom feed of open jobs)",
    "apply-start": "keeps the answers in the session",
    "my-applications": "GET only",
    "my-application": "GET only",
    "my-feedback": "GET only (the API's, in the API rows)",
    "account-data": "GET only (the subject access download)",
    "application-sent": "GET only",
    "staff-vacancies": "GET only",
    "staff-vacancy": "GET only",
    "staff-application": "GET only",
    "interview-schedule": "GET only",
    "my-interview-day": "GET only",
    "interview-calendar": "GET only (the candidate's own calendar invitation)",
    "staff-applications": "GET only",
    "scoring-queue": "GET only",
    "moderation": "GET only",
    "ranking": "GET only",
    "positive-action-decisions": "GET only (and the API's, in the API rows)",
    "monitoring": "GET only",
    "publication": "GET only",
    "publication-pdf": "GET only",
    "monitoring-report": "GET only",
    "monitoring-report-download": "GET only",
    "adjustment-queue": "GET only",
    "adjustment-report": "GET only",
    "schema": "GET only",
    "api-docs": "GET only",
    "api-redoc": "GET only",
}


def page_rows_for(name):
    return {row.op.split()[1] for row in PAGE_ROWS if row.op.split()[0] == name and " " in row.op}


def test_every_page_that_takes_a_post_is_in_the_matrix():
    pages = {
        name
        for route, name in routes()
        if not route.startswith("api/") and name is not None and "format" not in route
    }
    in_matrix = {row.op.split()[0] for row in PAGE_ROWS} | {"apply"}  # apply: the check step
    assert sorted(pages - in_matrix - set(NO_STATE_CHANGE)) == [], "add rows or declare these"
    # Each action a page takes has a row of its own.
    holds = {"hold", "release-hold"}
    assert page_rows_for("staff-vacancy-action") >= set(vacancy_views.ACTIONS) | holds
    assert page_rows_for("my-application-action") >= set(workflow.CANDIDATE_ACTIONS)
    staff_actions = {a.name for a in workflow.ACTIONS.values() if a.staff_page}
    assert page_rows_for("staff-application-action") >= staff_actions | holds
    assert page_rows_for("adjustment-decide") >= set(adjustment_services.ACTIONS) - {
        "withdraw"  # the candidate's own page
    }
