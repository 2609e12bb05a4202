"""Charts of rates for the dashboard and the publication pack, drawn on the server as SVG.

Each chart is geometry for its template (templates/monitoring/_chart_*.html): the figures
it draws are the released ones the table beside it shows, so the chart is never the only
place a figure is (it has its title, a text summary, and ``role="img"``). Rates, not raw
counts, so a small group is a bar of its own length, not a sliver; labels are wrapped and
their column sized to the longest line, so nothing is clipped."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from recruitment.monitoring.disclosure import ratio
from recruitment.monitoring.inference import Interval

#: Roughly how wide a character of 13px Arial is, for sizing the label column (generous,
#: so that a long label is wrapped rather than clipped).
CHAR_WIDTH = 7.4
LINE = 16
WRAP_AT = 26
BAR_AREA = 360
VALUE_ROOM = 110
#: GOV.UK colours that pass 3:1 against white and against each other's neighbours.
SHADES = ["#1d70b8", "#003078", "#4c2c92", "#00703c", "#d4351c"]


def wrap(label: str, width: int = WRAP_AT) -> list[str]:
    """A label in lines of at most ``width`` characters, broken at spaces."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def percent(rate: float | None, missing: str = "not shown") -> str:
    if rate is None:
        return missing
    return "less than 1%" if rate > 0 and round(rate * 100) == 0 else f"{round(rate * 100)}%"


@dataclass
class Bar:
    y: float
    width: float
    value: str
    name: str
    shade: str


@dataclass
class Row:
    lines: list[str]
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Key:
    """One entry of a chart's legend, placed so that the legend wraps inside the drawing."""

    name: str
    shade: str
    x: float
    y: float


@dataclass
class BarChart:
    title: str
    summary: str
    rows: list[Row]
    legend: list[Key]
    label_width: float
    width: float
    height: float
    bar: int = 14


def legend(series: list[str], top: float, width: float) -> tuple[list[Key], float]:
    """The legend's entries in rows no wider than ``width``; the height it needs."""
    keys, x, y = [], 0.0, top
    for i, name in enumerate(series):
        room = 17 + math.ceil(len(name) * CHAR_WIDTH) + 24
        if x and x + room > width:
            x, y = 0.0, y + LINE + 4
        keys.append(Key(name, SHADES[i % len(SHADES)], x, y))
        x += room
    return keys, y + LINE - top


def bar_chart(
    title: str,
    summary: str,
    series: list[str],
    rows: list[tuple[str, list[float | None]]],
    missing: list[str] | None = None,
) -> BarChart:
    """Grouped horizontal bars of rates (0 to 1): one row per group, one bar per series;
    ``missing``: what each series says where it has no figure ("not shown" by default)."""
    missing = missing or ["not shown"] * len(series)
    wrapped = [(wrap(name), values) for name, values in rows]
    longest = max((len(line) for lines, _ in wrapped for line in lines), default=10)
    label_width = math.ceil(longest * CHAR_WIDTH) + 12
    bar, gap, y = 14, 18, 8.0
    out = []
    for lines, values in wrapped:
        row = Row(lines, y)
        for i, value in enumerate(values):
            row.bars.append(
                Bar(
                    y=y + i * (bar + 3),
                    width=0 if not value else max(2, round(BAR_AREA * min(value, 1.0), 1)),
                    value=percent(value, missing[i]),
                    name=series[i],
                    shade=SHADES[i % len(SHADES)],
                )
            )
        out.append(row)
        y += max(len(values) * (bar + 3), len(lines) * LINE) + gap
    width = label_width + BAR_AREA + VALUE_ROOM
    keys, needed = legend(series, y, width)
    return BarChart(
        title=title,
        summary=summary,
        rows=out,
        legend=keys,
        label_width=label_width,
        width=width,
        height=y + needed + 4,
        bar=bar,
    )


def conversion_chart(label: str, funnel: Any, stage_labels: dict[str, str]) -> BarChart:
    """Of each group's applicants, the share who reached each later stage (from released
    counts, under ``disclosure.ratio``'s rules)."""
    first, later = funnel.stages[0], funnel.stages[1:]
    rows = [
        (row["label"], [ratio(row["counts"][s], row["counts"][first]) for s in later])
        for row in funnel.rows
    ]
    return bar_chart(
        f"{label}: share of applicants reaching each stage",
        "Each bar is the share of the group's applicants who reached that stage; "
        "“not shown” where a count behind it is not published. The figures are in the table.",
        [stage_labels.get(s, s).capitalize() for s in later],
        rows,
    )


def representation_chart(label: str, benchmark: str, rows: list[dict[str, Any]]) -> BarChart:
    """Each group's share of applicants beside its share of the local population."""
    return bar_chart(
        f"{label}: applicants against the local population",
        f"For each group, its share of applicants who answered, beside its share of the local "
        f"population ({benchmark}). The figures are in the table.",
        ["Applicants", "Local population"],
        [(r["label"], [r["share"], r["benchmark_share"]]) for r in rows],
        missing=["not shown", "no figure"],
    )


@dataclass
class LikelihoodChart:
    """A point and its interval on a log scale from 1/4 to 4, with 1 marked."""

    title: str
    summary: str
    x: float | None
    low: float | None
    high: float | None
    ticks: list[tuple[float, str]]
    one: float
    width: int = 520
    height: int = 90
    left: int = 30
    span: int = 460


def _position(value: float, left: int, span: int) -> float:
    clamped = min(max(value, 0.25), 4.0)
    return round(left + span * (math.log(clamped, 4) + 1) / 2, 1)


def likelihood_chart(title: str, summary: str, rl: float | None, interval: Any) -> LikelihoodChart:
    """The dot, its interval and 1, on a log scale from 1/4 to 4. ``summary`` (the direction
    in words) is said beside the chart; the caption says how to read it."""
    shown = [v for v in (rl, getattr(interval, "low", None), getattr(interval, "high", None))
             if v is not None]  # fmt: skip
    beyond = any(v < 0.25 or v > 4 for v in shown)
    summary = (
        "The dot is the relative likelihood and the line its 95% confidence interval; the "
        "dashed line at 1 means as likely."
        + (" Values below 0.25 or above 4 are drawn at the edge." if beyond else "")
        if rl is not None
        else "Not shown: a count behind it is not published."
    )
    chart = LikelihoodChart(title, summary, None, None, None, [], 0.0)
    chart.ticks = [(_position(v, chart.left, chart.span), t) for v, t in
                   ((0.25, "0.25"), (0.5, "0.5"), (1, "1"), (2, "2"), (4, "4"))]  # fmt: skip
    chart.one = _position(1, chart.left, chart.span)
    if rl is not None:
        chart.x = _position(rl, chart.left, chart.span)
    if interval is not None:
        chart.low = _position(interval.low, chart.left, chart.span)
        chart.high = _position(interval.high, chart.left, chart.span)
    return chart


def conversion_from_figures(figures: dict[str, Any]) -> BarChart:
    """``conversion_chart`` from a pack's stored figures (the same rates it printed)."""
    later = figures["stages"][1:]
    return bar_chart(
        f"{figures['label']}: share of applicants reaching each stage",
        "Each bar is the share of the group's applicants who reached that stage; "
        "“not shown” where a count behind it is not published. The figures are in the table.",
        [figures["stage_labels"][s].capitalize() for s in later],
        [(row["label"], [row["rates"][s] for s in later]) for row in figures["rows"]],
    )


def representation_from_figures(figures: dict[str, Any]) -> BarChart:
    representation = figures["representation"]
    return representation_chart(
        figures["label"], representation["benchmark"], representation["rows"]
    )


def likelihood_from_figures(figures: dict[str, Any]) -> LikelihoodChart:
    likelihood = figures["likelihood"]
    interval = (
        Interval(likelihood["low"], likelihood["high"]) if likelihood["low"] is not None else None
    )
    return likelihood_chart(
        f"{figures['label']}: relative likelihood of appointment from shortlisting, with its "
        "95% confidence interval",
        likelihood["direction"],
        likelihood["relative_likelihood"],
        interval,
    )
