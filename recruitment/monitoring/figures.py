"""One characteristic's figures for a releasable unit and period, as the dashboard and the
publication pack show them: the funnel as rates by group, declaration rates by stage, the
relative likelihood with its interval and direction in words, adverse impact with Fisher's
test (or its mid-p), and representation against the local benchmark. Every number is a
released count or worked out from released counts (recruitment/monitoring/statistics.py);
the result is plain data (JSON), so a published pack keeps exactly what it showed."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from recruitment.monitoring import inference, statistics
from recruitment.monitoring.disclosure import ratio
from recruitment.monitoring.groups import CHARACTERISTIC_LABELS, STAGE_LABELS, group_label
from recruitment.monitoring.presets import Preset
from recruitment.monitoring.release import Selection


def characteristic_figures(
    characteristic: str, preset: Preset, selection: Selection
) -> dict[str, Any]:
    mid_p = settings.MONITORING_FISHER_MID_P
    funnel = statistics.funnel(characteristic, preset, selection)
    likelihood = statistics.relative_likelihood(characteristic, preset, selection)
    representation = statistics.representation(characteristic, preset, selection)
    first = funnel.stages[0]
    label = CHARACTERISTIC_LABELS.get(characteristic, characteristic)
    reference = group_label(characteristic, likelihood.reference)
    ref_counts = likelihood.counts["reference"]
    cmp_counts = likelihood.counts["comparison"]
    published = likelihood.relative_likelihood is not None
    interval = inference.likelihood_interval(*ref_counts, *cmp_counts) if published else None
    best = likelihood.highest_rate_group

    return {
        "characteristic": characteristic,
        "label": label,
        "stages": funnel.stages,
        "stage_labels": {s: STAGE_LABELS.get(s, s) for s in funnel.stages},
        "rows": [
            {
                "group": row["group"],
                "label": row["label"],
                "counts": row["counts"],
                "rates": {
                    s: ratio(row["counts"][s], row["counts"][first]) for s in funnel.stages[1:]
                },
            }
            for row in funnel.rows
        ],
        "not_stated": funnel.not_stated,
        "prefer_not_to_say": funnel.prefer_not_to_say,
        "totals": funnel.totals,
        "declaration_rates": {s: ratio(funnel.stated[s], funnel.totals[s]) for s in funnel.stages},
        "withheld": funnel.withheld,
        "likelihood": {
            "from_stage": likelihood.from_stage,
            "to_stage": likelihood.to_stage,
            "reference": reference,
            "comparison": likelihood.comparison,
            "reference_rate": likelihood.reference_rate,
            "comparison_rate": likelihood.comparison_rate,
            "relative_likelihood": likelihood.relative_likelihood,
            "low": interval.low if interval else None,
            "high": interval.high if interval else None,
            "direction": inference.direction(
                likelihood.relative_likelihood,
                interval,
                f"applicants in the “{reference}” group",
                _others(likelihood.comparison),
                likelihood.from_stage,
                likelihood.to_stage,
            ),
            "fisher_p": likelihood.fisher_p,
        },
        "test": "Fisher's exact test, mid-p" if mid_p else "Fisher's exact test",
        "impact": [
            {
                "label": group_label(characteristic, g),
                "ratio": r,
                "p": likelihood.fisher_p_by_group[g],
                "adverse": g in likelihood.adverse_impact,
            }
            for g, r in likelihood.impact_ratios.items()
        ],
        "highest": group_label(characteristic, best) if best else None,
        "representation": {
            "benchmark": representation["benchmark"],
            "rows": [
                {**row, "label": group_label(characteristic, row["group"])}
                for row in representation["rows"]
            ],
        },
    }


def _others(comparison: str) -> str:
    return (
        comparison
        if comparison.startswith("all ")
        else f"those in the “{comparison[:1].upper()}{comparison[1:]}” group"
    )
