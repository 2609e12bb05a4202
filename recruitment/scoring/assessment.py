"""The rules that turn agreed scores into decisions: minimum criteria, when a candidate may
be rejected at sift, shortlisted under the interview limit or offered the job. Pure functions
over already-loaded objects (see ``ApplicationQuerySet.with_assessment_data``), so they cost
no queries when prefetched; only the two counts query, once per vacancy object.

Nothing here reads a declaration: the merit decision is blind. The guarantee is in
guarantee.py, ranking and ties in ranking.py. Nothing reads equality-monitoring answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recruitment.applications.states import ApplicationState
from vacancies.models import MAX_SCORE, MinimumCriteriaRule

if TYPE_CHECKING:
    from recruitment.applications.models import Application
    from recruitment.scoring.models import AgreedAssessment
    from vacancies.models import Criterion, Vacancy

SHORTLISTING = "shortlisting"
INTERVIEW = "interview"


def criteria(vacancy: Vacancy) -> list[Criterion]:
    return list(vacancy.criteria.all())


def agreed_assessment(application: Application, stage: str) -> AgreedAssessment | None:
    # ``prefetched_agreed``/``prefetched_scores``: plain lists from
    # ``ApplicationQuerySet.for_ranking``; otherwise the (usually prefetched) managers.
    assessments = getattr(application, "prefetched_agreed", None)
    for agreed in application.agreed_assessments.all() if assessments is None else assessments:
        if agreed.stage == stage:
            return agreed
    return None


def agreed_scores(application: Application, stage: str) -> dict[int, int]:
    """criterion id → agreed score at ``stage`` (empty when nothing is agreed)."""
    agreed = agreed_assessment(application, stage)
    if agreed is None:
        return {}
    scores = getattr(agreed, "prefetched_scores", None)
    return {s.criterion_id: s.score for s in (agreed.scores.all() if scores is None else scores)}


def minimum_thresholds(vacancy: Vacancy, essential: int) -> tuple[int, int]:
    """The vacancy's minimum-criteria rule as two thresholds over its ``essential`` agreed
    essential scores: (lowest score each must reach, lowest sum they must reach). One
    statement of the rule, read by ``meets_minimum_criteria`` and by the ranking's SQL
    (``ranked.py``), so the two cannot drift apart.

    - every essential criterion at the pass mark: each ≥ pass mark, any sum;
    - at least 60% of the available essential marks and none at 0: each ≥ 1, and
      5·sum ≥ 3·(4·essential), that is sum ≥ ⌈12·essential / 5⌉ in integers."""
    if vacancy.minimum_criteria_rule == MinimumCriteriaRule.AGGREGATE_60_NO_ZERO:
        return 1, -(-3 * MAX_SCORE * essential // 5)
    return vacancy.pass_mark, 0


def meets_minimum_criteria(application: Application) -> bool | None:
    """Whether the agreed shortlisting scores meet the vacancy's minimum criteria
    (``minimum_thresholds``).

    ``None`` while any essential criterion has no agreed score: the assessment is incomplete.
    """
    vacancy = application.vacancy
    essential = [c.pk for c in criteria(vacancy) if c.is_essential]
    scores = agreed_scores(application, SHORTLISTING)
    if not essential or any(pk not in scores for pk in essential):
        return None
    values = [scores[pk] for pk in essential]
    each, total = minimum_thresholds(vacancy, len(values))
    return min(values) >= each and sum(values) >= total


def sift_rejection_refusal(application: Application) -> tuple[str, str] | None:
    """Why this application may not be rejected at sift yet, as (409 code, message), or None.

    The same for every candidate, whatever they declared: a rejection rests on agreed scores
    for every essential criterion, so that when the sift is complete the service can tell
    whether a guaranteed candidate meets the minimum criteria (``guarantee_plan``). Nothing
    here reads a declaration: the merit decision is blind."""
    if essential_total(application) is None:
        return (
            "assessment_incomplete",
            "Agree a score for every essential criterion before deciding not to shortlist.",
        )
    agreed = agreed_assessment(application, SHORTLISTING)
    if agreed is not None and agreed.out_of_date:
        return (
            "assessment_out_of_date",
            "A shortlisting score was changed after the scores were agreed: agree them again "
            "before deciding not to shortlist.",
        )
    return None


def offer_refusal(application: Application) -> tuple[str, str] | None:
    """Why no offer may be made yet, as (409 code, message), or None: an offer rests on the
    agreed interview assessment, complete and not reopened by a later score change, and on a
    complete sift (so that everyone the interview guarantee invites is interviewed first)."""
    if application.vacancy.sift_completed_at is None:
        return (
            "sift_incomplete",
            "Complete the sift before making an offer, so that everyone to be interviewed "
            "has been invited.",
        )
    if waiting := interviews_outstanding(application.vacancy):
        return (
            "interviews_outstanding",
            f"{waiting} shortlisted candidate{'s have' if waiting != 1 else ' has'} not been "
            "interviewed yet: record their interviews (or their withdrawal) before making an "
            "offer.",
        )
    agreed = agreed_assessment(application, INTERVIEW)
    if agreed is None or agreed_total(application, INTERVIEW) is None:
        return (
            "assessment_incomplete",
            "Agree a score for every criterion at interview before making an offer.",
        )
    if agreed.out_of_date:
        return (
            "assessment_out_of_date",
            "An interview score was changed after the scores were agreed: agree them again "
            "before making an offer.",
        )
    return None


def essential_total(application: Application) -> int | None:
    """The sum of the agreed shortlisting scores of the essential criteria: how well the
    candidate meets the minimum criteria. None until each has one."""
    essential = [c.pk for c in criteria(application.vacancy) if c.is_essential]
    scores = agreed_scores(application, SHORTLISTING)
    if any(pk not in scores for pk in essential):
        return None
    return sum(scores[pk] for pk in essential)


def shortlist_refusal(application: Application, taken: int | None = None) -> tuple[str, str] | None:
    """Why the interview limit refuses to shortlist this application on merit now, or None.
    The limit counts everyone shortlisted so far (``taken``: that count, if already known);
    it reads nothing any candidate declared."""
    limit = application.vacancy.interview_limit
    if limit is None:
        return None
    if taken is None:
        # Counted once per action: the service asks before the transition and the
        # transition's condition asks again, on the same locked row.
        taken = vars(application).get("_shortlisted_when_locked")
    if taken is None:
        taken = shortlisted_count(application.vacancy)
        application._shortlisted_when_locked = taken  # type: ignore[attr-defined]
    if taken >= limit:
        return (
            "interview_limit_reached",
            f"The interview limit of {limit} is reached: {taken} shortlisted.",
        )
    return None


def interviews_outstanding(vacancy: Vacancy) -> int:
    """How many of the vacancy's candidates are shortlisted but not yet interviewed (counted
    once per vacancy object: a list of applications asks for each)."""
    cached: int | None = getattr(vacancy, "_interviews_outstanding", None)
    if cached is None:
        cached = vacancy.applications.filter(
            state__in=[ApplicationState.SHORTLISTED, ApplicationState.INTERVIEW_SCHEDULED],
        ).count()
        vacancy._interviews_outstanding = cached  # type: ignore[attr-defined]
    return cached


def shortlisted_count(vacancy: Vacancy) -> int:
    """How many of the vacancy's applications (withdrawn ones left out) were shortlisted."""
    return (
        vacancy.applications.exclude(state=ApplicationState.WITHDRAWN)
        .exclude(furthest_stage="applied")
        .count()
    )


def agreed_total(application: Application, stage: str) -> int | None:
    """Sum of the agreed scores at ``stage``; None until every criterion has one."""
    scores = agreed_scores(application, stage)
    if any(c.pk not in scores for c in criteria(application.vacancy)):
        return None
    return sum(scores.values())
