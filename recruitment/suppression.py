"""Small-number suppression (statistical disclosure control): the one function every output of
statistics goes through, for the API, CSV and pages alike. There is no unsuppressed output.

Presets (../shared/domain.md §7):
- ``nhs``: counts 1–7 suppressed, others rounded to the nearest 5 (zero shown as 0);
- ``ons`` ("10-5"): counts below 10 suppressed, others rounded to the nearest 5;
- ``ofqual``: counts 1–4 suppressed ("fewer than 5"), zero shown, others rounded to 5.

Secondary suppression: a table is published with its row and column totals, so in every row
and every column of the table *including its totals*, either no cell is suppressed or at least
two are. With one, it could be recovered by subtracting the others from the total.

Known limit: the two-per-line rule stops recovery from any single row or column, which is
what the presets require; it does not search for recovery through chains of several lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    symbol: str
    is_small: Callable[[int], bool]
    round_to: int = 5

    def publish(self, count: int) -> int:
        """Round a count that is not suppressed to the nearest ``round_to`` (half up)."""
        return (count + self.round_to // 2) // self.round_to * self.round_to


PRESETS: dict[str, Preset] = {
    "nhs": Preset("nhs", "*", lambda n: 1 <= n <= 7),
    "ons": Preset("ons", "[c]", lambda n: n < 10),
    "ofqual": Preset("ofqual", "fewer than 5", lambda n: 1 <= n <= 4),
}
DEFAULT_PRESET = "nhs"


@dataclass(frozen=True)
class SuppressedTable:
    """A published table: ``None`` wherever a count is suppressed."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    hidden: list[list[bool]]  # over the extended table, totals last


def suppress_count(count: int, preset: Preset) -> int | None:
    """A single published count (no table around it)."""
    return None if preset.is_small(count) else preset.publish(count)


def suppress_table(
    counts: Sequence[Sequence[int]], preset: Preset, *, row_totals: bool = True
) -> SuppressedTable:
    """Suppress a table of counts and its totals, primary and secondary.

    ``row_totals=False`` is for tables whose columns do not add up across a row (a funnel's
    stages are nested, not parts of a whole): only the column totals are published, so only
    the columns are lines to protect."""
    rows, cols = len(counts), len(counts[0]) if counts else 0
    extended = [[*row, sum(row)] for row in counts]
    extended.append([sum(counts[i][j] for i in range(rows)) for j in range(cols)])
    extended[-1].append(sum(extended[-1]))
    hidden = [[preset.is_small(value) for value in row] for row in extended]
    if not row_totals:
        for row in hidden:
            row[cols] = True  # the last column is not published at all

    lines = [[(i, j) for i in range(rows + 1)] for j in range(cols)]
    if row_totals:
        lines += [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
        lines.append([(i, cols) for i in range(rows + 1)])
    changed = True
    while changed:
        changed = False
        for line in lines:
            suppressed = [cell for cell in line if hidden[cell[0]][cell[1]]]
            if len(suppressed) != 1:
                continue
            visible = [cell for cell in line if not hidden[cell[0]][cell[1]]]
            # Hide the smallest other cell: it costs the least information.
            i, j = min(visible, key=lambda cell: (extended[cell[0]][cell[1]], cell))
            hidden[i][j] = True
            changed = True

    published = [
        [None if hidden[i][j] else preset.publish(extended[i][j]) for j in range(cols + 1)]
        for i in range(rows + 1)
    ]
    return SuppressedTable(
        cells=[row[:cols] for row in published[:rows]],
        row_totals=[row[cols] if row_totals else None for row in published[:rows]],
        column_totals=published[rows][:cols],
        total=published[rows][cols],
        hidden=hidden,
    )


def rate(numerator: int, denominator: int, preset: Preset) -> float | None:
    """A rate is published only when neither of its counts would be suppressed."""
    if denominator == 0 or preset.is_small(numerator) or preset.is_small(denominator):
        return None
    return numerator / denominator
