"""The rules that turn agreed scores into decisions: minimum criteria, the interview guarantee
(and the high-volume interview limit), ranking and ties. Pure functions over already-loaded
objects (see ``ApplicationQuerySet.with_assessment_data``), so they cost no queries when
prefetched; only ``interview_limit_of`` loads a vacancy's applications, for callers that have
not already done so.

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


def interview_guaranteed(application: Application, limit: InterviewLimit | None = None) -> bool:
    """True only when a guarantee applies: an offered scheme declared and the minimum
    criteria met on the agreed assessment; under an interview limit, also among the
    guaranteed candidates who best meet them (``limit``: the vacancy's, if already known)."""
    if not (guarantee_declared(application) and meets_minimum_criteria(application) is True):
        return False
    if application.vacancy.interview_limit is None:
        return True
    limit = limit or interview_limit_of(application.vacancy)
    return limit is not None and application.pk in limit.protected


def sift_rejection_refusal(
    application: Application, limit: InterviewLimit | None = None
) -> tuple[str, str] | None:
    """Why this application may not be rejected at sift, as (409 code, message), or None.

    The message never names the scheme: panels learn only that an interview is guaranteed.
    Under an interview limit, a guaranteed candidate who meets the minimum criteria may be
    rejected only once every guaranteed candidate's essential criteria are agreed and they are
    not among those who best meet them (see ``InterviewLimit``)."""
    if not guarantee_declared(application):
        return None
    meets = meets_minimum_criteria(application)
    if meets is None:
        return (
            "assessment_incomplete",
            "This candidate has an interview guarantee: agree a score for every essential "
            "criterion before deciding whether they meet the minimum criteria.",
        )
    if not meets:
        return None
    if application.vacancy.interview_limit is None:
        return (
            "interview_guarantee",
            "Interview guaranteed: this candidate meets the minimum criteria, so they must be "
            "offered an interview.",
        )
    limit = limit or interview_limit_of(application.vacancy)
    if limit is None:
        return None
    if limit.incomplete:
        return ("assessment_incomplete", LIMIT_INCOMPLETE)
    if application.pk in limit.protected:
        return (
            "interview_guarantee",
            f"Interview guaranteed: with the interview limit of {limit.limit}, this candidate "
            "is among the candidates with a guaranteed interview who best meet the minimum "
            "criteria, so they must be offered an interview.",
        )
    return None


def offer_refusal(application: Application) -> tuple[str, str] | None:
    """Why no offer may be made yet, as (409 code, message), or None: an offer rests on the
    agreed interview assessment, complete and not reopened by a later score change."""
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


LIMIT_INCOMPLETE = (
    "This vacancy limits the number of interviews: agree a score for every essential criterion "
    "of every candidate who may have a guaranteed interview first, so that those who best meet "
    "the minimum criteria can be found."
)


# --- The high-volume interview limit ------------------------------------------------------------


@dataclass(frozen=True)
class InterviewLimit:
    """A vacancy's interview limit applied to its applications (withdrawn ones left out).

    docs/domain.md §2: in a high-volume campaign the employer may limit the number of
    interviews *for everyone*, and then interviews the guaranteed candidates who best meet
    the minimum criteria. Here:

    - ``protected``: the guaranteed candidates (an offered scheme declared, minimum criteria
      met) ranked among themselves by the sum of their agreed essential scores; the best
      ``limit`` of them, and everyone equal to the last of those (equal is equal: a tie at
      the boundary is not broken by the service, so there may be more than ``limit``). They
      can never be rejected at sift and can always be shortlisted.
    - ``outside``: guaranteed candidates who meet the minimum criteria but are not protected:
      they may be rejected at sift, with a reason, recorded on the history.
    - The limit holds for everyone: anyone else is shortlisted only while
      ``taken + waiting < limit`` (places are kept for the protected candidates not yet
      shortlisted), else 409 ``interview_limit_reached``.
    - ``incomplete``: some candidate who declared a scheme has no complete agreed assessment
      of the essential criteria, so the protected set is not known yet: no limit-based
      rejection of a guaranteed candidate and no shortlisting of others until it is.
    """

    limit: int
    protected: frozenset[int]
    outside: frozenset[int]
    incomplete: bool
    taken: int
    waiting: int

    @property
    def places_left(self) -> int:
        return max(self.limit - self.taken - self.waiting, 0)


def essential_total(application: Application) -> int | None:
    """The sum of the agreed shortlisting scores of the essential criteria: how well the
    candidate meets the minimum criteria. None until each has one."""
    essential = [c.pk for c in criteria(application.vacancy) if c.is_essential]
    scores = agreed_scores(application, SHORTLISTING)
    if any(pk not in scores for pk in essential):
        return None
    return sum(scores[pk] for pk in essential)


def interview_limit(limit: int, applications: Iterable[Application]) -> InterviewLimit:
    """Apply ``limit`` to a vacancy's (non-withdrawn) applications. Pure: no queries when
    the applications come from ``with_assessment_data``."""
    applications = list(applications)
    guaranteed = [a for a in applications if guarantee_declared(a)]
    incomplete = any(meets_minimum_criteria(a) is None for a in guaranteed)
    meeting = sorted(
        ((a, essential_total(a) or 0) for a in guaranteed if meets_minimum_criteria(a)),
        key=lambda row: -row[1],
    )
    if len(meeting) > limit:
        threshold = meeting[limit - 1][1]
        protected = frozenset(a.pk for a, total in meeting if total >= threshold)
    else:
        protected = frozenset(a.pk for a, _ in meeting)
    return InterviewLimit(
        limit=limit,
        protected=protected,
        outside=frozenset(a.pk for a, _ in meeting) - protected,
        incomplete=incomplete,
        taken=sum(1 for a in applications if a.furthest_stage != "applied"),
        waiting=sum(1 for a in applications if a.pk in protected and a.furthest_stage == "applied"),
    )


def interview_limit_of(vacancy: Vacancy) -> InterviewLimit | None:
    """The vacancy's interview limit applied to its applications now (one set of queries),
    or None when it sets no limit."""
    if vacancy.interview_limit is None:
        return None
    from recruitment.models import Application, ApplicationState  # models import this module

    applications = Application.objects.exclude(state=ApplicationState.WITHDRAWN).for_ranking(
        vacancy
    )
    return interview_limit(vacancy.interview_limit, applications)


def shortlist_refusal(
    application: Application, limit: InterviewLimit | None = None
) -> tuple[str, str] | None:
    """Why the interview limit refuses to shortlist this application now, or None."""
    if application.vacancy.interview_limit is None:
        return None
    limit = limit or interview_limit_of(application.vacancy)
    if limit is None or application.pk in limit.protected:
        return None
    if limit.incomplete:
        return ("assessment_incomplete", LIMIT_INCOMPLETE)
    if limit.places_left == 0:
        return (
            "interview_limit_reached",
            f"The interview limit of {limit.limit} is reached: {limit.taken} shortlisted and "
            f"{limit.waiting} place(s) kept for candidates with a guaranteed interview.",
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
    #: Would be guaranteed an interview, but is outside the vacancy's interview limit.
    guarantee_outside_interview_limit: bool = False


def agreed_total(application: Application, stage: str) -> int | None:
    """Sum of the agreed scores at ``stage``; None until every criterion has one."""
    scores = agreed_scores(application, stage)
    if any(c.pk not in scores for c in criteria(application.vacancy)):
        return None
    return sum(scores.values())


def tie_groups(totals: Sequence[int | None], band: int = 0) -> list[int | None]:
    """For totals in rank order, the tie group of each: 1, 2, … numbered from the top; None
    for a total in no tie, or no total.

    ``band`` 0 (the default): a tie is two or more *equal* totals. With a vacancy's explicit
    band of 1 or 2, groups are formed from the top: the highest total not yet grouped and
    every total within ``band`` below it form one group if there are two or more of them.
    So every member of a group is within ``band`` of every other, and equal totals are
    always in the same group."""
    counts = Counter(total for total in totals if total is not None)
    distinct = sorted(counts, reverse=True)
    group_of: dict[int, int] = {}
    number = i = 0
    while i < len(distinct):
        members = [t for t in distinct[i:] if t >= distinct[i] - band]
        if sum(counts[t] for t in members) > 1:
            number += 1
            group_of.update(dict.fromkeys(members, number))
        i += len(members)
    return [group_of.get(total) if total is not None else None for total in totals]


def rank(
    applications: Iterable[Application],
    stage: str,
    *,
    tie_band: int = 0,
    limit: InterviewLimit | None = None,
) -> list[RankedApplication]:
    """Order by agreed total, best first (unscored last), and number the ties.

    A tie is two or more applications with *equal* agreed totals (Furlong v Chief Constable
    of Cheshire Police: a pass mark is not "as qualified as"), unless the vacancy sets an
    explicit ``tie_band``. Tie groups are numbered 1, 2, … from the top. Positive action is
    eligible only at the interview stage (the tie-breaker is used at the offer), inside a
    tie, on a vacancy with a plan, for a candidate who made the positive-action declaration:
    at the sift the flag is false for everyone, so the sift ranking never marks who
    declared. ``limit``: the vacancy's interview limit, when it has one.
    """
    rows = [(application, agreed_total(application, stage)) for application in applications]
    rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0), row[0].reference))
    groups = tie_groups([total for _, total in rows], tie_band)
    ranked = []
    for (application, total), tie_group in zip(rows, groups, strict=True):
        ranked.append(
            RankedApplication(
                application=application,
                total=total,
                meets_minimum_criteria=meets_minimum_criteria(application),
                interview_guaranteed=interview_guaranteed(application, limit),
                tie_group=tie_group,
                positive_action_eligible=(
                    stage == INTERVIEW  # s.159 is used at the offer, never at the sift
                    and tie_group is not None
                    and has_positive_action_plan(application.vacancy)
                    and positive_action_declared(application)
                ),
                guarantee_outside_interview_limit=(
                    limit is not None and application.pk in limit.outside
                ),
            )
        )
    return ranked
