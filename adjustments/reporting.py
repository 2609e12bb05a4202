"""Anonymised counts of adjustment requests for HR, through the same suppression as the
monitoring statistics (recruitment/suppression.py). Grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from adjustments.models import AdjustmentCategory, AdjustmentRequest, AdjustmentState
from recruitment.suppression import Preset, suppress_count, suppress_table

OUTCOMES = {
    "agreed": [AdjustmentState.AGREED, AdjustmentState.IN_PLACE],
    "partially_agreed": [AdjustmentState.PARTIALLY_AGREED],
    "declined": [AdjustmentState.DECLINED],
    "withdrawn": [AdjustmentState.WITHDRAWN],
    "open": [AdjustmentState.REQUESTED, AdjustmentState.UNDER_REVIEW],
}
OUTCOME_OF = {state: outcome for outcome, states in OUTCOMES.items() for state in states}


@dataclass(frozen=True)
class AdjustmentsReport:
    preset: str
    outcomes: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, int | None]
    total: int | None
    decided: int | None
    median_days_to_decision: float | None
    in_place_before_stage: int | None
    not_in_place_before_stage: int | None


def adjustments_report(*, preset: Preset, vacancy: int | None = None) -> AdjustmentsReport:
    requests = AdjustmentRequest.objects.all()
    if vacancy is not None:
        requests = requests.filter(application__vacancy_id=vacancy)
    grouped = requests.values("category", "state").annotate(n=Count("id"))
    counts = {c: dict.fromkeys(OUTCOMES, 0) for c in AdjustmentCategory.values}
    for row in grouped:
        counts[row["category"]][OUTCOME_OF[row["state"]]] += row["n"]
    categories = [c for c in AdjustmentCategory.values if any(counts[c].values())]
    table = suppress_table(
        [[counts[c][o] for o in OUTCOMES] for c in categories] or [[0] * len(OUTCOMES)],
        preset,
    )

    decided = requests.exclude(decided_at=None).annotate(took=F("decided_at") - F("requested_at"))
    durations = [d.total_seconds() / 86400 for d in decided.values_list("took", flat=True)]
    n_decided = len(durations)
    # A figure from a suppressed count would identify the few people behind it.
    median_days = (
        round(median(durations), 1)
        if durations and suppress_count(n_decided, preset) is not None
        else None
    )

    timing = (
        requests.with_due_by()
        .exclude(due_by=None)
        .aggregate(
            on_time=Count("id", filter=Q(in_place_at__isnull=False, in_place_at__lte=F("due_by"))),
            late=Count(
                "id",
                filter=Q(due_by__lte=timezone.now())
                & (Q(in_place_at__isnull=True) | Q(in_place_at__gt=F("due_by")))
                & Q(state__in=[*OUTCOMES["agreed"], *OUTCOMES["partially_agreed"]]),
            ),
        )
    )
    return AdjustmentsReport(
        preset=preset.name,
        outcomes=list(OUTCOMES),
        rows=[
            {
                "category": category,
                "counts": dict(zip(OUTCOMES, table.cells[i], strict=True)),
                "total": table.row_totals[i],
            }
            for i, category in enumerate(categories)
        ],
        totals=dict(zip(OUTCOMES, table.column_totals, strict=True)),
        total=table.total,
        decided=suppress_count(n_decided, preset),
        median_days_to_decision=median_days,
        in_place_before_stage=suppress_count(timing["on_time"], preset),
        not_in_place_before_stage=suppress_count(timing["late"], preset),
    )
