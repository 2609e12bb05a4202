"""Disclosure control: the one release path of every statistic (docs/disclosure-control.md).

The adversary is an HR user who knows every application's candidate, vacancy, dates and stage,
and can ask anything any number of times through every channel. Two mechanisms, together:

1. **Releasable units.** Figures are released only for fixed units (the organisation, a
   department, a grade band, and a campaign when it is large) over fixed periods (a reporting
   year, a reporting quarter), once the period has finished and every campaign in it has
   ended, so the figures no longer move. Each stage column of a unit is released only if at
   least ``MONITORING_MIN_POPULATION`` people reached that stage in it, if it differs from every
   other released column of the same stage by none or at least that many people, and if no
   parent unit minus its released parts leaves a few people. Decisions are stored when a period
   is first decided and never revisited, so what was released once is never contradicted.
2. **Cell key perturbation**, as ONS does it (the PyPI package ``cell-key-perturbation``):
   every monitoring row carries a random record key; a cell's key is the sum of its records'
   keys modulo 256; the published count is the true count plus an adjustment looked up in a
   perturbation table by (count, cell key); a count below 10 is not published. The same people
   always give the same figure. Each stage has its own byte of the record key, so two columns
   holding the same people are adjusted independently.

Every derived figure (rate, share, ratio, test) is computed from released counts only.
This module holds the mechanics; ``recruitment/monitoring/statistics.py`` (the only reader of equality
answers) feeds it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.utils import timezone

# --- The perturbation table ------------------------------------------------------------------

#: Version of the table below; change it (and the pinned hash in the tests) with any parameter.
PTABLE_VERSION = "recruitment-ckp-1"
#: Counts below this are not published (as in ONS's flexible tables).
THRESHOLD = 10
#: Cell keys run 0..255, as in the ONS package's tables.
CKEY_RANGE = 256
#: Rows of the table; larger counts fold onto 501..750 as the ONS package does.
MAX_PCV = 750
#: The adjustment's distribution away from the threshold, in 256ths: -2..+2, mean 0,
#: variance 242/256 (about 0.95), so a published count is usually within 2 of the truth.
KERNEL: dict[int, int] = {-2: 19, -1: 45, 0: 128, 1: 45, 2: 19}
#: Seed of the (reproducible) assignment of adjustments to cell keys.
PTABLE_SEED = 20261124


def _distribution(count: int) -> Counter[int]:
    """How often (in 256ths) a true ``count`` is published as each value: exactly unbiased
    (mean ``count``), never negative, never 1..9 (values below the threshold are published as
    nothing, so small counts go to 0 or to 10 and above, in proportions that keep the mean)."""
    weights: Counter[int] = Counter()
    for offset, weight in KERNEL.items():
        value = count + offset
        if value >= THRESHOLD:
            weights[value] += weight
        elif value <= 0:
            weights[0] += weight
        else:  # 1..9: split between 0 and 10 keeping the mean as far as whole 256ths allow
            up = weight * value // THRESHOLD
            weights[THRESHOLD] += up
            weights[0] += weight - up
    deficit = CKEY_RANGE * count - sum(v * w for v, w in weights.items())
    while deficit:
        if deficit >= THRESHOLD and weights[0]:
            weights[0] -= 1
            weights[THRESHOLD] += 1
            deficit -= THRESHOLD
        elif deficit > 0:
            source = max(
                (v for v in weights if v >= THRESHOLD and weights[v]), key=weights.__getitem__
            )
            weights[source] -= 1
            weights[source + 1] += 1
            deficit -= 1
        else:
            above = [v for v in weights if v > THRESHOLD and weights[v]]
            if above:
                source = max(above, key=weights.__getitem__)
                weights[source] -= 1
                weights[source - 1] += 1
                deficit += 1
            else:
                weights[THRESHOLD] -= 1
                weights[0] += 1
                deficit += THRESHOLD
    return +weights


@cache
def ptable() -> np.ndarray:
    """The adjustment for (count, cell key): ``ptable()[pcv, ckey]``, pcv 0..750. Row 0 (an
    empty cell) is all zeros. Each row holds its distribution's values in an order shuffled
    with a fixed seed, so the adjustment depends on the cell key and the table is the same on
    every machine (its SHA-256 is pinned in the tests)."""
    table = np.zeros((MAX_PCV + 1, CKEY_RANGE), dtype=np.int16)
    for pcv in range(1, MAX_PCV + 1):
        outcomes = np.repeat(
            np.array(list(_distribution(pcv).keys()), dtype=np.int16) - pcv,
            list(_distribution(pcv).values()),
        )
        rng = np.random.default_rng([PTABLE_SEED, pcv])
        table[pcv] = rng.permutation(outcomes)
    table.setflags(write=False)
    return table


def ptable_sha256() -> str:
    return hashlib.sha256(ptable().tobytes()).hexdigest()


def ptable_rows() -> Iterable[tuple[int, int, int]]:
    """The table in the ONS package's format: (pcv, ckey, pvalue) for pcv 1..750."""
    table = ptable()
    for pcv in range(1, MAX_PCV + 1):
        for ckey in range(CKEY_RANGE):
            yield pcv, ckey, int(table[pcv, ckey])


def perturb(count: int, key_sum: int) -> int | None:
    """The published figure for a cell of ``count`` records whose record keys sum to
    ``key_sum``; ``None`` where it is below the threshold (an empty cell included)."""
    if count <= 0:
        return None
    pcv = count if count <= MAX_PCV else (count - 1) % 250 + 501
    value = count + int(ptable()[pcv, key_sum % CKEY_RANGE])
    return None if value < THRESHOLD else value


def unit_salt(seed: str, unit: Unit, stage: str) -> int:
    """The secret offset (0..255) of a unit's cell keys at a stage: an HMAC of the unit under
    its year's random seed (``DecidedYear.seed``). ONS's method gives the same people the same
    figure everywhere; across units that lets a known difference show as the one cell that
    moved, even when the difference is padded with applicants whose answers the attacker
    knows. With the offset, each unit's figures are adjusted independently; within a unit
    and stage they stay the same every time. No seed (nothing decided): no offset."""
    if not seed:
        return 0
    message = f"{unit.kind}|{unit.key}|{unit.period}|{stage}".encode()
    return hmac.new(seed.encode(), message, hashlib.sha256).digest()[0]


def new_record_key() -> int:
    """A monitoring row's random record key: one byte per stage (five), never output."""
    return secrets.randbits(8 * 5)


def stage_key_shift(stage_index: int) -> int:
    return 8 * stage_index


# --- Derived figures -------------------------------------------------------------------------


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """A rate or share from released figures only, and only where both are at least
    ``minimum()``: a published count near the threshold can be several people off (a true 3
    may show as 10, which keeps the table unbiased), too far for a rate to mean anything."""
    if numerator is None or denominator is None:
        return None
    if numerator < minimum() or denominator < minimum():
        return None
    return min(1.0, round(numerator / denominator, 4))


# --- Reporting periods -----------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-Q([1-4]))?$")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _start_month() -> int:
    return int(settings.MONITORING_YEAR_START_MONTH)


def _month_start(year: int, month: int) -> datetime:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=LONDON)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting year (``2025-26``) or one of its quarters (``2025-26-Q1``). The year starts
    in ``MONITORING_YEAR_START_MONTH`` (April by default, as UK public bodies report)."""

    year: int
    quarter: int | None = None

    @property
    def key(self) -> str:
        base = f"{self.year}-{(self.year + 1) % 100:02d}"
        return base if self.quarter is None else f"{base}-Q{self.quarter}"

    @property
    def start(self) -> datetime:
        return _month_start(self.year, _start_month() + 3 * ((self.quarter or 1) - 1))

    @property
    def end(self) -> datetime:
        months = 12 if self.quarter is None else 3
        return _month_start(self.year, _start_month() + 3 * ((self.quarter or 1) - 1) + months)

    @property
    def label(self) -> str:
        last = _month_start(self.end.year, self.end.month - 1)
        span = f"{MONTHS[self.start.month - 1]} {self.start.year} to {MONTHS[last.month - 1]} {last.year}"
        if self.quarter is None:
            years = (
                str(self.start.year)
                if self.start.year == last.year
                else f"{self.start.year} to {last.year}"
            )
            return f"Reporting year {years} ({span})"
        return f"Quarter {self.quarter} of {self.year_period.key} ({span})"

    @property
    def year_period(self) -> Period:
        return Period(self.year)

    @property
    def quarters(self) -> list[Period]:
        return [Period(self.year, q) for q in range(1, 5)]

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.end

    def __str__(self) -> str:
        return self.key


def period_of(moment: datetime) -> Period:
    """The quarter a moment falls in."""
    local = timezone.localtime(moment, LONDON)
    months = (local.year * 12 + local.month - 1) - (local.year * 12 + _start_month() - 1)
    year = local.year if months >= 0 else local.year - 1
    months %= 12
    return Period(year, months // 3 + 1)


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError("Give a reporting year like 2025-26 or a quarter like 2025-26-Q1.")
    year = int(match.group(1))
    if int(match.group(2)) != (year + 1) % 100:
        raise ValueError(
            f"{text} is not a reporting year: the year after {year} ends in {(year + 1) % 100:02d}."
        )
    if not 2000 <= year <= 2100:
        raise ValueError("Give a reporting year between 2000-01 and 2100-01.")
    return Period(year, int(match.group(3)) if match.group(3) else None)


# --- Units and the release plan ---------------------------------------------------------------

ORGANISATION, DEPARTMENT, GRADE, CAMPAIGN = "organisation", "department", "grade", "campaign"
UNIT_KINDS = [ORGANISATION, DEPARTMENT, GRADE, CAMPAIGN]
KIND_LABELS = {
    ORGANISATION: "The whole organisation",
    DEPARTMENT: "Department",
    GRADE: "Grade band",
    CAMPAIGN: "Campaign",
}


def normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def grade_band(grade: str) -> str:
    """The grade band a vacancy's grade falls in (``MONITORING_GRADE_BANDS``, grade → band;
    by default each grade is its own band)."""
    bands = {normalise(k): v for k, v in settings.MONITORING_GRADE_BANDS.items()}
    return bands.get(normalise(grade), " ".join(grade.split()))


@dataclass(frozen=True)
class VacancyFact:
    """What the plan needs of a vacancy: where it sits and how many reached each stage."""

    id: int
    department: str
    grade_band: str
    period: Period  # the quarter it closed in
    finished: bool  # filled or cancelled: its figures no longer move
    reference: str
    counts: tuple[int, ...]  # people who reached each stage, applied first


@dataclass(frozen=True)
class Unit:
    kind: str
    key: str  # "" for the organisation; the normalised name; the campaign's vacancy id
    period: str  # the period key; a campaign's is the quarter it closed in
    label: str = field(compare=False, default="")

    @property
    def ident(self) -> str:
        return ORGANISATION if self.kind == ORGANISATION else f"{self.kind}:{self.key}"


@dataclass
class Decision:
    unit: Unit
    stage: int
    population: int
    released: bool
    reason: str


def _campaign_minimum() -> int:
    return int(settings.MONITORING_CAMPAIGN_MIN_APPLICATIONS)


def minimum() -> int:
    return int(settings.MONITORING_MIN_POPULATION)


def units_of(year: Period, facts: Sequence[VacancyFact]) -> dict[Unit, frozenset[int]]:
    """Every unit of a reporting year and the vacancies it holds, in priority order: the
    year's organisation, departments and grade bands (largest first), then the same for each
    quarter, then the year's large campaigns. Earlier units win when two cannot both be
    released."""
    inside = [f for f in facts if f.period.year_period == year]
    units: dict[Unit, frozenset[int]] = {}
    for period in [year, *year.quarters]:
        held = [f for f in inside if period in (f.period, f.period.year_period)]
        if not held and period != year:
            continue
        units[Unit(ORGANISATION, "", period.key, KIND_LABELS[ORGANISATION])] = frozenset(
            f.id for f in held
        )
        for kind, attr in ((DEPARTMENT, "department"), (GRADE, "grade_band")):
            groups: dict[str, list[VacancyFact]] = {}
            labels: dict[str, str] = {}
            for f in held:
                groups.setdefault(normalise(getattr(f, attr)), []).append(f)
                labels.setdefault(normalise(getattr(f, attr)), getattr(f, attr))
            for key in sorted(groups, key=lambda k: (-sum(f.counts[0] for f in groups[k]), k)):
                units[Unit(kind, key, period.key, f"{KIND_LABELS[kind]}: {labels[key]}")] = (
                    frozenset(f.id for f in groups[key])
                )
    large = [f for f in inside if f.counts[0] >= _campaign_minimum()]
    for f in sorted(large, key=lambda f: (-f.counts[0], f.id)):
        units[Unit(CAMPAIGN, str(f.id), f.period.key, f"Campaign: {f.reference}")] = frozenset(
            [f.id]
        )
    return units


def _family(parent: Unit, child: Unit) -> str | None:
    """The family ``child`` (whose vacancies lie within ``parent``'s) belongs to under
    ``parent``, or None. Children of one family are
    disjoint, so a parent less its released children of a family is a set of people. An
    organisation holds its departments and grade bands, a year the same unit's quarters, and
    every unit of a period the campaigns that closed in it."""
    inside = child.period == parent.period or child.period.startswith(parent.period + "-")
    if parent == child or not inside:
        return None
    if child.kind == CAMPAIGN:
        return None if parent.kind == CAMPAIGN else CAMPAIGN
    if parent.kind == child.kind and parent.key == child.key:
        return "quarter"
    if parent.kind == ORGANISATION and child.period == parent.period:
        return child.kind
    return None


def _in_sentence(label: str) -> str:
    return "the" + label[3:] if label.startswith("The ") else label


def decide(
    units: Mapping[Unit, frozenset[int]], counts: Mapping[int, Sequence[int]], stages: int
) -> list[Decision]:
    """Decide, stage by stage, which units are released, in their priority order. Pure: the
    tests call it directly.

    A unit's column is released when at least ``minimum()`` people reached the stage in it and
    it differs from every column already released by none or at least that many people. Then,
    across nesting, a parent less its released children of one family must not leave between
    1 and ``minimum() - 1`` people: the smallest such child is withheld until none does."""
    need = minimum()
    order = {unit: i for i, unit in enumerate(units)}

    def population(vacancies: Iterable[int], stage: int) -> int:
        return sum(counts[v][stage] for v in vacancies)

    decisions: list[Decision] = []
    for stage in range(stages):
        pops = {u: population(units[u], stage) for u in units}
        released: list[Unit] = []
        reasons: dict[Unit, str] = {}
        for unit in units:
            pop = pops[unit]
            if pop < need:
                reasons[unit] = (
                    "Nobody reached this stage."
                    if pop == 0
                    else f"Fewer than {need} people reached this stage."
                )
                continue
            for other in released:
                # Cheap cases first: sizes that differ by the minimum, or campaigns that do not
                # overlap, differ by at least the minimum whatever they hold (4.7 s, not 16 s,
                # for a year of 2,000 units).
                if abs(pop - pops[other]) >= need or not units[unit] & units[other]:
                    continue
                differ = pop + pops[other] - 2 * population(units[unit] & units[other], stage)
                if 0 < differ < need:
                    reasons[unit] = (
                        f"It differs from {_in_sentence(other.label)} ({other.period}) by fewer "
                        f"than {need} people, so comparing the two would single them out."
                    )
                    break
            else:
                released.append(unit)
        while True:
            victim = None
            for parent in released:
                if parent.kind == CAMPAIGN:
                    continue  # a campaign has no parts
                families: dict[str, list[Unit]] = {}
                for child in released:
                    if units[child] <= units[parent] and (family := _family(parent, child)):
                        families.setdefault(family, []).append(child)
                for children in families.values():
                    left = pops[parent] - sum(pops[c] for c in children)
                    if 0 < left < need:
                        victim = min(children, key=lambda c: (pops[c], -order[c]))
                        reasons[victim] = (
                            f"Withheld so that {_in_sentence(parent.label)} ({parent.period}) "
                            f"less its published parts does not leave fewer than {need} people."
                        )
                        break
                if victim:
                    break
            if victim is None:
                break
            released.remove(victim)
        for unit in units:
            decisions.append(
                Decision(unit, stage, pops[unit], unit in released, reasons.get(unit, ""))
            )
    return decisions
