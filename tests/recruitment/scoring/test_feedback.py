"""Feedback from the scores (recruitment/scoring/feedback.py; docs/domain.md): after a decision
the candidate sees the band of each agreed score beside the cohort's spread, every count
perturbed by the cell key method with a derived record key, nothing about the others in a
small cohort, nothing before they are told the decision, nothing for anyone else.

The figures are checked against a cohort built by hand: the true counts are written out
below, and each released figure is recomputed here, independently of the module, as
``disclosure.perturb(true count, key sum)`` from the documented key derivation (an HMAC-SHA512
of the application and stage under ``FEEDBACK_SECRET``; the cohort's offset an HMAC of who is
in it)."""

import hashlib
import hmac
import re
from collections import Counter
from itertools import chain

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from recruitment.models import AgreedAssessment, Application
from recruitment.monitoring.disclosure import perturb, ratio
from tests.support.clients import api_client, banner, page_client
from tests.support.factories import (
    ApplicationFactory,
    ScoreFactory,
    VacancyFactory,
    agree,
    complete_sift,
    set_state,
    set_vacancy_status,
)
from tests.system.test_words_not_codes import Text, glued_codes, problems_in
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

SECRET = "feedback-secret-for-the-tests"
STAGE = "shortlisting"

# The hand-made cohort: 40 applications, three criteria (two essential, one desirable).
# Criterion by criterion, how many got each score 0..4:
TRUE = [
    [3, 7, 12, 13, 5],
    [0, 5, 15, 15, 5],
    [10, 10, 10, 5, 5],
]
COLUMNS = [[v for v, n in enumerate(counts) for _ in range(n)] for counts in TRUE]
COLUMNS[1].reverse()  # so that no two criteria line up
ROWS = list(zip(*COLUMNS, strict=True))
#: The candidate's own row (scores 3, 2, 2): on criterion 0 they are among the 13 who got 3.
MINE = 25


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.FEEDBACK_SECRET = SECRET
    settings.FEEDBACK_MIN_COHORT = 20


def record_key(application_id, cell, stage=STAGE):
    block = hmac.digest(SECRET.encode(), f"record|{application_id}|{stage}|0".encode(), "sha512")
    return block[cell]


def offset(vacancy, members, cell, stage=STAGE):
    who = hashlib.sha256(",".join(str(m) for m in sorted(members)).encode()).hexdigest()
    message = f"cohort|{vacancy.pk}|{stage}|{who}|0".encode()
    return hmac.digest(SECRET.encode(), message, "sha512")[cell]


def build(vacancy, rows, candidate=None, mine=None, stage=STAGE, state="not_shortlisted"):
    """One application a row, each with the row's agreed scores at ``stage``; the candidate's
    at index ``mine``. The vacancy closed and its sift complete."""
    vacancy = set_vacancy_status(vacancy, "closed")
    applications = []
    for i, scores in enumerate(rows):
        owner = {"candidate": candidate} if i == mine else {}
        application = ApplicationFactory(vacancy=vacancy, **owner)
        agree(application, list(scores), stage=stage)
        applications.append(set_state(application, state))
    complete_sift(vacancy)
    return applications


def expected_figures(vacancy, applications, rows, stage=STAGE):
    """What the release must give, worked out here: per criterion, per score, perturb(true
    count, sum of the members' record keys + the cohort's offset)."""
    members = [a.pk for a in applications]
    size_key = sum(record_key(a, 3, stage) for a in members) + offset(vacancy, members, 3, stage)
    size = perturb(len(members), size_key)
    figures = []
    for c in range(3):
        cells = []
        for v in range(5):
            inside = [a.pk for a, row in zip(applications, rows, strict=True) if row[c] == v]
            key = sum(record_key(a, c, stage) for a in inside) + offset(vacancy, members, c, stage)
            cells.append(perturb(len(inside), key))
        figures.append(cells)
    return size, figures


@pytest.fixture
def cohort(vacancy, candidate, panel_member):
    applications = build(vacancy, ROWS, candidate, MINE)
    mine = applications[MINE]
    # Left out of the cohort: agreed scores reopened by a later score, and an application
    # erased (as if mid-erasure, its scores not yet deleted).
    stale = ApplicationFactory(vacancy=mine.vacancy)
    agree(stale, [4, 4, 4])
    AgreedAssessment.objects.filter(application=stale).update(out_of_date=True)
    gone = ApplicationFactory(vacancy=mine.vacancy)
    agree(gone, [4, 4, 4])
    Application.objects.filter(pk=gone.pk).update(erased_at=timezone.now())
    # The panel member's own score and note for the candidate: never shown.
    criterion = mine.vacancy.criteria.first()
    ScoreFactory(application=mine, criterion=criterion, scorer=panel_member, score=0,
                 note="Panel note: weak on registration.")  # fmt: skip
    return applications


def api(user, application):
    return api_client(user).get(f"/api/v1/applications/{application.pk}/feedback/")


def page(user, application):
    return page_client(user).get(f"/applications/{application.pk}/feedback/")


def words(response):
    parser = Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.words).split())


# --- The figures -----------------------------------------------------------------------------


def test_the_hand_made_cohort_is_what_it_says():
    assert [Counter(column) for column in COLUMNS] == [
        Counter(dict(enumerate(counts))) - Counter() for counts in TRUE
    ]
    assert ROWS[MINE] == (3, 2, 2)


def test_every_released_figure_is_the_cell_key_perturbation_of_the_true_count(cohort, candidate):
    size, figures = expected_figures(cohort[0].vacancy, cohort, ROWS)

    body = api(candidate, cohort[MINE]).json()

    [stage] = body["stages"]
    assert stage["stage"] == "shortlisting"
    assert stage["cohort_size"] == size
    assert abs(size - 40) <= 2  # the 41st and 42nd (out of date, erased) are not in it
    assert [[cell["count"] for cell in c["distribution"]] for c in stage["criteria"]] == figures
    assert [[cell["share"] for cell in c["distribution"]] for c in stage["criteria"]] == [
        [ratio(n, size) for n in cells] for cells in figures
    ]
    assert [c["score"] for c in stage["criteria"]] == [3, 2, 2]
    assert [[cell["yours"] for cell in c["distribution"]] for c in stage["criteria"]] == [
        [v == mine for v in range(5)] for mine in (3, 2, 2)
    ]
    first = stage["criteria"][0]
    assert first["meaning"] == "Good evidence"
    assert first["summary"] == (
        f"Your agreed score was 3 (Good evidence). Of about {size} candidates, about "
        f"{figures[0][3]} scored 3."
    )
    assert [cell["meaning"] for cell in first["distribution"]] == [
        "No evidence",
        "Limited evidence",
        "Meets the criterion",
        "Good evidence",
        "Excellent evidence",
    ]
    # Nobody got 0 on criterion 1: the empty cell is withheld, like every count below 10.
    assert figures[1][0] is None
    assert stage["criteria"][1]["distribution"][0] == {
        "score": 0, "meaning": "No evidence", "count": None, "share": None, "yours": False,
    }  # fmt: skip
    for released, true in zip(chain(*figures), chain(*TRUE), strict=True):
        assert released is None or released >= 10  # never an exact small count
        assert released is None or abs(released - true) <= 2 or true < 10
    assert body["notes"] == []


def test_only_the_agreed_scores_reach_the_candidate_never_the_panels(cohort, candidate):
    text = (
        api(candidate, cohort[MINE]).content.decode()
        + page(candidate, cohort[MINE]).content.decode()
    )

    assert "Panel note" not in text
    assert "weak on registration" not in text


def test_the_page_shows_the_same_figures_as_a_chart_and_its_table(cohort, candidate):
    size, figures = expected_figures(cohort[0].vacancy, cohort, ROWS)

    response = page(candidate, cohort[MINE])

    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="table-1-1"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'govuk-table__cell--numeric">([^<]*)<', table)
    shown = [cells[i] for i in range(0, 10, 2)]
    assert shown == ["Not shown" if n is None else str(n) for n in figures[0]]
    assert f">{size}<" in table
    mine = re.findall(
        r'<th scope="row"[^>]*>([^<]*)<strong class="govuk-tag[^>]*>Your score', table
    )
    assert mine == ["3: Good evidence "]
    assert 'role="img"' in html
    assert "The same figures are in the table below." in html
    assert "(your score)</text>" in html.split('id="chart-title-1-1"', 1)[1]
    text = words(response)
    assert (
        f"Your agreed score was 3 (Good evidence). Of about {size} candidates, about "
        f"{figures[0][3]} scored 3." in text
    )
    assert "Panel note" not in text
    assert problems_in(text, glued_codes()) == set()


def test_the_same_cohort_gives_the_same_figures_to_everyone_every_time(cohort, candidate):
    other = cohort[3]  # a candidate with another score

    first = api(candidate, cohort[MINE]).json()["stages"][0]
    again = api(candidate, cohort[MINE]).json()["stages"][0]
    theirs = api(other.candidate, other).json()["stages"][0]

    counts = lambda stage: [[c["count"] for c in k["distribution"]] for k in stage["criteria"]]  # noqa: E731
    assert counts(first) == counts(again) == counts(theirs)
    assert first["cohort_size"] == theirs["cohort_size"]
    assert [k["score"] for k in theirs["criteria"]] == list(ROWS[3])


def test_a_candidate_cannot_take_themselves_out_exactly(cohort, candidate):
    """What the candidate knows: their own scores, the released figures and the (public)
    perturbation table. The true count of their cell could be any of several values, so
    neither it nor the number of others who got their score can be worked out."""
    [stage] = api(candidate, cohort[MINE]).json()["stages"]
    for criterion, true in zip(
        stage["criteria"], [TRUE[0][3], TRUE[1][2], TRUE[2][2]], strict=True
    ):
        shown = criterion["distribution"][criterion["score"]]["count"]
        could_be = {n for n in range(1, 60) for key in range(256) if perturb(n, key) == shown}
        assert true in could_be
        assert len(could_be) >= 3, (shown, could_be)
        others = {n - 1 for n in could_be}
        assert len(others) >= 3  # "the others with my score" is not one number either


def test_a_candidate_alone_with_their_score_cannot_tell_they_are_alone(vacancy, candidate):
    rows = [(2, 2, 2)] * 29 + [(4, 2, 2)]
    applications = build(vacancy, rows, candidate, mine=29)
    mine = applications[29]
    members = [a.pk for a in applications]

    body = api(candidate, mine).json()
    shown = body["stages"][0]["criteria"][0]["distribution"][4]["count"]

    assert shown == perturb(1, record_key(mine.pk, 0) + offset(mine.vacancy, members, 0))
    assert shown is None or shown >= 10
    could_be = {n for n in range(0, 40) for key in range(256) if perturb(n, key) == shown}
    assert 1 in could_be  # alone, or one of several: no way to know
    assert max(could_be) >= 5
    # The same withheld (or rounded-up) figure on every reload and for everyone else.
    assert api(candidate, mine).json() == body
    other = applications[0]
    assert (
        api(other.candidate, other).json()["stages"][0]["criteria"][0]["distribution"][4]["count"]
        == shown
    )


def test_a_small_cohort_shows_the_candidate_only_their_own_scores(vacancy, candidate):
    rows = [(1, 2, 3)] * 18 + [(3, 4, 0)]  # 19 candidates: one fewer than the minimum
    applications = build(vacancy, rows, candidate, mine=18)

    body = api(candidate, applications[18]).json()
    response = page(candidate, applications[18])

    [stage] = body["stages"]
    assert stage["cohort_size"] is None
    assert stage["withheld"] == (
        "Other candidates' scores at shortlisting are not shown because fewer than 20 "
        "candidates had agreed scores: with so few, the figures could tell you about "
        "particular people."
    )
    assert [(c["score"], c["meaning"], c["distribution"]) for c in stage["criteria"]] == [
        (3, "Good evidence", None),
        (4, "Excellent evidence", None),
        (0, "No evidence", None),
    ]
    assert [c["summary"] for c in stage["criteria"]] == [
        "Your agreed score was 3 (Good evidence).",
        "Your agreed score was 4 (Excellent evidence).",
        "Your agreed score was 0 (No evidence).",
    ]
    html = response.content.decode()
    assert "<svg" not in html
    assert "govuk-table" not in html
    text = words(response)
    assert "Your agreed score: 4 (Excellent evidence)" in text
    assert "fewer than 20 candidates had agreed scores" in text
    assert not re.search(r"\b(18|19)\b", text)  # the exact size is nowhere


def test_the_minimum_cohort_is_a_setting(vacancy, candidate, settings):
    """Lowered to 5, a cohort of 6 is released through the cell key method like any other
    (its size and counts, each perturbed, withheld below 10: which, depends on the keys);
    at the default of 20 nothing of it is shown at all."""
    settings.FEEDBACK_MIN_COHORT = 5
    applications = build(vacancy, [(1, 2, 3)] * 6, candidate, mine=0)

    [stage] = api(candidate, applications[0]).json()["stages"]

    assert stage["withheld"] == ""
    assert stage["criteria"][0]["distribution"] is not None
    assert stage["cohort_size"] in (None, *range(10, 20))
    assert stage["criteria"][0]["distribution"][1]["count"] in (None, *range(10, 20))
    settings.FEEDBACK_MIN_COHORT = 20
    [hidden] = api(candidate, applications[0]).json()["stages"]
    assert hidden["withheld"].startswith("Other candidates' scores at shortlisting are not shown")
    assert hidden["criteria"][0]["distribution"] is None


def test_without_a_feedback_secret_the_keys_come_from_the_secret_key(vacancy, candidate, settings):
    settings.FEEDBACK_SECRET = ""
    applications = build(vacancy, [(2, 2, 2)] * 24 + [(3, 3, 3)], candidate, mine=24)
    secret = hmac.digest(settings.SECRET_KEY.encode(), b"recruitment score feedback", "sha512")
    who = hashlib.sha256(",".join(str(a.pk) for a in applications).encode()).hexdigest()

    def key(message):
        return hmac.digest(secret, f"{message}|0".encode(), "sha512")[0]

    twos = sum(key(f"record|{a.pk}|{STAGE}") for a in applications[:24])
    expected = perturb(24, twos + key(f"cohort|{vacancy.pk}|{STAGE}|{who}"))

    [stage] = api(candidate, applications[24]).json()["stages"]

    assert stage["criteria"][0]["distribution"][2]["count"] == expected


# --- When, and for whom -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_candidate", "panel_member", "chair", "hr"])
def test_no_one_but_the_candidate_reaches_their_feedback(cohort, who, request):
    user = request.getfixturevalue(who)
    mine = cohort[MINE]

    assert page(user, mine).status_code == 404
    response = api(user, mine)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_another_candidates_application_is_not_found_even_with_feedback_of_their_own(
    cohort, candidate
):
    other = cohort[0]

    assert page(candidate, other).status_code == 404
    assert api(candidate, other).status_code == 404
    assert api(other.candidate, cohort[MINE]).status_code == 404


def test_an_erased_application_has_no_feedback(cohort, candidate):
    Application.objects.filter(pk=cohort[MINE].pk).update(erased_at=timezone.now())

    assert api(candidate, cohort[MINE]).status_code == 404


def test_before_the_sift_is_complete_a_rejected_candidate_cannot_tell(
    vacancy, candidate, other_candidate
):
    """Decided on merit, not told yet: their feedback answers exactly as an undecided
    candidate's does, on the page, in the API and on their application page."""
    vacancy = set_vacancy_status(vacancy, "closed")
    rejected = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    waiting = ApplicationFactory(vacancy=vacancy, candidate=other_candidate)
    for application in (rejected, waiting):
        agree(application, [1, 1, 1])
    rejected = set_state(rejected, "not_shortlisted")

    answers = [api(a.candidate, a) for a in (rejected, waiting)]
    pages = [page(a.candidate, a) for a in (rejected, waiting)]
    own_pages = [
        page_client(a.candidate).get(f"/applications/{a.pk}/") for a in (rejected, waiting)
    ]

    assert [(r.status_code, r.json()) for r in answers] == [
        (409, {
            "code": "feedback_not_ready",
            "detail": "Feedback from your scores will be here once we have made a decision "
            "about your application and told you.",
        })
    ] * 2  # fmt: skip

    def neutral(response, application):
        return words(response).replace(application.reference, "REF")

    assert neutral(pages[0], rejected) == neutral(pages[1], waiting)
    assert "will be here once we have made a decision" in words(pages[0])
    for response in own_pages:
        assert "Feedback on your application" not in response.content.decode()

    complete_sift(vacancy)
    assert api(candidate, rejected).status_code == 200
    assert "Feedback on your application" in (
        page_client(candidate).get(f"/applications/{rejected.pk}/").content.decode()
    )


def test_a_withdrawn_candidate_has_no_decision_to_give_feedback_on(cohort, candidate):
    set_state(cohort[MINE], "withdrawn")

    response = api(candidate, cohort[MINE])

    assert (response.status_code, response.json()["code"]) == (409, "feedback_not_ready")
    assert response.json()["detail"].startswith("You withdrew this application")


def test_interview_feedback_waits_until_no_one_is_still_at_interview(vacancy, candidate):
    applications = build(vacancy, [(2, 2, 2)] * 20 + [(3, 3, 3)] * 3, candidate, mine=20)
    mine, second, third = applications[20:]
    for application, scores in ((mine, [4, 3, 2]), (second, [2, 2, 2]), (third, [1, 1, 1])):
        agree(application, scores, stage="interview")
    set_state(mine, "not_appointed", "interviewed")
    set_state(second, "interviewed", "interviewed")
    set_state(third, "offered", "offered")

    waiting = api(candidate, mine).json()

    assert [s["stage"] for s in waiting["stages"]] == ["shortlisting"]
    assert waiting["notes"] == [
        "Feedback on your interview will be here once a decision has been made about every "
        "candidate interviewed."
    ]

    set_state(second, "not_appointed")
    done = api(candidate, mine).json()

    assert [s["stage"] for s in done["stages"]] == ["shortlisting", "interview"]
    interview = done["stages"][1]
    assert interview["heading"] == "Your interview"
    assert interview["cohort_size"] is None  # three interviewed: their figures never shown
    assert [c["score"] for c in interview["criteria"]] == [4, 3, 2]
    assert done["notes"] == []


def test_a_shortlisted_candidate_sees_the_sift_and_waits_for_the_interview(vacancy, candidate):
    applications = build(vacancy, [(2, 2, 2)] * 21, candidate, mine=0)
    set_state(applications[0], "interview_scheduled", "shortlisted")

    body = api(candidate, applications[0]).json()

    assert [s["stage"] for s in body["stages"]] == ["shortlisting"]
    assert body["notes"] == ["Feedback on your interview will be here after the decision about it."]


def test_no_agreed_scores_at_a_stage_means_no_feedback_on_it(vacancy, candidate):
    vacancy = set_vacancy_status(vacancy, "closed")
    mine = set_state(ApplicationFactory(vacancy=vacancy, candidate=candidate), "not_shortlisted")
    complete_sift(vacancy)

    response = api(candidate, mine)

    assert response.status_code == 409
    assert response.json() == {
        "code": "feedback_not_ready",
        "detail": "There are no agreed scores for your application at shortlisting, so there "
        "is no feedback on it.",
    }


# --- The vacancy's switch ------------------------------------------------------------------


def test_with_feedback_turned_off_the_candidate_is_told_and_the_api_answers_409(cohort, candidate):
    Vacancy.objects.filter(pk=cohort[0].vacancy_id).update(score_feedback=False)
    mine = cohort[MINE]
    before = (
        list(Vacancy.objects.values_list("pk", "score_feedback", "updated_at")),
        list(Application.objects.values_list("pk", "state", "updated_at")),
        LogEntry.objects.count(),
        AgreedAssessment.objects.count(),
    )

    response = api(candidate, mine)
    shown = page(candidate, mine)
    own = page_client(candidate).get(f"/applications/{mine.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "code": "feedback_not_offered",
        "detail": "Feedback from the scores is not given for this job.",
    }
    assert shown.status_code == 200
    text = words(shown)
    assert "Feedback from the scores is not given for this job." in text
    assert "<svg" not in shown.content.decode()
    assert "govuk-table" not in shown.content.decode()
    assert "Feedback from the scores is not given for this job." in words(own)
    assert "Feedback on your application" not in own.content.decode()
    after = (
        list(Vacancy.objects.values_list("pk", "score_feedback", "updated_at")),
        list(Application.objects.values_list("pk", "state", "updated_at")),
        LogEntry.objects.count(),
        AgreedAssessment.objects.count(),
    )
    assert after == before


def test_hr_turns_feedback_off_and_on_from_the_vacancy_page_and_it_is_audited(
    cohort, candidate, hr, chair
):
    vacancy = cohort[0].vacancy
    url = f"/staff/vacancies/{vacancy.pk}/"

    assert "Turn off feedback from the scores" in page_client(hr).get(url).content.decode()
    assert "Turn off feedback" not in page_client(chair).get(url).content.decode()
    assert "Feedback from the scores" in words(page_client(chair).get(url))
    assert page_client(chair).post(url + "feedback-off/").status_code == 403
    assert Vacancy.objects.get(pk=vacancy.pk).score_feedback is True

    response = page_client(hr).post(url + "feedback-off/")

    assert response.status_code == 302
    assert banner(response) == [
        "Feedback from the scores turned off: candidates are told it is not given."
    ]
    assert Vacancy.objects.get(pk=vacancy.pk).score_feedback is False
    assert api(candidate, cohort[MINE]).json()["code"] == "feedback_not_offered"
    assert "Not given for this vacancy" in words(page_client(hr).get(url))
    entry = LogEntry.objects.get_for_object(vacancy).latest("timestamp")
    assert (entry.actor, entry.changes_dict["score_feedback"]) == (hr, ["True", "False"])

    page_client(hr).post(url + "feedback-on/")
    assert api(candidate, cohort[MINE]).status_code == 200


BOX_TICKED = re.compile(r'<input type="checkbox" name="score_feedback"[^>]*checked>')


def test_the_vacancy_form_sets_feedback_and_it_is_on_unless_unticked(hr, chair):
    form = {
        "title": "Care Worker", "reference": "CW-2031-001", "department": "Adult Services",
        "grade": "S4", "location": "Ely", "description": "Home care.", "salary_min": "24000",
        "salary_max": "26000", "closing_date_0": "1", "closing_date_1": "6",
        "closing_date_2": "2031", "hiring_manager": chair.pk,
        "essential_criteria": "Caring experience", "pass_mark": "2",
        "minimum_criteria_rule": "all_essential_at_pass_mark", "tie_band": "0",
    }  # fmt: skip
    client = page_client(hr)
    assert BOX_TICKED.search(client.get("/staff/vacancies/new/").content.decode())

    client.post("/staff/vacancies/new/", form)
    off = Vacancy.objects.get(reference="CW-2031-001")
    client.post(
        "/staff/vacancies/new/", form | {"reference": "CW-2031-002", "score_feedback": "on"}
    )
    on = Vacancy.objects.get(reference="CW-2031-002")

    assert (off.score_feedback, on.score_feedback) == (False, True)
    edit = client.get(f"/staff/vacancies/{off.pk}/edit/").content.decode()
    assert '"id_score_feedback"' in edit
    assert not BOX_TICKED.search(edit)


# --- Cost ---------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_cohort(
    vacancy, candidate, other_candidate, django_assert_num_queries
):
    """Measured on the longest path: not appointed, so both stages (and the check that no
    one is still at interview). The API: the application, its criteria, that check and the
    cohorts' agreed scores; the page also reads the session and the user."""
    small = build(vacancy, [(2, 3, 1)] * 25, candidate, mine=0)[0]
    large = build(VacancyFactory(), [(2, 3, 1)] * 60, other_candidate, mine=0)[0]
    for application in (small, large):
        agree(application, [3, 3, 3], stage="interview")
        set_state(application, "not_appointed", "interviewed")

    for application in (small, large):
        client = api_client(application.candidate)
        with django_assert_num_queries(4):
            response = client.get(f"/api/v1/applications/{application.pk}/feedback/")
        assert [s["stage"] for s in response.json()["stages"]] == ["shortlisting", "interview"]
    for application in (small, large):
        client = page_client(application.candidate)
        with django_assert_num_queries(6):
            response = client.get(f"/applications/{application.pk}/feedback/")
        assert response.status_code == 200
