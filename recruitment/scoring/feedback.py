"""A candidate's feedback from the scores (docs/domain.md, "Feedback from the scores").

Once a candidate has been told a decision, they see, for each criterion, what their agreed
score means (the words of 0 to 4) beside how many of the cohort got each score. Only the
agreed scores, never a panel member's own scores or notes. What they see, and when:

- **The sift**, once the vacancy's sift is complete (before that a "not shortlisted"
  decision reads "submitted" to them, ``Application.candidate_state``, and so does this
  page), for every candidate told a sift decision: not shortlisted, shortlisted and beyond.
- **The interview**, for a candidate told its outcome (not appointed, offered, appointed,
  offer declined), once no one on the vacancy is still waiting at interview (shortlisted,
  interview arranged or interviewed): until then the cohort's scores can still change.

Both rules make the cohort final before any figure about it is shown, so the figures never
move. If they could, comparing today's page with yesterday's would isolate the one person
scored in between (the time attack of docs/disclosure-control.md).

**The cohort** of a stage is the vacancy's applications with agreed scores at that stage
that are not out of date, withdrawn ones included (their scores stand), erased ones left
out (erasure deletes agreed scores). Its figures go through the monitoring statistics'
release mechanics (``recruitment/monitoring/disclosure.py``):

- nothing about the others when fewer than ``FEEDBACK_MIN_COHORT`` (20) were scored;
- every count perturbed by the ONS cell key method (``disclosure.perturb``): counts
  below 10 withheld, the rest usually moved by 0, 1 or 2, the same way every time;
- shares only from released counts, under ``disclosure.ratio``'s rules.

**Record keys.** Applications carry no record key, so one is derived: an HMAC-SHA512 of the
application and the stage under ``FEEDBACK_SECRET`` (``_record_keys``), whose byte *i* is the
application's key in criterion *i*'s cells (the byte after the last criterion: the cohort's
size). A cell's key is the sum of its members' keys plus the cohort's **offset**, an HMAC of
the cohort's members, modulo 256. So the same cohort always gives the same figures (reloading
and averaging gain nothing), a candidate who knows their own score cannot take themselves out
exactly (they do not know the adjustment), and a cohort that changed by anyone (it should not,
once final) would have every cell adjusted afresh, not just the cells of the one who moved.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from kernel.errors import DomainError
from recruitment.applications.forms import SCORE_MEANINGS
from recruitment.applications.models import Application
from recruitment.applications.states import ApplicationState
from recruitment.monitoring import disclosure
from recruitment.permissions import is_applicant, is_kept
from recruitment.scoring.models import AgreedScore, ScoreStage
from vacancies.models import MAX_SCORE

if TYPE_CHECKING:
    from vacancies.models import Criterion, Vacancy

SCORES = range(MAX_SCORE + 1)

#: The states in which the candidate has been told the sift's decision (once it is complete).
SIFT_TOLD = frozenset(ApplicationState) - {ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN}
#: The states in which the candidate has been told the interview's outcome.
INTERVIEW_TOLD = frozenset(
    {
        ApplicationState.NOT_APPOINTED,
        ApplicationState.OFFERED,
        ApplicationState.APPOINTED,
        ApplicationState.OFFER_DECLINED,
    }
)
#: While anyone on the vacancy is in one of these, interview scores can still be given.
STILL_AT_INTERVIEW = (
    ApplicationState.SHORTLISTED,
    ApplicationState.INTERVIEW_SCHEDULED,
    ApplicationState.INTERVIEWED,
)

STAGE_HEADINGS: dict[str, str] = {
    ScoreStage.SHORTLISTING: "Shortlisting: your written application",
    ScoreStage.INTERVIEW: "Your interview",
}
STAGE_WORDS: dict[str, str] = {
    ScoreStage.SHORTLISTING: "shortlisting",
    ScoreStage.INTERVIEW: "interview",
}


# --- What the candidate gets ---------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """How many of the cohort got one score for one criterion, as released."""

    score: int
    meaning: str
    count: int | None  # None: withheld (below 10 after adjustment)
    share: float | None  # of the released cohort size; None where ``ratio`` gives none
    yours: bool


@dataclass(frozen=True)
class CriterionFeedback:
    criterion: Criterion
    score: int | None  # the candidate's agreed score; None: none agreed for this criterion
    meaning: str
    cells: list[Cell] | None  # None: the cohort's figures are not shown
    withheld: str  # why not, in words ("" when shown)
    summary: str


@dataclass(frozen=True)
class StageFeedback:
    stage: str
    heading: str
    cohort_size: int | None  # released (adjusted); None when the cohort is not shown
    withheld: str  # why the cohort's figures are not shown ("" when they are)
    criteria: list[CriterionFeedback]


@dataclass(frozen=True)
class Feedback:
    application: Application
    stages: list[StageFeedback]
    #: Sentences about what is not here (yet), and why.
    notes: list[str] = field(default_factory=list)


def minimum_cohort() -> int:
    return int(settings.FEEDBACK_MIN_COHORT)


def own_application(user: object, pk: int) -> Application | None:
    """The user's own application ``pk`` (a candidate's, not erased), with its vacancy; None
    for anyone else's, staff included: to them the feedback does not exist (404)."""
    application = (
        Application.objects.visible_to(user).select_related("vacancy").filter(pk=pk).first()
    )
    if application is None or not (is_kept & is_applicant)(user, application):
        return None
    return application


def feedback_for(application: Application) -> Feedback:
    """The feedback the candidate may see now. Raises ``feedback_not_offered`` when the
    vacancy gives none, ``feedback_not_ready`` when there is nothing to show yet (its detail
    says why, in the candidate's terms: it never tells a decision not yet told)."""
    vacancy = application.vacancy
    if not vacancy.score_feedback:
        raise DomainError(
            "feedback_not_offered", "Feedback from the scores is not given for this job."
        )
    stages, notes = _ready_stages(application)
    criteria = list(vacancy.criteria.all())
    members = _cohorts(vacancy, stages) if stages else {}
    shown = []
    for stage in stages:
        own = members.get(stage, {}).get(application.pk)
        if own is None:
            notes.append(
                f"There are no agreed scores for your application at {STAGE_WORDS[stage]}, "
                "so there is no feedback on it."
            )
            continue
        shown.append(_stage_feedback(vacancy, stage, criteria, members[stage], own))
    if not shown:
        raise DomainError("feedback_not_ready", " ".join(notes))
    return Feedback(application, shown, notes)


def _ready_stages(application: Application) -> tuple[list[str], list[str]]:
    """The stages whose feedback the candidate may see now, and sentences about the rest."""
    state = application.candidate_state
    vacancy = application.vacancy
    if state == ApplicationState.WITHDRAWN:
        return [], ["You withdrew this application, so there is no decision to give feedback on."]
    if state not in SIFT_TOLD:
        return [], [
            "Feedback from your scores will be here once we have made a decision about your "
            "application and told you."
        ]
    if vacancy.sift_completed_at is None:
        return [], [
            "Feedback on shortlisting will be here once every application has been through "
            "shortlisting."
        ]
    stages: list[str] = [ScoreStage.SHORTLISTING]
    notes: list[str] = []
    if state in INTERVIEW_TOLD:
        still = Application.objects.filter(vacancy=vacancy, state__in=STILL_AT_INTERVIEW).exists()
        if still:
            notes.append(
                "Feedback on your interview will be here once a decision has been made about "
                "every candidate interviewed."
            )
        else:
            stages.append(ScoreStage.INTERVIEW)
    elif state != ApplicationState.NOT_SHORTLISTED:
        notes.append("Feedback on your interview will be here after the decision about it.")
    return stages, notes


def _cohorts(vacancy: Vacancy, stages: list[str]) -> dict[str, dict[int, dict[int, int]]]:
    """stage → application id → criterion id → agreed score, for every member of each
    stage's cohort: one query, whatever the cohort's size."""
    rows = AgreedScore.objects.filter(
        assessment__application__vacancy=vacancy,
        assessment__application__erased_at__isnull=True,
        assessment__stage__in=stages,
        assessment__out_of_date=False,
    ).values_list("assessment__stage", "assessment__application_id", "criterion_id", "score")
    cohorts: dict[str, dict[int, dict[int, int]]] = {stage: {} for stage in stages}
    for stage, application_id, criterion_id, score in rows:
        cohorts[stage].setdefault(application_id, {})[criterion_id] = score
    return cohorts


# --- Keys and release --------------------------------------------------------------------


def _secret() -> bytes:
    """``FEEDBACK_SECRET``, or one derived from ``SECRET_KEY`` when it is not set."""
    if settings.FEEDBACK_SECRET:
        return str(settings.FEEDBACK_SECRET).encode()
    return hmac.digest(settings.SECRET_KEY.encode(), b"recruitment score feedback", "sha512")


def _key_bytes(secret: bytes, message: str, count: int) -> bytes:
    """``count`` pseudo-random bytes: HMAC-SHA512 blocks of ``message|block``."""
    out = b""
    block = 0
    while len(out) < count:
        out += hmac.digest(secret, f"{message}|{block}".encode(), "sha512")
        block += 1
    return out[:count]


def _record_keys(secret: bytes, application_id: int, stage: str, cells: int) -> bytes:
    """An application's record key (0..255) in each of a stage's ``cells`` cells: byte i
    for criterion i, in the vacancy's order, and the last for the cohort's size. Never
    output: with the secret unknown, no one can tell how a figure was adjusted."""
    return _key_bytes(secret, f"record|{application_id}|{stage}", cells)


def _offsets(secret: bytes, vacancy_id: int, stage: str, members: list[int], cells: int) -> bytes:
    """The cohort's offset of each cell's key: an HMAC of exactly who is in it."""
    who = hashlib.sha256(",".join(map(str, sorted(members))).encode()).hexdigest()
    return _key_bytes(secret, f"cohort|{vacancy_id}|{stage}|{who}", cells)


def _stage_feedback(
    vacancy: Vacancy,
    stage: str,
    criteria: list[Criterion],
    cohort: dict[int, dict[int, int]],
    own: dict[int, int],
) -> StageFeedback:
    need = minimum_cohort()
    if len(cohort) < need:
        withheld = (
            f"Other candidates' scores at {STAGE_WORDS[stage]} are not shown because fewer "
            f"than {need} candidates had agreed scores: with so few, the figures could tell "
            "you about particular people."
        )
        return StageFeedback(
            stage,
            STAGE_HEADINGS[stage],
            None,
            withheld,
            [_criterion(c, own.get(c.pk), None, None, withheld) for c in criteria],
        )
    secret = _secret()
    cells = len(criteria) + 1
    # (criterion index, score) → [count, key sum]; the cohort's size at index len(criteria).
    counts = [[0] * len(SCORES) for _ in criteria]
    sums = [[0] * len(SCORES) for _ in criteria]
    size_key = 0
    for application_id, scores in cohort.items():
        keys = _record_keys(secret, application_id, stage, cells)
        size_key += keys[-1]
        for i, criterion in enumerate(criteria):
            score = scores.get(criterion.pk)
            if score is not None:
                counts[i][score] += 1
                sums[i][score] += keys[i]
    offsets = _offsets(secret, vacancy.pk, stage, list(cohort), cells)
    size = disclosure.perturb(len(cohort), size_key + offsets[-1])
    result = []
    for i, criterion in enumerate(criteria):
        if sum(counts[i]) < need:
            withheld = (
                f"Other candidates' scores for this criterion are not shown because fewer "
                f"than {need} candidates had an agreed score for it."
            )
            result.append(_criterion(criterion, own.get(criterion.pk), None, size, withheld))
            continue
        released = [disclosure.perturb(counts[i][v], sums[i][v] + offsets[i]) for v in SCORES]
        row = [
            Cell(
                v,
                SCORE_MEANINGS[v],
                released[v],
                disclosure.ratio(released[v], size),
                v == own.get(criterion.pk),
            )
            for v in SCORES
        ]
        result.append(_criterion(criterion, own.get(criterion.pk), row, size, ""))
    return StageFeedback(stage, STAGE_HEADINGS[stage], size, "", result)


def _criterion(
    criterion: Criterion,
    score: int | None,
    cells: list[Cell] | None,
    size: int | None,
    withheld: str,
) -> CriterionFeedback:
    if score is None:
        return CriterionFeedback(
            criterion,
            None,
            "",
            cells,
            withheld,
            "There is no agreed score for your application on this criterion.",
        )
    summary = f"Your agreed score was {score} ({SCORE_MEANINGS[score]})."
    if cells is not None and size is not None:
        count = cells[score].count
        if count is None:
            summary += (
                f" Of about {size:,} candidates, too few scored {score} for the number to be shown."
            )
        else:
            summary += f" Of about {size:,} candidates, about {count:,} scored {score}."
    return CriterionFeedback(criterion, score, SCORE_MEANINGS[score], cells, withheld, summary)
