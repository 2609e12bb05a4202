"""Anonymised counts of adjustment requests for HR, through the one release path of every
statistic (recruitment/monitoring/disclosure.py, docs/disclosure-control.md): a releasable unit and period
whose applications are released at the applied stage, each count perturbed by its cell key,
every derived figure (the median time to a decision) computed from released counts. Grouped in
the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.utils import timezone

from adjustments.models import AdjustmentCategory, AdjustmentRequest, AdjustmentState
from recruitment.monitoring import disclosure
from recruitment.monitoring.presets import Preset
from recruitment.monitoring.release import Selection

OUTCOMES = {
    "agreed": [AdjustmentState.AGREED, AdjustmentState.IN_PLACE],
    "partially_agreed": [AdjustmentState.PARTIALLY_AGREED],
    "declined": [AdjustmentState.DECLINED],
    "withdrawn": [AdjustmentState.WITHDRAWN],
    "open": [AdjustmentState.REQUESTED, AdjustmentState.UNDER_REVIEW],
}
OUTCOME_LABELS = {
    "agreed": "Agreed",
    "partially_agreed": "Partially agreed",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
    "open": "Waiting for a decision",
}
#: Days from request to decision, in bands: the median is reported as a band, read off the
#: released counts of each band (a median of the raw durations would be one person's).
DECISION_BANDS = [
    ("within 2 days", 2),
    ("3 to 5 days", 5),
    ("6 to 10 days", 10),
    ("11 to 20 days", 20),
    ("more than 20 days", None),
]
KEY = F("record_key").bitand(255)


@dataclass(frozen=True)
class AdjustmentsReport:
    preset: str
    outcomes: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, int | None]
    total: int | None
    decided: int | None
    median_days_to_decision: str | None
    days_to_decision: dict[str, int | None]
    in_place_before_stage: int | None
    not_in_place_before_stage: int | None
    unit: dict[str, Any] = field(default_factory=dict)
    withheld: str | None = None


def _cell(pairs: list[tuple[int, int]], salt: int) -> int | None:
    return disclosure.perturb(sum(n for n, _ in pairs), sum(k for _, k in pairs) + salt)


def adjustments_report(*, preset: Preset, selection: Selection) -> AdjustmentsReport:
    """Requests on the applications of a releasable unit, by category and outcome. Released
    only where the unit's applications are (the applied stage); else every figure is null."""
    released = selection.released["applied"]
    requests = AdjustmentRequest.objects.filter(selection.scope("application__"))
    if not released:
        requests = requests.none()
    outcome_of = Case(
        *[When(state__in=states, then=Value(name)) for name, states in OUTCOMES.items()],
        output_field=CharField(),
    )
    grouped = (
        requests.annotate(outcome=outcome_of)
        .values("category", "outcome")
        .annotate(n=Count("id"), k=Sum(KEY))
        .order_by()
    )
    table: dict[str, dict[str, tuple[int, int]]] = {}
    for row in grouped:
        table.setdefault(row["category"], {})[row["outcome"]] = (row["n"], int(row["k"] or 0))
    categories = [c for c in AdjustmentCategory.values if c in table]

    def cells(category: str | None, outcome: str | None) -> list[tuple[int, int]]:
        return [
            pair
            for c in ([category] if category else categories)
            for o, pair in table.get(c, {}).items()
            if outcome in (None, o)
        ]

    took = F("decided_at") - F("requested_at")
    bands: dict[str, Any] = {}
    lower = None
    for _label, upper in DECISION_BANDS:
        condition = Q(decided_at__isnull=False)
        if lower is not None:
            condition &= Q(took__gt=timedelta(days=lower))
        if upper is not None:
            condition &= Q(took__lte=timedelta(days=upper))
        bands[f"n{len(bands) // 2}"] = Count("id", filter=condition)
        bands[f"k{len(bands) // 2}"] = Sum(KEY, filter=condition)
        lower = upper
    decided_filter = Q(decided_at__isnull=False)
    on_time = Q(in_place_at__isnull=False, in_place_at__lte=F("due_by"))
    late = (
        Q(due_by__lte=timezone.now())
        & (Q(in_place_at__isnull=True) | Q(in_place_at__gt=F("due_by")))
        & Q(state__in=[*OUTCOMES["agreed"], *OUTCOMES["partially_agreed"]])
    )
    sums = (
        requests.with_due_by()
        .annotate(took=took)
        .aggregate(
            decided_n=Count("id", filter=decided_filter),
            decided_k=Sum(KEY, filter=decided_filter),
            on_time_n=Count("id", filter=on_time & Q(due_by__isnull=False)),
            on_time_k=Sum(KEY, filter=on_time & Q(due_by__isnull=False)),
            late_n=Count("id", filter=late & Q(due_by__isnull=False)),
            late_k=Sum(KEY, filter=late & Q(due_by__isnull=False)),
            **bands,
        )
    )

    salt = selection.salt("adjustments")

    def published(count: str, keys: str) -> int | None:
        """One aggregate's count and key sum, released as every cell is."""
        return _cell([(sums[count] or 0, int(sums[keys] or 0))], salt)

    def released_sum(name: str) -> int | None:
        return published(f"{name}_n", f"{name}_k")

    histogram = {label: published(f"n{i}", f"k{i}") for i, (label, _) in enumerate(DECISION_BANDS)}
    return AdjustmentsReport(
        preset=preset.name,
        outcomes=list(OUTCOMES),
        rows=[
            {
                "category": category,
                "counts": {o: _cell(cells(category, o), salt) for o in OUTCOMES},
                "total": _cell(cells(category, None), salt),
            }
            for category in categories
        ],
        totals={o: _cell(cells(None, o), salt) for o in OUTCOMES},
        total=_cell(cells(None, None), salt),
        decided=released_sum("decided"),
        median_days_to_decision=_median_band(histogram),
        days_to_decision=histogram,
        in_place_before_stage=released_sum("on_time"),
        not_in_place_before_stage=released_sum("late"),
        unit=selection.describe(),
        withheld=None if released else selection.reasons["applied"],
    )


def _median_band(histogram: dict[str, int | None]) -> str | None:
    """The band holding the middle decision, from the released band counts alone. A null band
    (empty, or below the threshold) holds anywhere from 0 to 9 decisions as far as the reader
    can tell, so the median is released only when it is the same band whichever those are;
    it suffices to try each null band at 0 and at 9 (the band of the middle moves one way as
    a band below it grows and the other way as a band above it grows)."""
    labels = list(histogram)
    hidden = [i for i, label in enumerate(labels) if histogram[label] is None]
    if len(hidden) == len(labels):
        return None
    found: set[str] = set()
    for corner in product((0, disclosure.THRESHOLD - 1), repeat=len(hidden)):
        counts = [histogram[label] or 0 for label in labels]
        for i, value in zip(hidden, corner, strict=True):
            counts[i] = value
        total, running = sum(counts), 0
        for label, value in zip(labels, counts, strict=True):
            running += value
            if running * 2 >= total:
                found.add(label)
                break
        if len(found) > 1:
            return None
    return found.pop() if found else None
