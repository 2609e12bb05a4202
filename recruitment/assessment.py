"""The rules that turn agreed scores into decisions: minimum criteria, the interview guarantee,
ranking and ties. Pure functions over already-loaded objects (see
``ApplicationQuerySet.with_assessment_data``), so they cost no queries when prefetched.

This is the only module that reads guarantee and positive-action declarations to decide
anything. It never reads equality-monitoring answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from vacancies.models import MAX_SCORE, MinimumCriteriaRule

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from recruitment.models import AgreedAssessment, Application
    from vacancies.models import Criterion, Vacancy

SHORTLISTING = "shortlisting"
INTERVIEW = "interview"


def criteria(vacancy: Vacancy) -> list[Criterion]:
    return list(vacancy.criteria.all())


def agreed_assessment(application: Application, stage: str) -> AgreedAssessment | None:
    for agreed in application.agreed_assessments.all():
        if agreed.stage == stage:
            return agreed
    return None


def agreed_scores(application: Application, stage: str) -> dict[int, int]:
    """criterion id → agreed score at ``stage`` (empty when nothing is agreed)."""
    agreed = agreed_assessment(application, stage)
    return {s.criterion_id: s.score for s in agreed.scores.all()} if agreed else {}


def meets_minimum_criteria(application: Application) -> bool | None:
    """Whether the agreed shortlisting scores meet the vacancy's minimum criteria.

    ``None`` while any essential criterion has no agreed score: the assessment is incomplete.
    """
    vacancy = application.vacancy
    essential = [c.pk for c in criteria(vacancy) if c.is_essential]
    scores = agreed_scores(application, SHORTLISTING)
    if not essential or any(pk not in scores for pk in essential):
        return None
    values = [scores[pk] for pk in essential]
    if vacancy.minimum_criteria_rule == MinimumCriteriaRule.AGGREGATE_60_NO_ZERO:
        # At least 60% of the available essential marks, in integers: 5·sum ≥ 3·max.
        return 5 * sum(values) >= 3 * MAX_SCORE * len(values) and min(values) > 0
    return all(value >= vacancy.pass_mark for value in values)


def declared_scheme(application: Application) -> str | None:
    try:
        return application.guarantee_declaration.scheme
    except ObjectDoesNotExist:
        return None


def guarantee_declared(application: Application) -> bool:
    """A scheme was declared that this vacancy offers (a scheme it does not offer is inert)."""
    return application.vacancy.offers_scheme(declared_scheme(application))


def interview_guaranteed(application: Application) -> bool:
    """True only when a guarantee applies: an offered scheme declared and the minimum
    criteria met on the agreed assessment."""
    return guarantee_declared(application) and meets_minimum_criteria(application) is True


def sift_rejection_refusal(application: Application) -> tuple[str, str] | None:
    """Why this application may not be rejected at sift, as (409 code, message), or None.

    The message never names the scheme: panels learn only that an interview is guaranteed."""
    if not guarantee_declared(application):
        return None
    meets = meets_minimum_criteria(application)
    if meets is None:
        return (
            "assessment_incomplete",
            "This candidate has an interview guarantee: agree a score for every essential "
            "criterion before deciding whether they meet the minimum criteria.",
        )
    if meets:
        return (
            "interview_guarantee",
            "Interview guaranteed: this candidate meets the minimum criteria, so they must be "
            "offered an interview.",
        )
    return None


def positive_action_declared(application: Application) -> bool:
    try:
        application.positive_action_declaration  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True


def has_positive_action_plan(vacancy: Vacancy) -> bool:
    try:
        vacancy.positive_action_plan  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True


# --- Ranking and ties -------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedApplication:
    application: Application
    total: int | None
    meets_minimum_criteria: bool | None
    interview_guaranteed: bool
    tie_group: int | None
    positive_action_eligible: bool


def agreed_total(application: Application, stage: str) -> int | None:
    """Sum of the agreed scores at ``stage``; None until every criterion has one."""
    scores = agreed_scores(application, stage)
    if any(c.pk not in scores for c in criteria(application.vacancy)):
        return None
    return sum(scores.values())


def tie_groups(totals: Sequence[int | None]) -> list[int | None]:
    """For totals in rank order, the tie group of each: 1, 2, … for totals shared by two or
    more, numbered from the top; None for a unique total or no total."""
    counts = Counter(total for total in totals if total is not None)
    group_of: dict[int, int] = {}
    for total in totals:
        if total is not None and counts[total] > 1 and total not in group_of:
            group_of[total] = len(group_of) + 1
    return [group_of.get(total) if total is not None else None for total in totals]


def rank(applications: Iterable[Application], stage: str) -> list[RankedApplication]:
    """Order by agreed total, best first (unscored last), and number the ties.

    A tie is two or more applications with *equal* agreed totals (Furlong v Chief Constable
    of Cheshire Police: a pass mark is not "as qualified as"). Tie groups are numbered 1, 2, …
    from the top. Positive action is eligible only inside a tie, on a vacancy with a plan,
    for a candidate who made the positive-action declaration.
    """
    rows = [(application, agreed_total(application, stage)) for application in applications]
    rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0), row[0].reference))
    groups = tie_groups([total for _, total in rows])
    ranked = []
    for (application, total), tie_group in zip(rows, groups, strict=True):
        ranked.append(
            RankedApplication(
                application=application,
                total=total,
                meets_minimum_criteria=meets_minimum_criteria(application),
                interview_guaranteed=interview_guaranteed(application),
                tie_group=tie_group,
                positive_action_eligible=(
                    tie_group is not None
                    and has_positive_action_plan(application.vacancy)
                    and positive_action_declared(application)
                ),
            )
        )
    return ranked
