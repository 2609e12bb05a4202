"""The release path's mechanics: the perturbation table, equivalence with ONS's own
``cell-key-perturbation`` package, the release plan's rules, and reporting periods."""

import random
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from cell_key_perturbation.create_perturbed_table import create_perturbed_table
from django.test import override_settings

from recruitment.models import EqualityAnswers
from recruitment.monitoring import disclosure, groups, release
from recruitment.monitoring.disclosure import Period, Unit, VacancyFact
from tests.support.factories import VacancyFactory

# --- The perturbation table ----------------------------------------------------------------


def published(pcv):
    return pcv + disclosure.ptable()[pcv].astype(int)


def test_the_table_is_pinned_so_it_cannot_change_silently():
    # Change PTABLE_VERSION (and docs/disclosure-control.md) with this hash: every published
    # figure changes with the table.
    assert disclosure.PTABLE_VERSION == "recruitment-ckp-1"
    assert disclosure.ptable_sha256() == (
        "cd3f4192ddf4368278360c1e6c2a246027e09eb0e4a6ff8f6de6604bc49fb1e7"
    )
    assert disclosure.ptable().shape == (751, 256)
    assert not disclosure.ptable()[0].any()  # an empty cell is never adjusted


@pytest.mark.parametrize("pcv", [1, 2, 5, 9, 10, 11, 12, 13, 50, 499, 500, 501, 749, 750])
def test_every_row_is_unbiased_and_publishes_nothing_from_1_to_9_and_nothing_negative(pcv):
    values = published(pcv)
    assert values.mean() == pcv  # exactly: each row's 256 outcomes average to the count
    assert values.min() >= 0
    assert not ((values > 0) & (values < disclosure.THRESHOLD)).any()


def test_all_rows_at_once():
    pcv = np.arange(1, 751)
    values = pcv[:, None] + disclosure.ptable()[1:].astype(int)
    assert (values.mean(axis=1) == pcv).all()
    assert values.min() == 0
    assert not ((values > 0) & (values < 10)).any()
    # The adjustment depends on the cell key in every row (the shipped 10-5 table's does not).
    assert all(len(set(row)) > 1 for row in disclosure.ptable()[1:])
    # Small variance away from the threshold: within 2 of the truth, variance under 1.
    far = values[11:] - pcv[11:, None]
    assert np.abs(far).max() == 2
    assert (far.var(axis=1) < 1).all()


def test_counts_above_750_fold_onto_501_to_750_as_the_ons_package_does():
    assert disclosure.perturb(751, 7) == 751 + int(disclosure.ptable()[501, 7])
    assert disclosure.perturb(1000, 300) == 1000 + int(disclosure.ptable()[750, 300 % 256])
    assert disclosure.perturb(0, 0) is None


# --- The SQL path gives exactly what ONS's package gives -----------------------------------------

ETHNIC = ["white_british", "asian_indian", "black_african", "mixed_other", "other_arab"]


@pytest.mark.django_db
def test_the_sql_path_equals_create_perturbed_table_on_the_same_rows_keys_and_table():
    """1,800 monitoring rows (one group above 750, so folding is exercised), grouped in the
    database; the same rows, record keys and table through ONS's create_perturbed_table."""
    rng = random.Random(11)
    vacancy = VacancyFactory()
    weights = [820, 400, 300, 200, 60]  # white above 750; groups down to a few at late stages
    rows = []
    for ethnicity, n in zip(ETHNIC, weights, strict=True):
        for _ in range(n):
            stage = rng.choices(groups.STAGES, weights=[50, 25, 15, 5, 5])[0]
            rows.append(
                EqualityAnswers(
                    vacancy=vacancy,
                    furthest_stage=stage,
                    ethnicity=ethnicity,
                    age_band=rng.choice(["16-24", "25-34", "35-44", "45-54", "55-64", "65+", ""]),
                )
            )
    rows += [EqualityAnswers(vacancy=vacancy, furthest_stage="applied") for _ in range(20)]
    EqualityAnswers.objects.bulk_create(rows)
    selection = release.Selection(
        unit=Unit("campaign", str(vacancy.pk), "2024-25-Q1", "test"),
        period=Period(2024, 1),
        vacancy_ids=[vacancy.pk],
        released=dict.fromkeys(groups.STAGES, True),
        reasons=dict.fromkeys(groups.STAGES, ""),
    )
    ptable = pd.DataFrame(disclosure.ptable_rows(), columns=["pcv", "ckey", "pvalue"])
    stored = list(EqualityAnswers.objects.filter(vacancy=vacancy))
    compared = 0
    for characteristic, group_of in (
        ("ethnicity_group", lambda r: r.ethnicity.split("_")[0] if r.ethnicity else "not_stated"),
        ("age_band", lambda r: r.age_band or "not_stated"),
    ):
        cells = release.cells(characteristic, selection)
        for i, stage in enumerate(groups.STAGES):
            reached = [r for r in stored if groups.STAGES.index(r.furthest_stage) >= i]
            frame = pd.DataFrame(
                {
                    "group": [group_of(r) for r in reached],
                    "everyone": ["all"] * len(reached),
                    "key": [(r.record_key >> (8 * i)) & 255 for r in reached],
                }
            )
            theirs = create_perturbed_table(frame, ptable, [], ["group"], "key", threshold=10)
            for _, row in theirs.iterrows():
                expected = None if pd.isna(row["count"]) else int(row["count"])
                assert cells.value([row["group"]], stage) == expected, (stage, row["group"])
                compared += 1
            total = create_perturbed_table(frame, ptable, [], ["everyone"], "key", threshold=10)
            everyone = release._all(characteristic)
            assert cells.value(everyone, stage) == int(total["count"].iloc[0])
    assert compared >= 50


# --- The release plan --------------------------------------------------------------------------

YEAR = Period(2024)


def fact(i, department, counts, quarter=1, grade="P3"):
    return VacancyFact(
        id=i,
        department=department,
        grade_band=grade,
        period=Period(2024, quarter),
        finished=True,
        reference=f"V{i}",
        counts=tuple(counts),
    )


def plan_of(facts):
    units = disclosure.units_of(YEAR, facts)
    counts = {f.id: f.counts for f in facts}
    decisions = disclosure.decide(units, counts, 5)
    return {(d.unit.kind, d.unit.key, d.unit.period, d.stage): d for d in decisions}


def test_a_column_needs_the_minimum_population():
    plan = plan_of([fact(1, "A", [20, 19, 0, 0, 0])])
    assert plan["organisation", "", "2024-25", 0].released
    assert not plan["organisation", "", "2024-25", 1].released
    assert plan["organisation", "", "2024-25", 1].reason == (
        "Fewer than 20 people reached this stage."
    )
    assert plan["organisation", "", "2024-25", 2].reason == "Nobody reached this stage."


def test_two_columns_that_differ_by_a_few_people_are_never_both_released():
    # Department A is the organisation less one person (department B's only applicant).
    plan = plan_of([fact(1, "A", [60, 0, 0, 0, 0]), fact(2, "B", [1, 0, 0, 0, 0])])
    assert plan["organisation", "", "2024-25", 0].released
    withheld = plan["department", "a", "2024-25", 0]
    assert not withheld.released
    assert withheld.reason.startswith("It differs from the whole organisation (2024-25) by fewer")
    # Identical populations (the quarter that holds the whole year) are both released: equal
    # figures tell nothing new.
    assert plan["organisation", "", "2024-25-Q1", 0].released


def test_a_parent_less_its_released_children_never_leaves_a_few_people():
    # A and B are released (100 each); C (5) is too small, so the organisation less A and B
    # would be C's five people: the smallest of A and B is withheld as well.
    plan = plan_of(
        [
            fact(1, "A", [100, 0, 0, 0, 0]),
            fact(2, "B", [101, 0, 0, 0, 0], grade="P4"),
            fact(3, "C", [5, 0, 0, 0, 0], grade="P5"),
        ]
    )
    assert plan["organisation", "", "2024-25", 0].released
    assert plan["department", "b", "2024-25", 0].released
    assert not plan["department", "c", "2024-25", 0].released
    withheld = plan["department", "a", "2024-25", 0]
    assert not withheld.released
    assert "less its published parts" in withheld.reason


def test_quarters_are_protected_against_the_year():
    # Q1 has 100, Q2 has 3: Q1 alone would differ from the year by 3.
    plan = plan_of([fact(1, "A", [100, 0, 0, 0, 0], 1), fact(2, "A", [3, 0, 0, 0, 0], 2)])
    assert plan["organisation", "", "2024-25", 0].released
    assert not plan["organisation", "", "2024-25-Q1", 0].released
    assert not plan["organisation", "", "2024-25-Q2", 0].released


def test_a_campaign_is_a_unit_only_when_large():
    plan = plan_of([fact(1, "A", [150, 30, 0, 0, 0]), fact(2, "A", [99, 0, 0, 0, 0], quarter=2)])
    assert ("campaign", "1", "2024-25-Q1", 0) in plan
    assert ("campaign", "2", "2024-25-Q2", 0) not in plan
    # The campaign equals the organisation's first quarter: both released.
    assert plan["campaign", "1", "2024-25-Q1", 0].released
    assert plan["organisation", "", "2024-25-Q1", 0].released


def test_no_two_released_columns_differ_by_a_few_people_on_random_organisations():
    """Property: whatever the organisation, no two released columns of a stage differ by
    1..19 people, and no parent less its released children leaves 1..19."""
    rng = random.Random(5)
    for _ in range(40):
        facts = []
        for i in range(rng.randint(1, 12)):
            applied = rng.choice([1, 3, 8, 15, 25, 40, 120, 300])
            shortlisted = rng.randint(0, applied)
            facts.append(
                fact(
                    i,
                    rng.choice(["A", "B", "C"]),
                    [applied, shortlisted, rng.randint(0, shortlisted), 0, 0],
                    quarter=rng.randint(1, 4),
                    grade=rng.choice(["P1", "P2"]),
                )
            )
        units = disclosure.units_of(YEAR, facts)
        counts = {f.id: f.counts for f in facts}
        decisions = disclosure.decide(units, counts, 5)
        for stage in range(5):
            out = [d.unit for d in decisions if d.stage == stage and d.released]
            pops = {u: {(v, k) for v in units[u] for k in range(counts[v][stage])} for u in out}
            for a in out:
                assert len(pops[a]) >= 20
                for b in out:
                    assert len(pops[a] ^ pops[b]) == 0 or len(pops[a] ^ pops[b]) >= 20, (a, b)
                families = {}
                for c in out:
                    if units[c] <= units[a] and (family := disclosure._family(a, c)):
                        families.setdefault(family, []).append(c)
                for children in families.values():
                    left = len(pops[a]) - sum(len(pops[c]) for c in children)
                    assert left == 0 or left >= 20, (a, children)


# --- Reporting periods -------------------------------------------------------------------------


def test_reporting_years_run_april_to_march_and_name_themselves_plainly():
    year = disclosure.parse_period("2025-26")
    assert (year.start.isoformat(), year.end.isoformat()) == (
        "2025-04-01T00:00:00+01:00",
        "2026-04-01T00:00:00+01:00",
    )
    assert year.label == "Reporting year 2025 to 2026 (April 2025 to March 2026)"
    q4 = disclosure.parse_period("2025-26-Q4")
    assert q4.label == "Quarter 4 of 2025-26 (January 2026 to March 2026)"
    moment = datetime(2026, 3, 31, 23, 30, tzinfo=disclosure.LONDON)
    assert disclosure.period_of(moment) == q4
    assert disclosure.period_of(moment + timedelta(hours=1)) == Period(2026, 1)


@pytest.mark.parametrize("text", ["2025", "2025-27", "25-26", "2025-26-Q5", "2025-26Q1", "x"])
def test_a_period_that_is_not_a_reporting_year_or_quarter_is_refused(text):
    with pytest.raises(ValueError, match="reporting year"):
        disclosure.parse_period(text)


@override_settings(MONITORING_YEAR_START_MONTH=1)
def test_the_year_may_start_in_january():
    year = disclosure.parse_period("2025-26")
    assert (year.start.month, year.end.year) == (1, 2026)
