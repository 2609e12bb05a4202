"""The interview guarantee (Disability Confident, care leavers, armed forces) and the
positive-action declaration: the only rules that read what a candidate declared. Pure
functions over already-loaded applications: the guarantee is applied once the sift is
complete (``guarantee_plan``), never to the merit decision itself (docs/domain.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from recruitment.scoring.assessment import essential_total, meets_minimum_criteria
from vacancies.models import GuaranteeScheme

if TYPE_CHECKING:
    from collections.abc import Iterable

    from recruitment.applications.models import Application
    from vacancies.models import Vacancy


def declared_scheme(application: Application) -> str | None:
    try:
        return application.guarantee_declaration.scheme
    except ObjectDoesNotExist:
        return None


def guarantee_declared(application: Application) -> bool:
    """A scheme was declared that this vacancy offers (a scheme it does not offer is inert)."""
    return application.vacancy.offers_scheme(declared_scheme(application))


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
