"""Starting pay by group: for a releasable unit and period (the dashboard's, or each grade
band of a year in the publication pack), how many appointees' starting salaries are
recorded, the share who started above the bottom of their range, and where the median
starting salary sits in the range (and, for a grade band, in pounds on the band's typical
range). The result is plain data (JSON), as the other figures.

Every number comes from released cells (``release.pay_cells``): counts of appointees paid at
most each step up their range, perturbed by their cell keys, withheld below 10, and only
where the unit's appointments are released at all. The median is read off those cumulative
counts, never off anyone's salary: the median of a small group would be one person's pay,
which HR knows, and so would name the group they are in (docs/disclosure-control.md).
"""

from __future__ import annotations

from statistics import median
from typing import Any

from recruitment.models import PREFER_NOT_TO_SAY
from recruitment.monitoring import disclosure, release
from recruitment.monitoring.groups import (
    CHARACTERISTIC_LABELS,
    GROUPS,
    NOT_STATED,
    PAY_STEPS,
    group_label,
)
from recruitment.monitoring.release import Selection
from recruitment.monitoring.statistics import reference_group
from vacancies.models import Vacancy

#: The characteristics the publication pack reports starting pay for (the pay gaps councils
#: commit to measure: ethnicity, disability and sex).
PACK_CHARACTERISTICS = ["ethnicity_group", "disability", "sex"]

#: What a step of the range is called where the median falls in it.
STEP_WORDS = {
    0: "at the bottom of the range",
    250: "in the lowest quarter of the range",
    500: "in the second quarter of the range",
    750: "in the third quarter of the range",
    1000: "in the top quarter of the range",
}


def median_words(middle: dict[str, Any]) -> str | None:
    """Where the median is, in words: a step of the range, or a span of steps."""
    step, start = middle["step"], middle["from"]
    if step is None:
        return None
    if not middle["span"]:
        return str(STEP_WORDS[step])
    if start is None:
        return f"at most {step // 10}% of the way up the range"
    if start == 0:
        return f"above the bottom, at most {step // 10}% of the way up the range"
    return f"more than {start // 10}% and at most {step // 10}% of the way up the range"


def median_position(
    total: int | None, cumulative: list[int | None], known: list[bool] | None = None
) -> dict[str, Any]:
    """Where the median sits, from the released cumulative counts (``cumulative[i]``: those
    paid at most ``PAY_STEPS[i]`` thousandths up the range; ``known[i]``: whether that
    column is released at all): the step it falls in, and the point within it by linear
    interpolation. Nothing where the group's released total is below the minimum population
    for a rate (20).

    In a released column, a group's withheld count was published as below 10, so below half
    of a total of at least 20: the median lies above that step. A column withheld for
    everyone could hold the median, so then the median is given as the span from the last
    released step below half to the first reaching it (``from`` and ``step``). The point, like a rate, only where the counts on both
    sides of it are at least the minimum population."""
    least = disclosure.minimum()
    none: dict[str, Any] = {"position": None, "step": None, "from": None, "span": False}
    known = known if known is not None else [True] * len(PAY_STEPS)
    if total is None or total < least:
        return none
    half = total / 2
    before_step: int | None = None  # the last released step below half (None: none yet)
    before, gap = None, False
    for step, count, released in zip(PAY_STEPS, [*cumulative[:-1], total], known, strict=True):
        if not released:
            gap = True  # withheld for everyone: the median could be in it
            continue
        if count is not None and count >= half:
            if step == 0:
                return {"position": 0.0, "step": 0, "from": None, "span": False}
            if gap:
                # Somewhere above the last released step below half (or from the bottom
                # itself, if none), up to this one; from the bottom to the top says nothing.
                if before_step is None and step == PAY_STEPS[-1]:
                    return none
                return {"position": None, "step": step, "from": before_step, "span": True}
            if before is None or before_step is None or before < least or count < least:
                return {"position": None, "step": step, "from": None, "span": False}
            share = (half - before) / (count - before)  # before < half <= count
            point = (before_step + (step - before_step) * share) / 1000
            return {"position": round(point, 3), "step": step, "from": None, "span": False}
        before_step, before, gap = step, count, False
    return none  # not reached: the last count is the total


def typical_range(selection: Selection) -> tuple[int, int] | None:
    """A grade band's typical advertised range: the median bottom and the median top of its
    campaigns' ranges (public: they were advertised). None for other units, whose campaigns'
    ranges are too far apart to put a median in pounds."""
    if selection.unit.kind != disclosure.GRADE or not selection.vacancy_ids:
        return None
    ranges = list(
        Vacancy.objects.filter(pk__in=selection.vacancy_ids).values_list("salary_min", "salary_max")
    )
    if not ranges:
        return None
    return int(median(r[0] for r in ranges)), int(median(r[1] for r in ranges))


def _pounds(position: float | None, pay_range: tuple[int, int] | None) -> int | None:
    """A position on the typical range in pounds, to the nearest £100."""
    if position is None or pay_range is None:
        return None
    low, high = pay_range
    return int(round((low + position * (high - low)) / 100) * 100)


def pay_figures(characteristic: str, selection: Selection) -> dict[str, Any]:
    """Starting pay by group of ``characteristic`` in a selection."""
    cells = release.pay_cells(characteristic, selection)
    pay_range = typical_range(selection)
    every = [*GROUPS[characteristic], NOT_STATED, PREFER_NOT_TO_SAY]

    def row(groups: list[str], label: str, group: str) -> dict[str, Any]:
        cumulative = [cells.value(groups, f"le:{step}") for step in PAY_STEPS]
        total = cumulative[-1]
        above = cells.value(groups, "above_bottom")
        known = [cells.released(f"le:{step}") for step in PAY_STEPS]
        middle = median_position(total, cumulative, known)
        return {
            "group": group,
            "label": label,
            "appointed": total,
            "above_bottom": above,
            "above_bottom_share": disclosure.ratio(above, total),
            "median_position": middle["position"],
            "median_step": middle["step"],
            "median_from_step": middle["from"],
            "median_words": median_words(middle),
            "median_pounds": _pounds(middle["position"], pay_range),
            "gap_points": None,
            "above_bottom_gap_points": None,
        }

    rows = [row([g], group_label(characteristic, g), g) for g in GROUPS[characteristic]]
    reference = reference_group(characteristic)
    ref_row = next((r for r in rows if r["group"] == reference), None)
    for r in rows:
        ref = None if ref_row is None or r is ref_row else ref_row["median_position"]
        mine = r["median_position"]
        # The gap in median position against the reference group, in points of the range.
        r["gap_points"] = None if ref is None or mine is None else round((ref - mine) * 100, 1)
        # And in the share who started above the bottom, in percentage points.
        ref_share = None if ref_row is None or r is ref_row else ref_row["above_bottom_share"]
        share = r["above_bottom_share"]
        r["above_bottom_gap_points"] = (
            None if ref_share is None or share is None else round((ref_share - share) * 100, 1)
        )
    withheld = None
    if not selection.released["appointed"]:
        reason = selection.reasons["appointed"] or "Appointments are not published here."
        withheld = reason.replace("people reached this stage", "people were appointed here")
    elif not cells.released("le:1000"):
        withheld = (
            f"Fewer than {disclosure.minimum()} appointees here have a starting salary "
            f"recorded, or they are fewer than {disclosure.minimum()} away from all the "
            "appointees (whose salaries were not all recorded)."
        )
    return {
        "characteristic": characteristic,
        "label": CHARACTERISTIC_LABELS.get(characteristic, characteristic),
        "unit": selection.describe(),
        "reference": group_label(characteristic, reference),
        "typical_range": list(pay_range) if pay_range else None,
        "rows": rows,
        "not_stated": row(
            [NOT_STATED, PREFER_NOT_TO_SAY], "Not stated or prefer not to say", NOT_STATED
        ),
        "all": row(every, "All appointees", "all"),
        "minimum": disclosure.minimum(),
        "withheld": withheld,
    }


def grade_band_figures(period: disclosure.Period, characteristic: str) -> list[dict[str, Any]]:
    """Starting pay by group for every grade band of a decided year (the publication pack's),
    each through the release path as the dashboard's."""
    bands = [u for u in release.plan(period) if u["kind"] == disclosure.GRADE]
    out = []
    for unit in bands:
        selection = release.select(period=period.key, grade=unit["key"])
        out.append(pay_figures(characteristic, selection))
    return out


def csv_rows(data: dict[str, Any], symbol: str) -> list[list[Any]]:
    """The starting-pay figures as CSV rows, cell for cell as in the API, withheld cells as
    the preset's symbol."""

    def cell(value: Any) -> Any:
        return symbol if value is None else value

    rows: list[list[Any]] = [
        [
            "group",
            "Appointees",
            "Started above the bottom",
            "Share above the bottom",
            "Median position in the range",
            "Median, where in the range",
            "Median in pounds",
            "Gap in the median (points of the range)",
            "Gap in the share above the bottom (points)",
        ]
    ]
    for r in [*data["rows"], data["not_stated"], data["all"]]:
        rows.append(
            [
                r["label"],
                cell(r["appointed"]),
                cell(r["above_bottom"]),
                cell(r["above_bottom_share"]),
                cell(r["median_position"]),
                cell(r["median_words"]),
                cell(r["median_pounds"]) if data["typical_range"] else "",
                cell(r.get("gap_points")),
                cell(r.get("above_bottom_gap_points")),
            ]
        )
    rows += [
        [],
        ["unit", data["unit"]["label"]],
        ["period", data["unit"]["period_label"]],
        ["reference group", data["reference"]],
        [
            "note",
            "Counts are slightly adjusted to protect people and counts below 10 are not shown; "
            f"a median needs at least {data['minimum']} appointees and is read off the published "
            "counts of those paid at most each quarter of the way up their range.",
        ],
    ]
    if data["typical_range"]:
        low, high = data["typical_range"]
        rows.append(["typical range", f"£{low:,} to £{high:,}"])
    if data["withheld"]:
        rows.append(["withheld", data["withheld"]])
    return rows
