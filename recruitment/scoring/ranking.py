"""Ranking by agreed total and the ties in it (Equality Act s.159's "as qualified as"). Pure
functions over already-loaded applications (``ApplicationQuerySet.for_ranking``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from recruitment.scoring.assessment import INTERVIEW, agreed_total, meets_minimum_criteria
from recruitment.scoring.guarantee import has_positive_action_plan, positive_action_declared

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from recruitment.applications.models import Application


@dataclass(frozen=True)
class RankedApplication:
    application: Application
    total: int | None
    meets_minimum_criteria: bool | None
    tie_group: int | None
    positive_action_eligible: bool


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
