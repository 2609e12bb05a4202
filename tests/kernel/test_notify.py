"""GOV.UK Notify as the message channel (MESSAGE_CHANNEL=notify), against a local HTTP
server that checks each request the way Notify does: a JSON Web Token signed with HS256 by
the key's secret, issued by the key's service, at most 30 seconds old; then the e-mail's
address, template and personalisation."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail

from kernel.mail import PermanentSendFailure, TransientSendFailure, send_mail
from recruitment.applications.notifications import notify
from recruitment.models import Notification
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"recruitment_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


class Notify(BaseHTTPRequestHandler):
    """What GOV.UK Notify's API does with ``POST /v2/notifications/email``."""

    received: list
    answer = 201

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": True})
            signed = claims["iss"] == SERVICE_ID and abs(time.time() - claims["iat"]) <= 30
        except jwt.PyJWTError:
            signed = False
        if not signed:
            return self._answer(403, {"errors": [{"error": "AuthError"}]})
        self.received.append({"path": self.path, "body": body})
        if self.answer != 201:
            return self._answer(self.answer, {"errors": [{"error": "Error"}]})
        return self._answer(201, {"id": str(uuid.uuid4()), "content": {}, "template": {}})

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify_api(settings):
    handler = type("Handler", (Notify,), {"received": [], "answer": 201})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MESSAGE_CHANNEL = "notify"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield handler
    server.shutdown()


def test_a_candidate_message_goes_through_notify_signed_with_the_key(notify_api, candidate):
    application = ApplicationFactory(candidate=candidate)

    assert notify(application.pk, "received") is True

    (request,) = notify_api.received
    assert request["path"] == "/v2/notifications/email"
    assert request["body"]["email_address"] == "amara@example.org"
    assert request["body"]["template_id"] == TEMPLATE_ID
    personalisation = request["body"]["personalisation"]
    assert personalisation["subject"] == (
        f"We have received your application for {application.vacancy.title}"
    )
    assert application.reference in personalisation["body"]
    assert f"/applications/{application.pk}/" in personalisation["body"]
    assert mail.outbox == []  # not by SMTP
    assert Notification.objects.filter(application=application, kind="received").exists()


@pytest.mark.parametrize(
    ("answer", "failure"),
    [(500, TransientSendFailure), (429, TransientSendFailure), (400, PermanentSendFailure)],
)
def test_notify_s_refusals_are_sorted_into_worth_retrying_or_not(notify_api, answer, failure):
    notify_api.answer = answer

    with pytest.raises(failure) as raised:
        send_mail("Subject", "Body", ["amara@example.org"])

    assert str(raised.value) == f"Notify HTTPError {answer}"  # no address, no text


def test_a_wrong_key_is_refused_by_notify_and_not_retried(notify_api, settings, candidate):
    settings.NOTIFY_API_KEY = f"wrong-{SERVICE_ID}-{uuid.uuid4()}"
    application = ApplicationFactory(candidate=candidate)

    with pytest.raises(PermanentSendFailure):
        notify(application.pk, "received")

    assert notify_api.received == []
    assert not Notification.objects.exists()  # the claim rolled back with the failed send


def test_notify_unreachable_is_worth_retrying(settings):
    settings.MESSAGE_CHANNEL = "notify"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens

    with pytest.raises(TransientSendFailure):
        send_mail("Subject", "Body", ["amara@example.org"])


def test_a_retry_after_a_part_failure_sends_only_to_those_not_yet_served(notify_api):
    """Notify takes one address a call: when the second is refused for now (429), the
    retry goes to the second only, not again to the first."""
    words = f"Two coordinators {uuid.uuid4()}"

    def refuse_the_second(handler_self, original=Notify.do_POST):
        handler_self.answer = 429 if len(notify_api.received) == 1 else 201
        return original(handler_self)

    notify_api.do_POST = refuse_the_second
    with pytest.raises(TransientSendFailure):
        send_mail("Subject", words, ["hr1@example.org", "hr2@example.org"])
    notify_api.do_POST = Notify.do_POST

    assert send_mail("Subject", words, ["hr1@example.org", "hr2@example.org"]) == 2

    sent = [r["body"]["email_address"] for r in notify_api.received]
    assert sent == ["hr1@example.org", "hr2@example.org", "hr2@example.org"]  # refused, then sent


FILE_TEMPLATE_ID = str(uuid.uuid4())


def test_a_calendar_invitation_goes_as_a_notify_file_through_the_file_template(
    notify_api, settings
):
    """Notify sends a file as a link in a template made for it (``((file))``): the upload is
    the file's bytes, base64, with its name, and Notify's own download confirmation."""
    import base64

    settings.NOTIFY_FILE_TEMPLATE_ID = FILE_TEMPLATE_ID
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    send_mail(
        "Interview booked", "Body", ["amara@example.org"], [("interview.ics", ics, "text/calendar")]
    )

    (request,) = notify_api.received
    assert request["body"]["template_id"] == FILE_TEMPLATE_ID
    upload = request["body"]["personalisation"]["file"]
    assert base64.b64decode(upload["file"]) == ics
    assert upload["filename"] == "interview.ics"
    assert upload["confirm_email_before_download"] is True
    assert request["body"]["personalisation"]["subject"] == "Interview booked"


def test_without_a_file_template_notify_sends_the_words_alone(notify_api, settings):
    """(Other words than the test above: Notify's channel remembers what it served.)"""
    settings.NOTIFY_FILE_TEMPLATE_ID = ""

    send_mail(
        "Interview moved",
        "Words",
        ["amara@example.org"],
        [("interview.ics", b"x", "text/calendar")],
    )

    (request,) = notify_api.received
    assert request["body"]["template_id"] == TEMPLATE_ID
    assert request["body"]["personalisation"] == {"subject": "Interview moved", "body": "Words"}


def test_the_same_words_as_another_message_still_go_and_carry_their_reference(notify_api):
    """A move back to an earlier time says what an earlier message said: it is its own
    message (its reference), so Notify's channel does not take it for a retry."""
    for reference in ("application-1-interview_booked:1", "application-1-interview_booked:3"):
        send_mail("Interview moved", "Same words", ["amara@example.org"], reference=reference)
    send_mail(
        "Interview moved",
        "Same words",
        ["amara@example.org"],
        reference="application-1-interview_booked:3",
    )  # fmt: skip  (a retry)

    assert [r["body"]["reference"] for r in notify_api.received] == [
        "application-1-interview_booked:1",
        "application-1-interview_booked:3",
    ]
