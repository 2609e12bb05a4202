"""Small-number suppression: presets, and no suppressed cell recoverable by subtraction."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.suppression import PRESETS, rate, suppress_count, suppress_table


@pytest.mark.parametrize(
    ("preset", "published"),
    [
        ("nhs", {0: 0, 1: None, 7: None, 8: 10, 12: 10, 13: 15, 640: 640}),
        ("ons", {0: None, 9: None, 10: 10, 12: 10, 13: 15}),
        ("ofqual", {0: 0, 1: None, 4: None, 5: 5, 7: 5, 8: 10}),
    ],
)
def test_presets_suppress_and_round_as_published(preset, published):
    assert {n: suppress_count(n, PRESETS[preset]) for n in published} == published


def test_a_single_small_cell_is_hidden_with_a_partner_in_its_row_and_column():
    table = suppress_table([[640, 3], [55, 40]], PRESETS["nhs"])

    # 3 is primary. Its row needs a partner (640, the smallest other), so does its column
    # (40); then column 0 has one hidden (640) and takes 55. Totals stay visible, rounded.
    assert table.cells == [[None, None], [None, None]]
    assert table.row_totals == [645, 95]
    assert table.column_totals == [695, 45]
    assert table.total == 740


def test_a_table_with_nothing_small_is_only_rounded():
    table = suppress_table([[640, 55], [40, 38]], PRESETS["nhs"])

    assert table.cells == [[640, 55], [40, 40]]
    assert table.row_totals == [695, 80]
    assert table.column_totals == [680, 95]
    assert table.total == 775


def test_rates_are_withheld_when_an_input_is_suppressed():
    nhs = PRESETS["nhs"]
    assert rate(40, 640, nhs) == 40 / 640
    assert rate(5, 640, nhs) is None
    assert rate(0, 0, nhs) is None


@settings(max_examples=300, deadline=None)
@given(
    counts=st.integers(min_value=1, max_value=5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=60), min_size=cols, max_size=cols),
            min_size=1,
            max_size=6,
        )
    ),
    preset=st.sampled_from(sorted(PRESETS)),
)
def test_no_suppressed_cell_can_be_recovered_by_subtraction(counts, preset):
    table = suppress_table(counts, PRESETS[preset])
    hidden = table.hidden
    rows, cols = len(hidden), len(hidden[0])

    # Primary: every small count is hidden.
    extended = [[*row, sum(row)] for row in counts]
    extended.append([sum(col) for col in zip(*extended, strict=True)])
    for i in range(rows):
        for j in range(cols):
            if PRESETS[preset].is_small(extended[i][j]):
                assert hidden[i][j]
    # Secondary: no row or column (totals included) has exactly one hidden cell.
    for i in range(rows):
        assert sum(hidden[i]) != 1, (counts, hidden)
    for j in range(cols):
        assert sum(hidden[i][j] for i in range(rows)) != 1, (counts, hidden)
    # Published cells are the rounded counts; hidden ones are None.
    published = [[*r, t] for r, t in zip(table.cells, table.row_totals, strict=True)]
    published.append([*table.column_totals, table.total])
    for i in range(rows):
        for j in range(cols):
            expected = None if hidden[i][j] else PRESETS[preset].publish(extended[i][j])
            assert published[i][j] == expected


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=5, max_size=5),
        min_size=1,
        max_size=8,
    ),
    preset=st.sampled_from(sorted(PRESETS)),
)
def test_a_funnel_table_protects_every_stage_column(counts, preset):
    """Funnel stages are nested, so only column (stage) totals are published."""
    table = suppress_table(counts, PRESETS[preset], row_totals=False)

    assert table.row_totals == [None] * len(counts)
    rows = len(counts)
    for j in range(5):
        column = [table.hidden[i][j] for i in range(rows + 1)]
        assert sum(column) != 1, (counts, table.hidden)
        for i in range(rows):
            if PRESETS[preset].is_small(counts[i][j]):
                assert table.cells[i][j] is None
