"""The Atom feed of open jobs (/jobs/feed/): valid Atom 1.0 that a feed reader takes without
complaint, exactly the jobs that can be applied for, newest first, each linking to its page at
the configured address; whatever a vacancy holds, the feed stays well-formed XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html import unescape

import feedparser
import pytest
from django.utils import timezone

from tests.support.clients import page_client
from tests.support.factories import VacancyFactory, set_vacancy_status
from vacancies import feeds
from vacancies.models import Vacancy, VacancyStatus

pytestmark = pytest.mark.django_db

ATOM = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM}}}"
SITE = "https://jobs.example.gov.uk"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.ORGANISATION_NAME = "Example Council"


def published(vacancy: Vacancy, days_ago: int) -> Vacancy:
    Vacancy.objects.filter(pk=vacancy.pk).update(
        published_at=timezone.now() - timedelta(days=days_ago)
    )
    return Vacancy.objects.get(pk=vacancy.pk)


def get_feed(client) -> bytes:
    response = client.get("/jobs/feed/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response.content


def rfc_3339(text: str | None) -> datetime:
    assert text, "no date"
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment


def check_atom_1_0(body: bytes) -> ET.Element:
    """Well-formed XML, and the elements RFC 4287 requires: the feed's id, title and updated
    and an author (the feed's, as no entry has its own); each entry's id, title, updated and
    a link to the page (it has no content, so rel="alternate" is required)."""
    root = ET.fromstring(body)  # noqa: S314 - the service's own feed, in a test
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1, f"feed {name}"
        assert root.findtext(f"{A}{name}"), f"feed {name} is empty"
    rfc_3339(root.findtext(f"{A}updated"))
    assert root.findtext(f"{A}author/{A}name") == "Example Council"
    assert root.find(f"{A}link[@rel='self']").get("href") == f"{SITE}/jobs/feed/"
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, f"entry {name}"
            assert entry.findtext(f"{A}{name}"), f"entry {name} is empty"
        rfc_3339(entry.findtext(f"{A}updated"))
        rfc_3339(entry.findtext(f"{A}published"))
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        assert entry.find(f"{A}summary").get("type") == "html"
    return root


def test_the_feed_is_the_open_jobs_newest_first(client, settings):
    older = published(VacancyFactory(title="Social Worker"), days_ago=3)
    newer = published(VacancyFactory(title="Planning Officer"), days_ago=1)
    set_vacancy_status(VacancyFactory(title="Draft job"), VacancyStatus.DRAFT)
    set_vacancy_status(VacancyFactory(title="Closed job"), VacancyStatus.CLOSED)
    set_vacancy_status(VacancyFactory(title="Filled job"), VacancyStatus.FILLED)
    set_vacancy_status(VacancyFactory(title="Cancelled job"), VacancyStatus.CANCELLED)
    past = VacancyFactory(title="Past its closing date")
    Vacancy.objects.filter(pk=past.pk).update(closing_date=timezone.now() - timedelta(hours=1))

    body = get_feed(client)
    check_atom_1_0(body)
    parsed = feedparser.parse(body)

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Jobs at Example Council"
    assert parsed.feed.link == f"{SITE}/jobs/"
    assert [(e.title, e.link, e.id) for e in parsed.entries] == [
        ("Planning Officer", f"{SITE}/jobs/{newer.pk}/", f"{SITE}/jobs/{newer.pk}/"),
        ("Social Worker", f"{SITE}/jobs/{older.pk}/", f"{SITE}/jobs/{older.pk}/"),
    ]
    entry = parsed.entries[0]
    assert rfc_3339(entry.published) == newer.published_at
    assert rfc_3339(entry.updated) == newer.published_at
    assert rfc_3339(parsed.feed.updated) == newer.published_at
    assert [t.term for t in entry.tags] == ["Children's Services", "Grade P3"]
    # The summary (HTML) says where, the grade, the salary and when it closes.
    closes = timezone.localtime(newer.closing_date)
    summary = unescape(entry.summary)
    assert "<p>Children's Services, Cambridge. Grade P3. £41,000 to £45,000 a year.</p>" in summary
    assert f"<p>Closes {closes.day} {closes:%B %Y}, " in summary
    assert "<p>Child protection casework.</p>" in summary
    for word in ("Draft", "Closed", "Filled", "Cancelled", "Past its closing date"):
        assert word.encode() not in body


def test_the_links_are_the_configured_address_not_the_request_s_host(client):
    vacancy = VacancyFactory()

    body = client.get("/jobs/feed/", HTTP_HOST="localhost").content

    assert b"localhost" not in body
    assert feedparser.parse(body).entries[0].link == f"{SITE}/jobs/{vacancy.pk}/"


def test_an_empty_feed_is_still_valid_atom(client):
    body = get_feed(client)

    check_atom_1_0(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert parsed.entries == []


def test_the_feed_holds_the_newest_jobs_up_to_its_limit(client, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LIMIT", 2)
    jobs = [published(VacancyFactory(title=f"Job {n}"), days_ago=n) for n in range(3)]

    parsed = feedparser.parse(get_feed(client))

    assert [e.title for e in parsed.entries] == ["Job 0", "Job 1"]
    assert len(jobs) == 3


def test_a_hostile_title_and_description_keep_the_feed_valid_xml(client):
    title = '</script><script>alert(1)</script> Tom & Jerry <b> ]]> "quoted"'
    VacancyFactory(
        title=title,
        department="Planning & <Regeneration>",
        description="Pasted from a word processor:\x0c page two & <more>\x1b end",
    )

    body = get_feed(client)
    check_atom_1_0(body)
    parsed = feedparser.parse(body)

    assert not parsed.bozo, parsed.get("bozo_exception")
    [entry] = parsed.entries
    assert entry.title == title
    assert entry.title_detail.type == "text/plain"
    assert b"<script>" not in body
    # The summary is HTML: the description's characters are escaped in it, the ones XML
    # cannot carry left out.
    assert "Pasted from a word processor: page two &amp; &lt;more&gt; end" in entry.summary
    assert entry.tags[0].term == "Planning & <Regeneration>"


def test_the_jobs_page_advertises_the_feed(client):
    html = client.get("/jobs/").content.decode()

    head = html.split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Jobs you can apply for now" href="/jobs/feed/">' in head
    )
    assert '<a class="govuk-link" href="/jobs/feed/">Get every new job in a feed</a>' in html


def test_the_feed_is_read_only(client, hr):
    assert client.post("/jobs/feed/").status_code == 405
    assert page_client(hr).post("/jobs/feed/").status_code == 405
    assert client.head("/jobs/feed/").status_code == 200
