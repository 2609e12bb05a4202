"""A staff network reviewer reads the released statistics and the yearly report, never an
exact figure, an application or HR's own tools; every read recorded, exactly; comments on a
draft report and HR's answers; an expired or withdrawn reviewer refused everywhere, with
nothing recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ReviewerGrant, StatisticsView
from adjustments.models import AdjustmentRequest
from recruitment.models import (
    Application,
    DecidedYear,
    PackComment,
    PublicationPack,
    Score,
    StatutoryReturnDownload,
)
from recruitment.monitoring import comments
from tests.recruitment.monitoring.test_monitoring_pages import published_campaign
from tests.support.clients import api_client, banner, page_client
from tests.support.factories import ApplicationFactory, set_vacancy_status
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

YEAR = "2024-25"
COMMENTS = f"/api/v1/monitoring/publication/{YEAR}/comments/"
ORGANISATION = {"period": YEAR, "unit": "organisation"}


@pytest.fixture
def data(db):
    """A finished, filled campaign of 2024-25 (55 applicants): the year can be published."""
    return published_campaign()


def recorded(user):
    """The user's reads, oldest first, as (what, params)."""
    return list(
        StatisticsView.objects.filter(user=user).order_by("at", "pk").values_list("what", "params")
    )


def snapshot():
    return {
        model.__name__: list(model.objects.values().order_by("pk"))
        for model in (
            Application,
            AdjustmentRequest,
            Score,
            Vacancy,
            StatisticsView,
            StatutoryReturnDownload,
            PublicationPack,
            PackComment,
            DecidedYear,
            ReviewerGrant,
        )
    }


# --- The journey ------------------------------------------------------------------------------


def test_hr_grants_the_reviewer_reads_comments_hr_answers_and_the_reviewer_reads_the_answer(
    data, hr, network_reviewer
):
    reviewer, staff = page_client(network_reviewer), page_client(hr)
    grant = ReviewerGrant.objects.get(user=network_reviewer)

    dashboard = reviewer.get("/staff/monitoring/?characteristic=sex")
    html = dashboard.content.decode()
    assert dashboard.status_code == 200
    # The same released figures as HR's page, without HR's tools.
    hr_page = staff.get("/staff/monitoring/?characteristic=sex")
    assert dashboard.context["funnel"] == hr_page.context["funnel"]
    assert "statutory" not in html.lower()
    assert "statutory-return" not in html
    assert 'id="statutory-downloads"' not in html
    assert "adjustment" not in html.lower()
    assert "Statutory returns" in hr_page.content.decode()

    report = reviewer.get(f"/staff/monitoring/publication/{YEAR}/")
    assert report.status_code == 200
    page = report.content.decode()
    assert 'id="draft-note"' in page
    assert "Publish the report" not in page
    assert 'name="confirm"' not in page
    sent = reviewer.post(
        f"/staff/monitoring/publication/{YEAR}/comments/",
        {"body": "Why is sexual orientation not broken down by grade?"},
    )
    assert sent["Location"] == f"/staff/monitoring/publication/{YEAR}/#comments"
    assert banner(sent) == ["Your comment is sent. HR will answer it on this page."]
    comment = PackComment.objects.get()
    assert (comment.year, comment.author, comment.answered_at) == (YEAR, network_reviewer, None)

    hr_view = staff.get(f"/staff/monitoring/publication/{YEAR}/").content.decode()
    assert "Why is sexual orientation not broken down by grade?" in hr_view
    assert f'name="answer-{comment.pk}-answer"' in hr_view
    answered = staff.post(
        f"/staff/monitoring/publication/{YEAR}/comments/{comment.pk}/answer/",
        {f"answer-{comment.pk}-answer": "Grades hold too few people to publish that."},
    )
    assert banner(answered) == ["Your answer is sent."]

    again = reviewer.get(f"/staff/monitoring/publication/{YEAR}/").content.decode()
    assert "Grades hold too few people to publish that." in again
    assert "Answer from Priya Shah (HR)" in again

    # Every read of the reviewer's recorded, exactly; HR's reads are not.
    assert recorded(network_reviewer) == [
        ("dashboard", {**ORGANISATION, "characteristic": "sex"}),
        ("report", {"year": YEAR, "draft": True}),
        ("report", {"year": YEAR, "draft": True}),
    ]
    assert StatisticsView.objects.filter(grant=grant).count() == 3
    assert recorded(hr) == []


def test_the_api_gives_a_reviewer_hr_s_released_figures_and_records_each_read(
    data, hr, network_reviewer
):
    reviewer, staff = api_client(network_reviewer), api_client(hr)
    reads = [
        "/api/v1/monitoring/funnel/?characteristic=sex",
        "/api/v1/monitoring/funnel/?characteristic=sex&format=csv",
        f"/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group&period={YEAR}",
        "/api/v1/monitoring/representation/?characteristic=disability&stage=shortlisted",
    ]
    for path in reads:
        mine, theirs = reviewer.get(path), staff.get(path)
        assert (mine.status_code, mine.content) == (200, theirs.content), path

    assert recorded(network_reviewer) == [
        ("funnel", {**ORGANISATION, "characteristic": "sex", "preset": "nhs", "format": "json"}),
        ("funnel", {**ORGANISATION, "characteristic": "sex", "preset": "nhs", "format": "csv"}),
        ("relative_likelihood", {**ORGANISATION, "characteristic": "ethnicity_group",
                                 "preset": "nhs", "from_stage": "shortlisted",
                                 "to_stage": "appointed", "format": "json"}),
        ("representation", {**ORGANISATION, "characteristic": "disability", "preset": "nhs",
                            "stage": "shortlisted", "format": "json"}),
    ]  # fmt: skip
    assert recorded(hr) == []


def test_a_bad_question_is_a_400_naming_the_field_and_records_nothing(data, network_reviewer):
    response = api_client(network_reviewer).get(
        "/api/v1/monitoring/funnel/?characteristic=sex&closed_from=2024-04-01"
    )
    assert (response.status_code, list(response.json()["errors"])) == (400, ["closed_from"])
    assert recorded(network_reviewer) == []


def test_the_reports_list_and_the_pdf_are_read_and_recorded(data, network_reviewer):
    client = page_client(network_reviewer)

    listed = client.get("/staff/monitoring/publication/").content.decode()
    pdf = client.get(f"/staff/monitoring/publication/{YEAR}/report.pdf")

    assert "Reporting year 2024-25: read and comment on the draft" in listed
    assert "check the draft" not in listed
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert recorded(network_reviewer) == [
        ("report_list", {}),
        ("report_pdf", {"year": YEAR, "draft": True}),
    ]


def test_a_large_unit_is_not_prepared_in_the_background_for_a_reviewer(
    data, network_reviewer, settings
):
    settings.MONITORING_ASYNC_THRESHOLD = 10
    client = page_client(network_reviewer)

    page = client.get("/staff/monitoring/?characteristic=sex")
    run = client.get("/staff/monitoring/?characteristic=sex&run=1")

    assert page.context["large"] is True
    assert "This part of the organisation is too large to show here. Ask HR for its figures." in (
        page.content.decode()
    )
    assert "Prepare the report" not in page.content.decode()
    assert run.status_code == 200  # no report started, no redirect to one
    assert "funnel" not in run.context


# --- Comments ---------------------------------------------------------------------------------


def test_a_reviewer_reads_their_own_comments_and_hr_every_one_unanswered_first(
    data, hr, network_reviewer, django_user_model
):
    client = api_client(network_reviewer)
    client.get(f"/staff/monitoring/publication/{YEAR}/")  # a page read decides the year
    page_client(hr).get(f"/staff/monitoring/publication/{YEAR}/")
    other = django_user_model.objects.create(
        username="kai", full_name="Kai", role="network_reviewer"
    )
    ReviewerGrant.objects.create(user=other, network="Carers", granted_by=hr,
                                 expires_at=timezone.now() + timedelta(days=5))  # fmt: skip
    first = client.post(COMMENTS, {"body": "First."}, format="json").json()
    theirs = comments.comment_add(by=other, year=YEAR, body="Theirs.")
    second = client.post(COMMENTS, {"body": "Second."}, format="json").json()
    comments.comment_answer(by=hr, year=YEAR, comment_id=first["id"], answer="Noted.")

    mine = client.get(COMMENTS).json()
    every = api_client(hr).get(COMMENTS).json()

    assert [(c["body"], c["answer"]) for c in mine["results"]] == [
        ("First.", "Noted."),
        ("Second.", None),
    ]
    assert [c["id"] for c in every["results"]] == [theirs.pk, second["id"], first["id"]]
    assert first["author"] == {"id": network_reviewer.pk, "full_name": "Robin Ali"}


def test_comments_are_checked_and_taken_on_a_draft_only_and_answered_once(
    data, hr, network_reviewer
):
    client = api_client(network_reviewer)
    not_yet = client.post(COMMENTS, {"body": "Early."}, format="json")
    page_client(hr).get(f"/staff/monitoring/publication/{YEAR}/")  # decides the year
    blank = client.post(COMMENTS, {"body": "  "}, format="json")
    invisible = client.post(COMMENTS, {"body": "\u200b\u200b"}, format="json")
    reversed_ = client.post(COMMENTS, {"body": "Fine \u202eenif"}, format="json")
    long = client.post(COMMENTS, {"body": "x" * 2001}, format="json")
    bad_year = client.post("/api/v1/monitoring/publication/2024/comments/", {"body": "x"},
                           format="json")  # fmt: skip
    made = client.post(COMMENTS, {"body": "Fine."}, format="json")
    by_hr = api_client(hr).post(COMMENTS, {"body": "HR?"}, format="json")
    answer = f"{COMMENTS}{made.json()['id']}/answer/"
    by_reviewer = client.post(answer, {"answer": "Myself."}, format="json")
    empty = api_client(hr).post(answer, {"answer": ""}, format="json")
    answered = api_client(hr).post(answer, {"answer": "Thank you."}, format="json")
    twice = api_client(hr).post(answer, {"answer": "Again."}, format="json")
    PublicationPack.objects.create(year=YEAR, figures={}, html="", pdf=b"", sha256="",
                                   published_by=hr)  # fmt: skip
    late = client.post(COMMENTS, {"body": "Late."}, format="json")

    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "not_releasable")
    assert (blank.status_code, blank.json()["errors"]) == (400, {"body": ["Enter your comment."]})
    assert (invisible.status_code, invisible.json()["errors"]) == (
        400,
        {"body": ["Enter your comment."]},
    )
    assert (reversed_.status_code, reversed_.json()["errors"]) == (
        400,
        {"body": ["Remove the hidden characters that change the text's direction."]},
    )
    assert (long.status_code, list(long.json()["errors"])) == (400, ["body"])
    assert bad_year.status_code == 404
    assert made.status_code == 201
    assert by_hr.status_code == 403
    assert by_reviewer.status_code == 403
    assert (empty.status_code, empty.json()["errors"]) == (400, {"answer": ["Enter your answer."]})
    assert (answered.status_code, answered.json()["answer"]) == (200, "Thank you.")
    assert answered.json()["answered_by"] == {"id": hr.pk, "full_name": "Priya Shah"}
    assert (twice.status_code, twice.json()) == (409, {
        "code": "invalid_transition", "detail": "This comment has been answered already.",
    })  # fmt: skip
    assert (late.status_code, late.json()["code"]) == (409, "already_published")
    assert list(PackComment.objects.values_list("body", "answer")) == [("Fine.", "Thank you.")]


# --- Refused ----------------------------------------------------------------------------------

STATISTICS_PAGES = [
    "/staff/monitoring/",
    "/staff/monitoring/publication/",
    f"/staff/monitoring/publication/{YEAR}/",
    f"/staff/monitoring/publication/{YEAR}/report.pdf",
]
STATISTICS_API = [
    "/api/v1/monitoring/funnel/?characteristic=sex",
    "/api/v1/monitoring/starting-pay/?characteristic=sex",
    "/api/v1/monitoring/relative-likelihood/?characteristic=sex",
    "/api/v1/monitoring/representation/?characteristic=sex",
    COMMENTS,
]


@pytest.mark.parametrize("ended", ["expired", "withdrawn"])
def test_a_reviewer_whose_access_ended_is_refused_every_statistic_and_nothing_is_recorded(
    ended, data, hr, network_reviewer
):
    grant = ReviewerGrant.objects.get()
    if ended == "expired":
        ReviewerGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    else:
        account_services.reviewer_withdraw(by=hr, grant_id=grant.pk, reason="Left.")
    page_client(hr).get(f"/staff/monitoring/publication/{YEAR}/")  # a draft exists
    before = snapshot()
    pages, client = page_client(network_reviewer), api_client(network_reviewer)

    page_answers = [pages.get(path).status_code for path in STATISTICS_PAGES]
    api_answers = [client.get(path).status_code for path in STATISTICS_API]
    comment = client.post(COMMENTS, {"body": "Still here?"}, format="json")
    comment_page = pages.post(f"/staff/monitoring/publication/{YEAR}/comments/", {"body": "x"})

    assert page_answers == [403] * 4
    assert api_answers == [403] * len(STATISTICS_API)
    assert (comment.status_code, comment_page.status_code) == (403, 403)
    assert snapshot() == before
    assert "Your access has ended" in pages.get("/").content.decode()


def test_a_reviewer_reaches_no_application_vacancy_internal_score_adjustment_or_exact_figure(
    data, hr, network_reviewer, vacancy, candidate, chair
):
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    adjustment = AdjustmentRequest.objects.create(
        application=application, stage="interview", category="extra_time", details="Time."
    )
    set_vacancy_status(vacancy, "closed")
    page_client(hr).get(f"/staff/monitoring/publication/{YEAR}/")  # the year decided
    before = snapshot()
    client, pages = api_client(network_reviewer), page_client(network_reviewer)
    a, v = f"/api/v1/applications/{application.pk}", f"/api/v1/vacancies/{vacancy.pk}"

    api = {
        "application": client.get(f"{a}/").status_code,
        "history": client.get(f"{a}/history/").status_code,
        "scores": client.get(f"{a}/scores/").status_code,
        "score put": client.put(f"{a}/scores/", {"stage": "shortlisting", "scores": []},
                                format="json").status_code,
        "shortlist": client.post(f"{a}/actions/shortlist/", {}, format="json").status_code,
        "adjustment": client.get(f"/api/v1/adjustments/{adjustment.pk}/").status_code,
        "ask adjustment": client.post(f"{a}/adjustments/", {"stage": "interview",
                                      "category": "extra_time", "details": "x"},
                                      format="json").status_code,
        "ranking": client.get(f"{v}/ranking/").status_code,
        "decision record": client.get(f"{v}/decision-record/").status_code,
        "close": client.post(f"{v}/close/", {}, format="json").status_code,
        "statutory": client.get(f"/api/v1/monitoring/statutory-return/?year={YEAR}").status_code,
        "adjustments report": client.get("/api/v1/monitoring/adjustments/").status_code,
        "users": client.get("/api/v1/users/").status_code,
        "apply": client.post("/api/v1/applications/", {"vacancy": vacancy.pk,
                             "statement": "x"}, format="json").status_code,
    }  # fmt: skip
    web = {
        "staff application": pages.get(f"/staff/applications/{application.pk}/").status_code,
        "staff vacancy": pages.get(f"/staff/vacancies/{vacancy.pk}/").status_code,
        "vacancies": pages.get("/staff/vacancies/").status_code,
        "ranking": pages.get(f"/staff/vacancies/{vacancy.pk}/ranking/shortlisting/").status_code,
        "adjustment queue": pages.get("/staff/adjustments/").status_code,
        "adjustments report": pages.get("/staff/adjustments/report/").status_code,
        "publish": pages.post(f"/staff/monitoring/publication/{YEAR}/",
                              {"confirm": "on"}).status_code,
        "answer": pages.post(f"/staff/monitoring/publication/{YEAR}/comments/1/answer/",
                             {"answer-1-answer": "x"}).status_code,
        "people": pages.get("/staff/people/").status_code,
        "monitoring report": pages.get("/staff/monitoring/reports/abc/").status_code,
    }  # fmt: skip

    # The application and the closed vacancy are hidden from them (404, as if missing); what
    # is HR's or staff's only is refused (403).
    assert api == {
        "application": 404, "history": 404, "scores": 404, "score put": 404, "shortlist": 404,
        "adjustment": 404, "ask adjustment": 404, "ranking": 404, "decision record": 404,
        "close": 404, "statutory": 403, "adjustments report": 403, "users": 403,
        "apply": 403,
    }  # fmt: skip
    assert web == {
        "staff application": 403, "staff vacancy": 403, "vacancies": 403, "ranking": 403,
        "adjustment queue": 403, "adjustments report": 403, "publish": 403, "answer": 403,
        "people": 403, "monitoring report": 403,
    }  # fmt: skip
    assert snapshot() == before
    assert Vacancy.objects.get(pk=vacancy.pk).status == "closed"
    assert not PublicationPack.objects.exists()
