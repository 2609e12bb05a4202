"""Ties in a ranking by agreed total (Equality Act s.159's "as qualified as"), and a row of
it. Pure: the ranking itself is computed in the database (``ranked.py``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from recruitment.applications.models import Application


@dataclass(frozen=True)
class RankedApplication:
    application: Application
    total: int | None
    meets_minimum_criteria: bool | None
    tie_group: int | None
    positive_action_eligible: bool
    #: 1 + how many are ranked above (equal totals share a rank: 1, 1, 3); None: no total.
    rank: int | None = None


def tie_groups_of(counts: Mapping[int, int], band: int = 0) -> dict[int, int]:
    """For how many applications have each agreed total, the tie group of each total in a
    tie: 1, 2, … numbered from the top (totals in no tie are left out).

    ``band`` 0 (the default): a tie is two or more *equal* totals. With a vacancy's explicit
    band of 1 or 2, groups are formed from the top: the highest total not yet grouped and
    every total within ``band`` below it form one group if there are two or more of them.
    So every member of a group is within ``band`` of every other, and equal totals are
    always in the same group."""
    distinct = sorted((t for t, n in counts.items() if n > 0), reverse=True)
    group_of: dict[int, int] = {}
    number = i = 0
    while i < len(distinct):
        members = [t for t in distinct[i:] if t >= distinct[i] - band]
        if sum(counts[t] for t in members) > 1:
            number += 1
            group_of.update(dict.fromkeys(members, number))
        i += len(members)
    return group_of


def tie_groups(totals: Sequence[int | None], band: int = 0) -> list[int | None]:
    """For totals in rank order, the tie group of each (``tie_groups_of``); None for a total
    in no tie, or no total."""
    group_of = tie_groups_of(Counter(total for total in totals if total is not None), band)
    return [group_of.get(total) if total is not None else None for total in totals]
