"""Staff network reviewers' grants: HR grants access (a new account invited like staff, or a
reviewer's renewed), withdraws it with a reason, and reads what each reviewer read; every
field of a bad grant named in a 400; the address of any other account refused; nobody but HR
reaches any of it, and a refusal changes nothing."""

import re
from datetime import datetime, time, timedelta

import pytest
import rules
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.fields import DateTimeField

from accounts import services
from accounts.models import ReviewerGrant, Role, StatisticsView, User
from tests.support.clients import api_client, banner, page_client
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

NR = "/api/v1/network-reviewers/"


def day(days):
    return timezone.localdate() + timedelta(days=days)


def first_moment_after(last_day):
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))


def rows():
    """Every grant, view record and account, to compare before and after a refusal."""
    return (
        list(ReviewerGrant.objects.values().order_by("pk")),
        list(StatisticsView.objects.values().order_by("pk")),
        list(User.objects.values_list("pk", "username", "role", "is_active").order_by("pk")),
    )


def link_in(message):
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def grant_body(**changes):
    return {
        "full_name": "Sam Ade",
        "email": "Sam.Ade@network.example",
        "network": "Disabled staff network",
        "expires_on": day(60).isoformat(),
        **changes,
    }


# --- Granting ---------------------------------------------------------------------------------


def test_hr_grants_a_new_reviewer_who_is_invited_sets_a_password_and_reads_their_home(
    hr, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(hr).post(NR, grant_body(), format="json")

    sam = User.objects.get(email="Sam.Ade@network.example")
    grant = ReviewerGrant.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": grant.pk,
        "user": {"id": sam.pk, "username": "sam.ade@network.example", "full_name": "Sam Ade",
                 "email": "Sam.Ade@network.example"},
        "network": "Disabled staff network",
        "status": "live",
        "granted_by": {"id": hr.pk, "full_name": "Priya Shah"},
        "granted_at": response.json()["granted_at"],
        "last_day": day(60).isoformat(),
        "expires_at": DateTimeField().to_representation(first_moment_after(day(60))),
        "withdrawn_at": None,
        "withdrawn_by": None,
        "withdrawn_reason": "",
    }  # fmt: skip
    assert (sam.role, sam.has_usable_password(), sam.is_recruitment_staff) == (
        Role.NETWORK_REVIEWER,
        False,
        False,
    )
    assert (grant.user, grant.granted_by, grant.expires_at) == (
        sam,
        hr,
        first_moment_after(day(60)),
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["Sam.Ade@network.example"], "You have been invited to the recruitment service")
    ]
    assert "as staff network reviewer" in mail.outbox[0].body
    # The grant is in the audit log, with HR as the actor.
    (entry,) = LogEntry.objects.filter(content_type__model="reviewergrant")
    assert (entry.actor, entry.action, entry.object_pk) == (
        hr,
        LogEntry.Action.CREATE,
        str(grant.pk),
    )

    link = link_in(mail.outbox[0])
    browser = Client()
    browser.post(link, {"password": "a-long-passphrase-2031"})
    assert (
        browser.post(
            "/accounts/login/",
            {"username": "sam.ade@network.example", "password": "a-long-passphrase-2031"},
        ).status_code
        == 302
    )
    home = browser.get("/").content.decode()
    assert f"until {day(60).day} {day(60):%B %Y}" in home
    assert 'href="/staff/monitoring/"' in home
    assert 'href="/staff/monitoring/publication/"' in home
    assert "Vacancies you work on" not in home


def test_a_grant_lasts_the_default_days_when_no_date_is_given(hr, settings):
    settings.NETWORK_REVIEWER_DEFAULT_DAYS = 45
    body = grant_body()
    del body["expires_on"]

    response = api_client(hr).post(NR, body, format="json")

    assert response.status_code == 201
    assert response.json()["last_day"] == day(45).isoformat()
    assert ReviewerGrant.objects.get().expires_at == first_moment_after(day(45))


def test_the_address_of_a_reviewer_renews_their_access_with_a_new_grant(hr, network_reviewer):
    old = ReviewerGrant.objects.get(user=network_reviewer)

    response = api_client(hr).post(
        NR,
        {"email": network_reviewer.email.upper(), "network": "LGBT+ staff network",
         "expires_on": day(200).isoformat()},
        format="json",
    )  # fmt: skip

    old.refresh_from_db()
    new = ReviewerGrant.objects.exclude(pk=old.pk).get()
    assert response.status_code == 201
    assert (new.user, new.network, new.expires_at, new.status) == (
        network_reviewer, "LGBT+ staff network", first_moment_after(day(200)), "live",
    )  # fmt: skip
    assert (old.status, old.withdrawn_by, old.withdrawn_reason) == (
        "withdrawn", hr, "Replaced by a new grant.",
    )  # fmt: skip
    assert User.objects.filter(role=Role.NETWORK_REVIEWER).count() == 1
    assert mail.outbox == []  # their account is set up already: nothing to send


@pytest.mark.parametrize(
    ("persona", "whose"),
    [
        ("hr", "an HR account"),
        ("panel_member", "a panel member's account"),
        ("chair", "a hiring manager's account"),
        ("candidate", "a candidate's account"),
    ],
)
def test_the_address_of_any_other_account_is_refused_naming_the_email(persona, whose, request, hr):
    user = request.getfixturevalue(persona)
    before = rows()

    response = api_client(hr).post(NR, grant_body(email=user.email), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": [f"This address belongs to {whose}: a network reviewer needs an account of "
                  "their own. Use another address."]
    }  # fmt: skip
    assert rows() == before


def test_an_unconfirmed_registration_with_the_address_does_not_block_the_grant(hr):
    """Found in review: anyone may register a candidate account with an address they do not
    hold (it is never confirmed). That must not lock a reviewer out of a grant."""
    squatter = UserFactory(
        username="squatter", email="SAM.ADE@network.example", role=Role.CANDIDATE,
        email_confirmed_at=None,
    )  # fmt: skip

    response = api_client(hr).post(NR, grant_body(), format="json")

    assert response.status_code == 201, response.json()
    grant = ReviewerGrant.objects.get()
    assert grant.user.role == Role.NETWORK_REVIEWER
    assert grant.user.pk != squatter.pk
    assert User.objects.get(pk=squatter.pk).role == Role.CANDIDATE  # untouched


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("network", "\u200b\u200b", "Enter the name of the staff network."),
        ("network", "Disabled \u202estaff\u202c network", "change the text's direction"),
        ("full_name", "Sam \u2066Ade", "change the text's direction"),
    ],
)
def test_invisible_or_direction_changing_text_is_refused(hr, field, value, message):
    before = rows()

    response = api_client(hr).post(NR, grant_body(**{field: value}), format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert rows() == before


def test_every_bad_field_is_named_in_one_400_and_nothing_is_made(hr, settings):
    settings.NETWORK_REVIEWER_MAX_DAYS = 365
    before = rows()
    latest = day(365)

    past = api_client(hr).post(
        NR, grant_body(email="not-an-address", network="  ", expires_on=day(0).isoformat()),
        format="json",
    )  # fmt: skip
    too_far = api_client(hr).post(NR, grant_body(expires_on=day(366).isoformat()), format="json")
    new_without_name = api_client(hr).post(NR, grant_body(full_name=""), format="json")
    not_a_date = api_client(hr).post(NR, grant_body(expires_on="31/12/2026"), format="json")

    assert (past.status_code, past.json()["errors"]) == (400, {
        "email": ["Enter an email address in the correct format, like name@example.com."],
        "network": ["Enter the name of the staff network."],
        "expires_on": ["The last day of access must be in the future."],
    })  # fmt: skip
    assert (too_far.status_code, too_far.json()["errors"]) == (400, {
        "expires_on": [f"Access is granted for at most 365 days: give a last day on or before "
                       f"{latest.day} {latest:%B %Y} ({latest.isoformat()})."],
    })  # fmt: skip
    assert (new_without_name.status_code, new_without_name.json()["errors"]) == (
        400, {"full_name": ["Enter their full name."]},
    )  # fmt: skip
    assert not_a_date.status_code == 400
    assert list(not_a_date.json()["errors"]) == ["expires_on"]
    assert api_client(hr).post(NR, grant_body(expires_on=day(365).isoformat()), format="json"
                               ).status_code == 201  # the last day allowed  # fmt: skip
    assert rows()[0][0]["expires_at"] == first_moment_after(day(365))
    assert len(rows()[0]) == len(before[0]) + 1


# --- Withdrawing ------------------------------------------------------------------------------


def test_hr_withdraws_a_live_grant_once_with_a_reason(hr, network_reviewer):
    grant = ReviewerGrant.objects.get()
    client = api_client(hr)
    AuthToken.objects.create(user=network_reviewer)
    AuthToken.objects.create(user=hr)

    no_reason = client.post(f"{NR}{grant.pk}/withdraw/", {"reason": " "}, format="json")
    done = client.post(f"{NR}{grant.pk}/withdraw/", {"reason": "Left the network."}, format="json")
    again = client.post(f"{NR}{grant.pk}/withdraw/", {"reason": "Twice."}, format="json")
    missing = client.post(f"{NR}{grant.pk + 100}/withdraw/", {"reason": "x"}, format="json")

    grant.refresh_from_db()
    assert (no_reason.status_code, no_reason.json()["errors"]) == (
        400, {"reason": ["Enter why access is withdrawn."]},
    )  # fmt: skip
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["withdrawn_reason"]) == (
        "withdrawn", "Left the network.",
    )  # fmt: skip
    assert done.json()["withdrawn_by"] == {"id": hr.pk, "full_name": "Priya Shah"}
    assert (again.status_code, again.json()) == (409, {
        "code": "invalid_transition", "detail": "This grant has been withdrawn already.",
    })  # fmt: skip
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (grant.withdrawn_by, grant.withdrawn_reason) == (hr, "Left the network.")
    assert not rules.has_perm("recruitment.view_released_statistics", network_reviewer)
    # The reviewer's API tokens ended with the access; nobody else's did.
    assert not AuthToken.objects.filter(user=network_reviewer).exists()
    assert AuthToken.objects.filter(user=hr).exists()


def test_an_expired_grant_cannot_be_withdrawn(hr, network_reviewer):
    grant = ReviewerGrant.objects.get()
    ReviewerGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())

    response = api_client(hr).post(f"{NR}{grant.pk}/withdraw/", {"reason": "x"}, format="json")

    assert (response.status_code, response.json()) == (409, {
        "code": "invalid_transition", "detail": "This grant has expired already.",
    })  # fmt: skip
    assert ReviewerGrant.objects.get().withdrawn_at is None


def test_a_reviewer_is_live_only_while_a_grant_is_neither_withdrawn_nor_expired(
    hr, network_reviewer
):
    grant = ReviewerGrant.objects.get()
    live = rules.has_perm("recruitment.view_released_statistics", network_reviewer)
    ReviewerGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    expired = rules.has_perm("recruitment.view_released_statistics", network_reviewer)
    ReviewerGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() + timedelta(days=1), withdrawn_at=timezone.now()
    )
    withdrawn = rules.has_perm("recruitment.view_released_statistics", network_reviewer)
    nobody = UserFactory(role=Role.NETWORK_REVIEWER)  # the role, and no grant ever

    assert (live, expired, withdrawn) == (True, False, False)
    assert not rules.has_perm("recruitment.view_released_statistics", nobody)
    assert not rules.has_perm("recruitment.view_monitoring", network_reviewer)


# --- The record of what a reviewer read -------------------------------------------------------


def test_hr_reads_what_a_reviewer_read_under_a_grant_newest_first(hr, network_reviewer):
    grant = ReviewerGrant.objects.get()
    first = services.statistics_view_record(
        user=network_reviewer, grant=grant, what="dashboard",
        params={"period": "2024-25", "unit": "organisation", "characteristic": "sex"},
    )  # fmt: skip
    second = services.statistics_view_record(
        user=network_reviewer, grant=grant, what="report_pdf", params={"year": "2024-25"}
    )

    response = api_client(hr).get(f"{NR}{grant.pk}/views/")
    missing = api_client(hr).get(f"{NR}{grant.pk + 100}/views/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2, "next": None, "previous": None,
        "results": [
            {"id": second.pk, "what": "report_pdf", "what_label": "Yearly equality report (PDF)",
             "params": {"year": "2024-25"}, "at": response.json()["results"][0]["at"]},
            {"id": first.pk, "what": "dashboard", "what_label": "Monitoring dashboard",
             "params": {"period": "2024-25", "unit": "organisation", "characteristic": "sex"},
             "at": response.json()["results"][1]["at"]},
        ],
    }  # fmt: skip
    assert missing.status_code == 404
    page = page_client(hr).get(f"/staff/people/network-reviewers/{grant.pk}/").content.decode()
    history = page.split('id="view-history"')[1]
    assert history.index("Yearly equality report (PDF)") < history.index("Monitoring dashboard")
    # In words, not the API's values.
    assert "Characteristic: Sex" in history
    assert "Part of the organisation: The whole organisation" in history
    assert "unit: organisation" not in history


def test_the_grants_list_filters_by_status(hr, network_reviewer):
    ended = UserFactory(role=Role.NETWORK_REVIEWER, full_name="Ola Ended")
    ReviewerGrant.objects.create(
        user=ended, network="Carers' network", granted_by=hr, expires_at=timezone.now()
    )
    client = api_client(hr)

    live = client.get(f"{NR}?status=live").json()
    expired = client.get(f"{NR}?status=expired").json()
    everyone = client.get(NR).json()
    bad = client.get(f"{NR}?status=gone")

    assert [g["user"]["full_name"] for g in live["results"]] == ["Robin Ali"]
    assert [g["user"]["full_name"] for g in expired["results"]] == ["Ola Ended"]
    assert everyone["count"] == 2
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["status"])
    page = page_client(hr).get("/staff/people/network-reviewers/?status=expired").content.decode()
    assert "Ola Ended" in page
    assert "Robin Ali" not in page


# --- Nobody else ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["network_reviewer", "chair", "panel_member", "candidate", "other_candidate"]
)
def test_nobody_but_hr_reaches_the_grants_and_a_refusal_changes_nothing(
    persona, request, hr, network_reviewer
):
    user = request.getfixturevalue(persona)
    grant = ReviewerGrant.objects.get()
    before = rows()
    client, pages = api_client(user), page_client(user)

    answers = [
        client.get(NR).status_code,
        client.post(NR, grant_body(), format="json").status_code,
        client.post(f"{NR}{grant.pk}/withdraw/", {"reason": "x"}, format="json").status_code,
        client.get(f"{NR}{grant.pk}/views/").status_code,
        pages.get("/staff/people/network-reviewers/").status_code,
        pages.post("/staff/people/network-reviewers/new/", {"email": "a@b.example"}).status_code,
        pages.get(f"/staff/people/network-reviewers/{grant.pk}/").status_code,
        pages.post(f"/staff/people/network-reviewers/{grant.pk}/withdraw/",
                   {"reason": "x"}).status_code,
    ]  # fmt: skip

    assert answers == [403] * 8
    assert rows() == before


# --- HR's pages -------------------------------------------------------------------------------


def test_hr_grants_on_the_page_with_a_date_and_each_error_is_named(hr):
    client = page_client(hr)
    form = client.get("/staff/people/network-reviewers/new/")
    default = day(90)
    assert form.context["form"]["expires_on"].value() == default

    bad = client.post(
        "/staff/people/network-reviewers/new/",
        {"full_name": "Sam Ade", "email": "sam@", "network": "",
         "expires_on_0": "1", "expires_on_1": "1", "expires_on_2": "2020"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"email", "network"}
    assert "govuk-error-summary" in bad.content.decode()
    past = client.post(
        "/staff/people/network-reviewers/new/",
        {"full_name": "Sam Ade", "email": "sam@network.example", "network": "Young staff",
         "expires_on_0": "1", "expires_on_1": "1", "expires_on_2": "2020"},
    )  # fmt: skip
    assert past.context["form"].errors == {
        "expires_on": ["The last day of access must be in the future."]
    }
    good = client.post(
        "/staff/people/network-reviewers/new/",
        {"full_name": "Sam Ade", "email": "sam@network.example", "network": "Young staff",
         "expires_on_0": str(day(30).day), "expires_on_1": str(day(30).month),
         "expires_on_2": str(day(30).year)},
    )  # fmt: skip

    grant = ReviewerGrant.objects.get()
    assert good["Location"] == f"/staff/people/network-reviewers/{grant.pk}/"
    assert (grant.network, grant.last_day, grant.user.full_name) == (
        "Young staff",
        day(30),
        "Sam Ade",
    )
    assert banner(good) == [f"Sam Ade can read the statistics until {day(30).day} {day(30):%B %Y}."]


def test_hr_withdraws_on_the_page_after_saying_why(hr, network_reviewer):
    grant = ReviewerGrant.objects.get()
    client = page_client(hr)
    url = f"/staff/people/network-reviewers/{grant.pk}/withdraw/"

    asked = client.get(url)
    no_reason = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "Left the council."})
    client.get(done["Location"])  # the banner shown
    again = client.post(url, {"reason": "Twice."})

    assert "Withdraw their access?" in asked.content.decode()
    assert no_reason.status_code == 400
    assert no_reason.context["form"].errors == {"reason": ["Enter why access is withdrawn"]}
    assert done["Location"] == f"/staff/people/network-reviewers/{grant.pk}/"
    assert banner(done) == ["Robin Ali's access is withdrawn."]
    assert banner(again) == ["This grant has been withdrawn already."]
    grant.refresh_from_db()
    assert (grant.withdrawn_by, grant.withdrawn_reason) == (hr, "Left the council.")


def test_a_reviewer_whose_access_ended_reads_when_and_to_ask_hr(hr, network_reviewer):
    grant = ReviewerGrant.objects.get()
    services.reviewer_withdraw(by=hr, grant_id=grant.pk, reason="Left.")

    home = page_client(network_reviewer).get("/").content.decode()

    today = timezone.localdate()
    assert "Your access has ended" in home
    assert (
        f"Your access to the equality statistics as a reviewer for the Disabled staff network "
        f"ended on {today.day} {today:%B %Y}." in home
    )
    assert "ask HR to grant you access again" in home
