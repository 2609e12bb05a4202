"""Large monitoring reports, computed by a Celery task with progress, the result kept (in the
cache: Redis in production) for download. Small ones are computed on the page."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from recruitment import statistics
from recruitment.suppression import PRESETS

KEEP_FOR = 7 * 24 * 3600  # a week


def _key(report_id: str) -> str:
    return f"monitoring-report:{report_id}"


def report_start(*, owner_id: int, preset: str, filters: dict[str, Any]) -> str:
    """Record a pending report and return its id; the caller queues the task on commit."""
    report_id = uuid.uuid4().hex
    cache.set(
        _key(report_id),
        {
            "id": report_id,
            "owner": owner_id,
            "preset": preset,
            "filters": filters,
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
    """Compute every characteristic's funnel, updating progress as each is done. Safe to run
    again: a finished report is left as it is."""
    report = report_get(report_id)
    if report is None or report["status"] == "done":
        return
    preset = PRESETS[report["preset"]]
    saved: dict[str, Any] = report["filters"]
    filters = statistics.Filters(
        vacancy=saved.get("vacancy"),
        department=saved.get("department"),
        grade=saved.get("grade"),
        closed_from=datetime.fromisoformat(saved["closed_from"])
        if saved.get("closed_from")
        else None,
        closed_to=datetime.fromisoformat(saved["closed_to"]) if saved.get("closed_to") else None,
    )
    report["status"] = "running"
    results: dict[str, Any] = {}
    for done, characteristic in enumerate(statistics.CHARACTERISTICS, start=1):
        results[characteristic] = asdict(statistics.funnel(characteristic, preset, filters))
        report["progress"] = round(100 * done / len(statistics.CHARACTERISTICS))
        cache.set(_key(report_id), report, KEEP_FOR)
    report.update(status="done", result=results, finished_at=timezone.now().isoformat())
    cache.set(_key(report_id), report, KEEP_FOR)


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for characteristic, data in report["result"].items():
        funnel = statistics.Funnel(**data)
        writer.writerow([f"characteristic: {characteristic}"])
        writer.writerows(statistics.funnel_csv_rows(funnel))
        writer.writerow([])
    return out.getvalue()
