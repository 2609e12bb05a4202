"""Each open job's page carries a schema.org JobPosting in JSON-LD that Google's job search
accepts; no other page carries one; and nothing a vacancy holds breaks out of its script.

The page is read as a browser reads it (``html.parser``: a script's text runs to the first
``</script>``), the JSON-LD expanded by PyLD (a JSON-LD processor: a malformed document is an
error), and every node checked against schema.org's types for the properties used."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from pyld import jsonld

from tests.support.clients import page_client
from tests.support.factories import UserFactory, VacancyFactory, set_vacancy_status
from vacancies import services
from vacancies.models import VacancyStatus

pytestmark = pytest.mark.django_db

#: Google's required properties of a JobPosting (Search Central, "Job posting (JobPosting)
#: structured data": title, description, datePosted, hiringOrganization, and jobLocation,
#: or for a fully remote job applicantLocationRequirements with jobLocationType TELECOMMUTE).
GOOGLE_REQUIRED = ("title", "description", "datePosted", "hiringOrganization")
GOOGLE_LOCATION = ("jobLocation",)
GOOGLE_REMOTE = ("applicantLocationRequirements", "jobLocationType")

#: schema.org: each type used, the properties this service gives it, and for a property whose
#: value is a node, the type that node must be (the property's range on schema.org).
SCHEMA_ORG = {
    "JobPosting": {
        "title": str,
        "description": str,
        "identifier": "PropertyValue",
        "datePosted": str,
        "validThrough": str,
        "hiringOrganization": "Organization",
        "jobLocation": "Place",
        "baseSalary": "MonetaryAmount",
        "directApply": bool,
        "url": str,
    },
    "Organization": {"name": str, "sameAs": str, "logo": str},
    "Place": {"address": "PostalAddress"},
    "PostalAddress": {"addressLocality": str, "addressCountry": str},
    "MonetaryAmount": {"currency": str, "value": "QuantitativeValue"},
    "QuantitativeValue": {"minValue": int, "maxValue": int, "unitText": str},
    "PropertyValue": {"name": str, "value": str},
}

SCHEMA = "https://schema.org/"


class Scripts(HTMLParser):
    """Every script element of a page: (its attributes, its text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.found.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def scripts(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = Scripts()
    parser.feed(html)
    parser.close()
    return parser.found


def job_postings(html: str) -> list[dict]:
    """The JSON-LD documents of the page, parsed."""
    return [
        json.loads(text)
        for attrs, text in scripts(html)
        if attrs.get("type") == "application/ld+json"
    ]


def the_job_posting(response) -> dict:
    assert response.status_code == 200
    [posting] = job_postings(response.content.decode())
    return posting


def parse_iso_8601(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, f"{value} has no offset from UTC"
    return moment


def check_node(node: dict, expected_type: str) -> None:
    """The node is of the type, and every property it has is one schema.org gives that type,
    with a value of the property's range."""
    assert node["@type"] == expected_type
    properties = SCHEMA_ORG[expected_type]
    for name, value in node.items():
        if name in ("@type", "@context"):
            continue
        assert name in properties, f"{expected_type} has no property {name!r} here"
        kind = properties[name]
        if isinstance(kind, str):
            assert isinstance(value, dict), f"{expected_type}.{name} is not a node"
            check_node(value, kind)
        else:
            assert type(value) is kind, f"{expected_type}.{name} is {type(value).__name__}"
            if kind is str:
                assert value.strip(), f"{expected_type}.{name} is empty"


def schema_org_context(url, options=None):
    """PyLD's document loader, offline: the schema.org context, for what this document uses,
    is its vocabulary (https://schema.org/ + the term); nothing is fetched."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA}},
    }


def test_an_open_job_page_gives_google_every_required_property(settings, client):
    settings.SITE_URL = "https://jobs.example.gov.uk"
    settings.ORGANISATION_NAME = "Cambridgeshire County Council"
    vacancy = VacancyFactory(
        title="Senior Social Worker",
        location="Cambridge",
        salary_min=41000,
        salary_max=45511,
        description="Child protection casework.\n\nYou will hold a caseload.",
    )

    posting = the_job_posting(client.get(f"/jobs/{vacancy.pk}/"))

    assert posting["@context"] == "https://schema.org"
    check_node(posting, "JobPosting")
    for name in GOOGLE_REQUIRED:
        assert name in posting, name
    assert all(n in posting for n in GOOGLE_LOCATION) or all(n in posting for n in GOOGLE_REMOTE)
    assert posting["title"] == "Senior Social Worker"
    assert posting["description"].startswith("<p>Child protection casework.</p>")
    assert "<li>Social Work England registration</li>" in posting["description"]
    assert parse_iso_8601(posting["datePosted"]) == vacancy.created_at.replace(microsecond=0)
    assert posting["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Cambridgeshire County Council",
    }
    assert posting["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Cambridge",
        "addressCountry": "GB",
    }
    # Recommended: the closing date, the salary, the reference, applying here.
    closes = parse_iso_8601(posting["validThrough"])
    assert closes == vacancy.closing_date.replace(microsecond=0)
    assert closes.utcoffset() == timezone.localtime(vacancy.closing_date).utcoffset()
    assert posting["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "GBP",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": 41000,
            "maxValue": 45511,
            "unitText": "YEAR",
        },
    }
    assert posting["identifier"]["value"] == vacancy.reference
    assert posting["directApply"] is True
    assert posting["url"] == f"https://jobs.example.gov.uk/jobs/{vacancy.pk}/"
    assert "employmentType" not in posting  # the vacancy does not record one


def test_the_json_ld_expands_to_schema_org_terms_only(client):
    vacancy = VacancyFactory()

    posting = the_job_posting(client.get(f"/jobs/{vacancy.pk}/"))
    [expanded] = jsonld.expand(posting, {"documentLoader": schema_org_context})

    def walk(node, type_name):
        """Each node expands to its schema.org type, with only that type's properties."""
        assert node["@type"] == [SCHEMA + type_name]
        properties = {SCHEMA + name: kind for name, kind in SCHEMA_ORG[type_name].items()}
        for iri, values in node.items():
            if iri == "@type":
                continue
            assert iri in properties, f"{type_name} has no property {iri}"
            if isinstance(properties[iri], str):
                [child] = values
                walk(child, properties[iri])

    walk(expanded, "JobPosting")
    # Every property given survived expansion (a term that is not a term would be dropped).
    assert len(expanded) - 1 == len(posting) - 2


def test_date_posted_is_when_the_vacancy_was_published(client, hr):
    vacancy = VacancyFactory(status=VacancyStatus.DRAFT, hiring_manager=hr)
    assert vacancy.published_at is None
    before = timezone.now()
    published = services.vacancy_publish(vacancy_id=vacancy.pk, by=hr)

    assert before <= published.published_at <= timezone.now()
    posting = the_job_posting(client.get(f"/jobs/{vacancy.pk}/"))
    assert parse_iso_8601(posting["datePosted"]) == published.published_at.replace(microsecond=0)


def test_the_organisation_s_website_and_logo_when_set(settings, client):
    settings.ORGANISATION_NAME = "North Tees NHS Foundation Trust"
    settings.ORGANISATION_URL = "https://www.nth.nhs.uk/"
    settings.ORGANISATION_LOGO_URL = "https://www.nth.nhs.uk/logo.png"
    vacancy = VacancyFactory()

    posting = the_job_posting(client.get(f"/jobs/{vacancy.pk}/"))

    check_node(posting, "JobPosting")
    assert posting["hiringOrganization"] == {
        "@type": "Organization",
        "name": "North Tees NHS Foundation Trust",
        "sameAs": "https://www.nth.nhs.uk/",
        "logo": "https://www.nth.nhs.uk/logo.png",
    }
    assert posting["identifier"]["name"] == "North Tees NHS Foundation Trust"


@pytest.mark.parametrize(
    "status",
    [VacancyStatus.DRAFT, VacancyStatus.CLOSED, VacancyStatus.FILLED, VacancyStatus.CANCELLED],
)
def test_no_job_posting_on_a_job_not_open(client, hr, status):
    vacancy = set_vacancy_status(VacancyFactory(), status)

    assert client.get(f"/jobs/{vacancy.pk}/").status_code == 404  # anyone: no such job
    response = page_client(hr).get(f"/jobs/{vacancy.pk}/")  # HR sees the page
    assert response.status_code == 200
    assert job_postings(response.content.decode()) == []
    assert "application/ld+json" not in response.content.decode()


def test_no_job_posting_once_the_closing_date_has_passed(client):
    """Open until the closing task runs, a minute at most, but no longer taking applications:
    a search engine would send people to a job they cannot apply for."""
    vacancy = VacancyFactory()
    type(vacancy).objects.filter(pk=vacancy.pk).update(
        closing_date=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(f"/jobs/{vacancy.pk}/")

    assert response.status_code == 200
    assert job_postings(response.content.decode()) == []


def test_a_candidate_and_staff_see_the_same_job_posting(client, candidate):
    vacancy = VacancyFactory()
    manager = UserFactory(role="hiring_manager")

    anonymous = the_job_posting(client.get(f"/jobs/{vacancy.pk}/"))

    assert the_job_posting(page_client(candidate).get(f"/jobs/{vacancy.pk}/")) == anonymous
    assert the_job_posting(page_client(manager).get(f"/jobs/{vacancy.pk}/")) == anonymous


HOSTILE = "</script><script>alert(1)</script> Tom & Jerry <b>bold</b> <!-- x"


def test_a_hostile_title_and_description_stay_data_inside_the_script(client):
    """Stored as given (older rows, the admin): the page and the JSON-LD hold them as text."""
    vacancy = VacancyFactory(
        title=HOSTILE,
        location="Ely </script>",
        description=f"{HOSTILE}\nSecond line & more\n\n<script>alert(2)</script>",
    )

    html = client.get(f"/jobs/{vacancy.pk}/").content.decode()

    assert "<script>alert(" not in html
    assert "</script><script>" not in html
    found = scripts(html)
    assert [attrs.get("type") for attrs, _ in found].count("application/ld+json") == 1
    assert not any(
        "alert(" in text for attrs, text in found if attrs.get("type") != "application/ld+json"
    )
    [posting] = job_postings(html)
    check_node(posting, "JobPosting")
    assert posting["title"] == HOSTILE
    assert posting["jobLocation"]["address"]["addressLocality"] == "Ely </script>"
    # The description is HTML: the text in it is escaped, so a search engine shows it as text.
    assert posting["description"].startswith(
        "<p>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry "
        "&lt;b&gt;bold&lt;/b&gt; &lt;!-- x<br>Second line &amp; more</p>"
    )
    assert "<script>" not in posting["description"]
    [raw] = [text for attrs, text in found if attrs.get("type") == "application/ld+json"]
    for character in "<>&":
        assert character not in raw
