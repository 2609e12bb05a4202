"""Large monitoring reports, computed by a Celery task with progress, the result kept (in the
cache: Redis in production) for download. Small ones are computed on the page."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from adjustments.models import AdjustmentCategory, AdjustmentState
from adjustments.reporting import adjustments_report
from recruitment.monitoring import groups, release, statistics
from recruitment.monitoring.presets import PRESETS

KEEP_FOR = 7 * 24 * 3600  # a week


def _key(report_id: str) -> str:
    return f"monitoring-report:{report_id}"


def report_start(*, owner_id: int, preset: str, selection: dict[str, Any]) -> str:
    """Record a pending report and return its id; the caller queues the task on commit.
    ``selection`` names the unit and period as ``release.select`` takes them."""
    report_id = uuid.uuid4().hex
    cache.set(
        _key(report_id),
        {
            "id": report_id,
            "owner": owner_id,
            "preset": preset,
            "selection": selection,
            "status": "pending",
            "progress": 0,
            "created_at": timezone.now().isoformat(),
            "result": None,
        },
        KEEP_FOR,
    )
    return report_id


def report_get(report_id: str) -> dict[str, Any] | None:
    return cache.get(_key(report_id))


def report_run(report_id: str) -> None:
    """Compute every report (the funnel, relative likelihood and representation for every
    characteristic, and the adjustments report) through the same release path as the pages,
    updating progress as each is done. Safe to run again: a finished report is left as it
    is."""
    report = report_get(report_id)
    if report is None or report["status"] == "done":
        return
    preset = PRESETS[report["preset"]]
    selection = release.select(**report["selection"])
    report["status"] = "running"
    results: dict[str, Any] = {}
    for done, characteristic in enumerate(groups.CHARACTERISTICS, start=1):
        results[characteristic] = {
            "funnel": asdict(statistics.funnel(characteristic, preset, selection)),
            "relative_likelihood": asdict(
                statistics.relative_likelihood(characteristic, preset, selection)
            ),
            "representation": statistics.representation(characteristic, preset, selection),
        }
        report["progress"] = round(100 * done / (len(groups.CHARACTERISTICS) + 1))
        cache.set(_key(report_id), report, KEEP_FOR)
    # The adjustments report on the same unit.
    adjustments = asdict(adjustments_report(preset=preset, selection=selection))
    report.update(
        status="done",
        result=results,
        adjustments=adjustments,
        progress=100,
        finished_at=timezone.now().isoformat(),
    )
    cache.set(_key(report_id), report, KEEP_FOR)


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    symbol = PRESETS[report["preset"]].symbol
    for characteristic, data in report["result"].items():
        label = groups.CHARACTERISTIC_LABELS.get(characteristic, characteristic)
        writer.writerow([label, "Funnel"])
        writer.writerows(statistics.funnel_csv_rows(statistics.Funnel(**data["funnel"])))
        writer.writerow([])
        writer.writerow([label, "Relative likelihood"])
        likelihood = statistics.Likelihood(**data["relative_likelihood"])
        writer.writerows(statistics.likelihood_csv_rows(likelihood, symbol))
        writer.writerow([])
        writer.writerow([label, "Representation"])
        writer.writerows(statistics.representation_csv_rows(data["representation"], symbol))
        writer.writerow([])
    adjustments = report.get("adjustments")
    if adjustments:
        categories = dict(AdjustmentCategory.choices)
        outcomes = dict(AdjustmentState.choices)
        writer.writerow(["Adjustment requests", "By kind and outcome"])
        writer.writerow(["Kind", *(outcomes.get(o, o) for o in adjustments["outcomes"]), "Total"])
        for row in adjustments["rows"]:
            counts = [row["counts"][o] for o in adjustments["outcomes"]]
            writer.writerow(
                [
                    categories.get(row["category"], row["category"]),
                    *(symbol if n is None else n for n in [*counts, row["total"]]),
                ]
            )
        totals = [adjustments["totals"][o] for o in adjustments["outcomes"]]
        writer.writerow(
            ["Total", *(symbol if n is None else n for n in [*totals, adjustments["total"]])]
        )
    return out.getvalue()
