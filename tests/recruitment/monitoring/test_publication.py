"""The yearly equality publication: a finished reporting year's figures in the pack against
figures worked out here by hand from the released counts (rates, the relative likelihood, its
95% interval by the log method, Fisher's test and its mid-p, the direction in words), the
draft and the publishing, the stored copy never recomputed, the change from an earlier year,
and the PDF's pages rendered as images (test-artefacts/publication/, looked at by reviewers)."""

import hashlib
import math
import os
import re
from pathlib import Path

import pypdfium2
import pytest
from django.test import Client
from scipy.stats import fisher_exact, hypergeom

from kernel.errors import DomainError
from recruitment.models import PublicationPack
from recruitment.monitoring import publication, release, statistics, years
from recruitment.monitoring.disclosure import Period, ratio
from recruitment.monitoring.presets import PRESETS
from tests.recruitment.monitoring.test_statistics import ASIAN, BLACK, PAST, WHITE, finish, people
from tests.support.factories import VacancyFactory

pytestmark = pytest.mark.django_db

ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", "test-artefacts")) / "publication"
EARLIER = Period(2023)


def campaign(year=PAST, scale=1, decide=True):
    """A year large enough for the relative likelihood to be published whatever the record
    keys (every count behind it well above the minimum of 20): White 80 shortlisted, 50
    appointed; Asian 70 shortlisted, 35 appointed; Black 25 applied."""
    v = VacancyFactory()
    people(v, WHITE, "appointed", 50 * scale)
    people(v, WHITE, "shortlisted", 30 * scale)
    people(v, WHITE, "applied", 40 * scale)
    people(v, ASIAN, "appointed", 35 * scale)
    people(v, ASIAN, "shortlisted", 35 * scale)
    people(v, ASIAN, "applied", 30 * scale)
    people(v, BLACK, "applied", 25 * scale)
    finish(v, year=year)
    if decide:
        assert years.decide_year(year)
    return v


@pytest.fixture
def year(db):
    campaign()
    return PAST.key


def section(figures, characteristic):
    (found,) = [s for s in figures["sections"] if s["characteristic"] == characteristic]
    return found


def test_the_pack_s_figures_are_the_released_counts_worked_out_by_hand(year, settings):
    settings.MONITORING_FISHER_MID_P = False
    figures = publication.pack_figures(year)
    ethnicity = section(figures, "ethnicity_group")
    selection = release.select(period=year)
    likelihood = statistics.relative_likelihood("ethnicity_group", PRESETS["nhs"], selection)
    a, n1 = likelihood.counts["reference"]
    c, n2 = likelihood.counts["comparison"]
    # The released counts are near the true ones (80 and 50 white, 70 and 35 others).
    assert (abs(n1 - 80) <= 3, abs(a - 50) <= 3, abs(n2 - 70) <= 3, abs(c - 35) <= 3) == (True,) * 4

    # The ratio of the two published rates (each to 4 places, as published).
    rl = round(round(a / n1, 4) / round(c / n2, 4), 4)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    low = round(math.exp(math.log((a / n1) / (c / n2)) - 1.959964 * se), 2)
    high = round(math.exp(math.log((a / n1) / (c / n2)) + 1.959964 * se), 2)
    p = round(float(fisher_exact([[a, n1 - a], [c, n2 - c]])[1]), 4)
    shown = ethnicity["likelihood"]
    assert (shown["relative_likelihood"], shown["low"], shown["high"], shown["fisher_p"]) == (
        rl, low, high, p,
    )  # fmt: skip
    assert shown["reference_rate"] == round(a / n1, 4)
    # The funnel as rates: each stage over the group's own applicants, from released counts.
    funnel = statistics.funnel("ethnicity_group", PRESETS["nhs"], selection)
    for row, released in zip(ethnicity["rows"], funnel.rows, strict=True):
        assert row["rates"] == {
            s: ratio(released["counts"][s], released["counts"]["applied"])
            for s in ("shortlisted", "interviewed", "offered", "appointed")
        }
    white = ethnicity["rows"][0]["rates"]
    assert abs(white["shortlisted"] - 80 / 120) < 0.05
    # Declaration rates by stage: everyone answered the ethnicity question.
    assert ethnicity["declaration_rates"]["applied"] == 1.0


def test_the_direction_is_said_once_the_right_way_round_and_never_as_a_percentage(year):
    figures = publication.pack_figures(year)
    for s in figures["sections"]:
        said = s["likelihood"]["direction"]
        assert not re.search(r"\d%", said.replace("95% confidence", ""))  # a ratio, not a %
        assert said.count("more likely") + said.count("less likely") <= 1
        rl, low, high = (s["likelihood"][k] for k in ("relative_likelihood", "low", "high"))
        if low is not None and low > 1:
            assert said.endswith("were more likely to be appointed.")
        elif high is not None and high < 1:
            assert said.endswith("were less likely to be appointed.")
        elif rl is not None and low is not None:
            assert said.endswith("the interval includes 1, so there is no clear difference.")
    ethnicity = section(figures, "ethnicity_group")
    assert ethnicity["likelihood"]["direction"].startswith(
        f"Applicants in the “White” group were {ethnicity['likelihood']['relative_likelihood']:.2f}"
        " times as likely as those in the “Ethnic minority” group to go from shortlisted to "
        "appointed (95% confidence interval "
    )


def test_mid_p_is_an_option_and_is_lancaster_s(year, settings):
    settings.MONITORING_FISHER_MID_P = True
    ethnicity = section(publication.pack_figures(year), "ethnicity_group")
    counts = statistics.relative_likelihood(
        "ethnicity_group", PRESETS["nhs"], release.select(period=year)
    ).counts
    (a, n1), (c, n2) = counts["reference"], counts["comparison"]
    p = fisher_exact([[a, n1 - a], [c, n2 - c]])[1]
    dist = hypergeom(n1 + n2, a + c, n1)
    ties = sum(
        dist.pmf(k)
        for k in range(0, n1 + 1)
        if math.isclose(dist.pmf(k), dist.pmf(a), rel_tol=1e-7)
    )
    assert ethnicity["likelihood"]["fisher_p"] == round(p - ties / 2, 4)
    assert ethnicity["test"] == "Fisher's exact test, mid-p"


def test_a_year_not_yet_published_has_no_pack(db):
    v = VacancyFactory()
    people(v, WHITE, "applied", 30)
    finish(v, year=PAST, status="closed")  # not ended: the year cannot be decided
    with pytest.raises(DomainError) as refused:
        publication.pack_figures(PAST.key)
    assert refused.value.code == "not_releasable"


def hr_page(hr):
    page = Client()
    page.force_login(hr)
    return page


def test_hr_checks_the_draft_then_publishes_and_the_copy_is_served_as_published(year, hr, settings):
    page = hr_page(hr)
    draft = page.get(f"/staff/monitoring/publication/{year}/")
    assert draft.status_code == 200
    assert 'id="draft-note"' in draft.content.decode()
    refused = page.post(f"/staff/monitoring/publication/{year}/", {})
    assert refused.status_code == 200
    assert "Confirm that the report is ready to publish" in refused.content.decode()
    assert not PublicationPack.objects.exists()

    done = page.post(f"/staff/monitoring/publication/{year}/", {"confirm": "on"})

    assert done.status_code == 302
    pack = PublicationPack.objects.get(year=year)
    assert bytes(pack.pdf).startswith(b"%PDF-")
    assert pack.sha256 == hashlib.sha256(bytes(pack.pdf)).hexdigest()
    assert pack.published_by == hr
    # Served as stored: a later change of method does not change what was published.
    settings.MONITORING_FISHER_MID_P = True
    shown = page.get(f"/staff/monitoring/publication/{year}/").content.decode()
    assert pack.html in shown
    assert 'id="published-note"' in shown
    pdf = page.get(f"/staff/monitoring/publication/{year}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(pack.pdf)
    with pytest.raises(DomainError) as again:
        publication.pack_publish(key=year, by=hr, confirm=True)
    assert again.value.code == "already_published"
    assert PublicationPack.objects.count() == 1


@pytest.mark.parametrize("who", ["chair", "panel_member", "candidate"])
def test_only_hr_reaches_the_publication(year, request, who):
    page = Client()
    page.force_login(request.getfixturevalue(who))
    assert page.get("/staff/monitoring/publication/").status_code == 403
    assert page.get(f"/staff/monitoring/publication/{year}/").status_code == 403
    assert page.post(f"/staff/monitoring/publication/{year}/", {"confirm": "on"}).status_code == 403
    assert page.get(f"/staff/monitoring/publication/{year}/report.pdf").status_code == 403
    assert not PublicationPack.objects.exists()


def test_the_change_from_an_earlier_year_comes_from_its_published_copy(db, hr):
    campaign(year=EARLIER)
    publication.pack_publish(key=EARLIER.key, by=hr, confirm=True)
    earlier = PublicationPack.objects.get(year=EARLIER.key)
    campaign(year=PAST, scale=2)

    figures = publication.pack_figures(PAST.key)
    (ethnicity,) = [r for r in publication.trend(figures) if r["label"].startswith("Ethnic")]

    before = section(earlier.figures, "ethnicity_group")
    now = section(figures, "ethnicity_group")
    assert [y["year"] for y in ethnicity["years"]] == ["2023-24", "2024-25"]
    assert ethnicity["years"][0]["applied"] == before["totals"]["applied"]
    assert ethnicity["years"][1]["applied"] == now["totals"]["applied"]
    assert (
        ethnicity["years"][0]["relative_likelihood"] == before["likelihood"]["relative_likelihood"]
    )


def test_the_pdf_s_pages_are_rendered_as_images_for_review(year, hr):
    pack = publication.pack_publish(key=year, by=hr, confirm=True)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(bytes(pack.pdf))
    assert len(document) >= 1 + len(publication.CHARACTERISTICS)  # a section a page or more
    for number in range(len(document)):
        pdf_page = document[number]
        width, height = pdf_page.get_size()
        assert round(height / width, 2) == 1.41  # A4
        image = pdf_page.render(scale=1).to_pil()
        image.save(ARTEFACTS / f"page-{number + 1:02d}.png")
        colours = image.convert("L").getextrema()
        assert colours[0] < 100  # text drawn on the page, not blank
    text = document[0].get_textpage().get_text_range()
    assert "Equality in recruitment, Reporting year 2024 to 2025" in text.replace(
        "\r\n", " "
    ).replace("\n", " ")


def test_a_finished_year_is_offered_for_publishing_on_the_first_read(db, hr):
    """As on the dashboard, a finished year is decided when first read: HR need not have
    opened the dashboard first."""
    campaign(decide=False)
    listed = hr_page(hr).get("/staff/monitoring/publication/").content.decode()
    assert "Reporting year 2024-25: check the draft" in listed
    assert publication.pack_figures(PAST.key)["year"] == "2024-25"


def test_the_same_test_is_reported_on_every_channel(year, hr, settings):
    """With mid-p on, the API, the dashboard and the report give one p for one comparison."""
    settings.MONITORING_FISHER_MID_P = True
    ethnicity = section(publication.pack_figures(year), "ethnicity_group")
    answer = hr_page(hr).get(
        f"/api/v1/monitoring/relative-likelihood/?characteristic=ethnicity_group&period={year}"
    )
    assert answer.json()["fisher_p"] == ethnicity["likelihood"]["fisher_p"] is not None
    dashboard = hr_page(hr).get(f"/staff/monitoring/?characteristic=ethnicity_group&period={year}")
    assert "Fisher exact test, mid-p" in dashboard.content.decode()


def test_the_pdf_s_running_footer_carries_the_organisation_s_name_as_written(year, hr, settings):
    settings.ORGANISATION_NAME = 'Ely & District "Trust" \\'
    pack = publication.pack_publish(key=year, by=hr, confirm=True)
    document = pypdfium2.PdfDocument(bytes(pack.pdf))
    footer = document[1].get_textpage().get_text_range()
    assert 'Ely & District "Trust" \\ · Equality in recruitment' in footer
    assert "&amp;" not in footer


def test_a_small_nonzero_share_is_not_written_as_nothing():
    from kernel.template_filters import percent
    from recruitment.monitoring.charts import percent as chart_percent

    assert [percent(v) for v in (None, 0, 0.004, 0.005, 0.42, 1)] == [
        "–", "0%", "less than 1%", "less than 1%", "42%", "100%",
    ]  # fmt: skip
    assert chart_percent(0.003) == "less than 1%"
    assert chart_percent(None, "no figure") == "no figure"
