"""The candidate is told: that their application arrived; what was decided about each of
their adjustment requests; and, when they withdraw, that their open requests are closed."""

import pytest
from django.core import mail
from django_fsm_log.models import StateLog

from adjustments import services as adjustments
from adjustments.models import AdjustmentRequest
from recruitment.applications import services
from recruitment.models import Notification
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def ask(application, category="extra_time", stage="interview"):
    request, _ = adjustments.adjustment_request(
        application=application,
        by=application.candidate,
        stage=stage,
        category=category,
        details="I read slowly: extra time for written tasks, please.",
    )
    return request


def test_an_application_s_arrival_is_told_once(
    candidate, vacancy, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            candidate=candidate, vacancy=vacancy, statement="Eight years in the field."
        )

    (message,) = mail.outbox
    assert message.to == ["amara@example.org"]
    assert message.subject == f"We have received your application for {vacancy.title}"
    assert f"Its reference is {application.reference}." in message.body
    assert f"http://127.0.0.1:8000/applications/{application.pk}/" in message.body
    assert Notification.objects.filter(application=application, kind="received").count() == 1


@pytest.mark.parametrize(
    ("decide", "subject", "said"),
    [
        (
            lambda r, hr: adjustments.adjustment_agree(
                adjustment_id=r.pk, by=hr, arrangement="An extra 25% of time for each task."
            ),
            "Your request for an adjustment has been agreed",
            "We have agreed it. What we will arrange:\nAn extra 25% of time for each task.",
        ),
        (
            lambda r, hr: adjustments.adjustment_partially_agree(
                adjustment_id=r.pk, by=hr, arrangement="An extra 15 minutes.",
                reason="The test is timed for everyone within a fixed session.",
            ),
            "Your request for an adjustment: what we have agreed",
            "What we cannot do, and why:\nThe test is timed for everyone within a fixed session.",
        ),
        (
            lambda r, hr: adjustments.adjustment_decline(
                adjustment_id=r.pk, by=hr, reason="The written task is not timed."
            ),
            "Your request for an adjustment: we cannot make it",
            "we cannot make this adjustment. The reason is:\nThe written task is not timed.",
        ),
    ],
    ids=["agreed", "partially agreed", "declined"],
)  # fmt: skip
def test_each_decision_on_an_adjustment_is_told_with_what_was_arranged_or_why_not(
    decide, subject, said, candidate, hr, eager, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(candidate=candidate)
    request = ask(application)

    with django_capture_on_commit_callbacks(execute=True):
        decide(request, hr)

    (message,) = mail.outbox
    assert (message.to, message.subject) == (["amara@example.org"], subject)
    assert said in message.body
    assert "extra time, for the interview" in message.body
    assert "dyslexia" not in message.body.lower()


def test_withdrawing_closes_the_open_and_agreed_requests_and_leaves_the_rest(
    candidate, hr, eager, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(candidate=candidate)
    open_request = ask(application, "extra_time")
    agreed = ask(application, "rest_breaks")
    adjustments.adjustment_agree(adjustment_id=agreed.pk, by=hr, arrangement="A break each hour.")
    declined = ask(application, "questions_in_advance")
    adjustments.adjustment_decline(adjustment_id=declined.pk, by=hr, reason="Not possible.")

    services.application_withdraw(application_id=application.pk, by=candidate)

    states = dict(AdjustmentRequest.objects.values_list("pk", "state"))
    assert states == {open_request.pk: "withdrawn", agreed.pk: "withdrawn", declined.pk: "declined"}
    assert not AdjustmentRequest.objects.open().exists()  # nothing left in HR's queue
    closing = StateLog.objects.for_(open_request).get(transition="withdraw")
    assert (closing.by_id, closing.description) == (candidate.pk, "The application was withdrawn.")


def test_a_refused_withdrawal_closes_nothing(candidate, hr):
    from tests.support.factories import set_state

    application = set_state(ApplicationFactory(candidate=candidate), "offered", "offered")
    request = ask(application)

    with pytest.raises(Exception):  # noqa: B017, PT011 - the state refuses it
        services.application_withdraw(application_id=application.pk, by=hr)

    assert AdjustmentRequest.objects.get(pk=request.pk).state == "requested"


def test_a_decision_message_late_for_a_withdrawn_request_is_not_sent(candidate, hr):
    """A try that comes after the withdrawal (a retry) says nothing, and records nothing."""
    from recruitment.applications.notifications import notify

    application = ApplicationFactory(candidate=candidate)
    request = ask(application)
    adjustments.adjustment_agree(adjustment_id=request.pk, by=hr, arrangement="Extra time.")
    services.application_withdraw(application_id=application.pk, by=candidate)

    assert notify(application.pk, f"adjustment_decided:{request.pk}") is False
    assert mail.outbox == []
    assert not Notification.objects.filter(kind__startswith="adjustment_decided").exists()
