"""The rules that turn agreed scores into decisions: minimum criteria, the interview guarantee
applied once the sift is complete (and the high-volume interview limit), ranking and ties.
Pure functions over already-loaded objects (see ``ApplicationQuerySet.with_assessment_data``),
so they cost no queries when prefetched; only ``shortlisted_count`` queries, for callers that
have not counted already.

This is the only module that reads guarantee and positive-action declarations to decide
anything. It never reads equality-monitoring answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from vacancies.models import MAX_SCORE, GuaranteeScheme, MinimumCriteriaRule

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


# --- The guarantee, applied when the sift is complete -------------------------------------------


def essential_total(application: Application) -> int | None:
    """The sum of the agreed shortlisting scores of the essential criteria: how well the
    candidate meets the minimum criteria. None until each has one."""
    essential = [c.pk for c in criteria(application.vacancy) if c.is_essential]
    scores = agreed_scores(application, SHORTLISTING)
    if any(pk not in scores for pk in essential):
        return None
    return sum(scores[pk] for pk in essential)


@dataclass(frozen=True)
class GuaranteeDecision:
    """What the interview guarantee does for one candidate who declared an offered scheme."""

    application: Application
    #: A ``GuaranteeOutcome`` value.
    outcome: str
    essential_total: int | None
    reason: str


def guarantee_plan(
    vacancy: Vacancy, applications: Iterable[Application]
) -> list[GuaranteeDecision]:
    """Apply the interview guarantee to a vacancy's applications once every one has been
    decided on merit (docs/domain.md §2). Pure: no queries when they come from ``for_ranking``.

    Every candidate who declared a scheme the vacancy offers gets a decision:

    - shortlisted on merit: nothing to do;
    - withdrawn: nothing to do;
    - the agreed essential scores do not meet the minimum criteria: not invited;
    - otherwise invited to interview; but under a high-volume interview limit of L, only the
      L of them who best meet the minimum criteria (by the sum of their agreed essential
      scores, and everyone equal to the last of those: a tie at the boundary is not broken by
      the service) are invited. Candidates shortlisted on merit are not counted among the L,
      so that who is invited says nothing about whether any of them had declared.
    """
    declared = [a for a in applications if guarantee_declared(a)]
    # Only those not shortlisted on merit compete for the guaranteed places, so that who is
    # invited says nothing about whether a candidate shortlisted on merit had declared.
    meeting = sorted(
        (
            (a, essential_total(a) or 0)
            for a in declared
            if a.state == "not_shortlisted" and meets_minimum_criteria(a)
        ),
        key=lambda row: -row[1],
    )
    limit = vacancy.interview_limit
    if limit is not None and len(meeting) > limit:
        threshold = meeting[limit - 1][1]
        protected = {a.pk for a, total in meeting if total >= threshold}
    else:
        threshold = None
        protected = {a.pk for a, _ in meeting}
    decisions = []
    for a in sorted(declared, key=lambda a: a.reference):
        total = essential_total(a)
        scheme = GuaranteeScheme(declared_scheme(a) or "").label  # declared: never empty
        if a.state == "withdrawn":
            outcome, reason = "withdrawn", "Withdrew before the sift was completed."
        elif a.furthest_stage != "applied":
            outcome, reason = "shortlisted_on_merit", "Shortlisted on merit by the panel."
        elif not meets_minimum_criteria(a):
            outcome, reason = (
                "minimum_not_met",
                f"{scheme} declared; the agreed essential scores (total {total}) do not meet "
                "the minimum criteria.",
            )
        elif a.pk in protected:
            outcome, reason = (
                "invited",
                f"{scheme} declared; meets the minimum criteria (essential total {total})"
                + (
                    f"; among the {limit} candidates not shortlisted on merit with a guarantee "
                    "who best meet them"
                    if limit is not None
                    else ""
                )
                + ": invited to interview under the guarantee.",
            )
        else:
            outcome, reason = (
                "outside_interview_limit",
                f"{scheme} declared; meets the minimum criteria (essential total {total}), "
                f"but the interview limit of {limit} is filled by candidates with a guarantee "
                f"who meet them better (essential total {threshold} or more).",
            )
        decisions.append(GuaranteeDecision(a, outcome, total, reason))
    return decisions


def shortlist_refusal(application: Application, taken: int | None = None) -> tuple[str, str] | None:
    """Why the interview limit refuses to shortlist this application on merit now, or None.
    The limit counts everyone shortlisted so far (``taken``: that count, if already known);
    it reads nothing any candidate declared."""
    limit = application.vacancy.interview_limit
    if limit is None:
        return None
    if taken is None:
        taken = shortlisted_count(application.vacancy)
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
        from recruitment.models import Application, ApplicationState  # models import this

        cached = Application.objects.filter(
            vacancy=vacancy,
            state__in=[ApplicationState.SHORTLISTED, ApplicationState.INTERVIEW_SCHEDULED],
        ).count()
        vacancy._interviews_outstanding = cached  # type: ignore[attr-defined]
    return cached


def shortlisted_count(vacancy: Vacancy) -> int:
    """How many of the vacancy's applications (withdrawn ones left out) were shortlisted."""
    from recruitment.models import Application, ApplicationState  # models import this module

    return (
        Application.objects.filter(vacancy=vacancy)
        .exclude(state=ApplicationState.WITHDRAWN)
        .exclude(furthest_stage="applied")
        .count()
    )


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
    tie_group: int | None
    positive_action_eligible: bool


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
) -> list[RankedApplication]:
    """Order by agreed total, best first (unscored last), and number the ties.

    A tie is two or more applications with *equal* agreed totals (Furlong v Chief Constable
    of Cheshire Police: a pass mark is not "as qualified as"), unless the vacancy sets an
    explicit ``tie_band``. Tie groups are numbered 1, 2, … from the top. Positive action is
    eligible only at the interview stage (the tie-breaker is used at the offer), inside a
    tie, on a vacancy with a plan, for a candidate who made the positive-action declaration:
    at the sift the flag is false for everyone, so the sift ranking never marks who
    declared. Nothing else in a row reads a declaration.
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
                tie_group=tie_group,
                positive_action_eligible=(
                    stage == INTERVIEW  # s.159 is used at the offer, never at the sift
                    # and only once the sift is complete (an offer waits for it)
                    and application.vacancy.sift_completed_at is not None
                    and tie_group is not None
                    and has_positive_action_plan(application.vacancy)
                    and positive_action_declared(application)
                ),
            )
        )
    return ranked
