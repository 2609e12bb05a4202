"""What the released counts say about a difference between groups, beyond the ratio itself:
a 95% confidence interval for the relative likelihood, Fisher's exact test with its mid-p
variant, and the direction in words, said once and the right way round.

Every input is a released (perturbed) count (recruitment/monitoring/release.py), so these are
derived figures like any other: nothing here reads an equality answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import fisher_exact, hypergeom

#: The normal quantile of a two-sided 95% interval.
Z_95 = 1.959964


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def excludes_one(self) -> bool:
        return self.high < 1 or self.low > 1


def likelihood_interval(
    ref_hits: int | None,
    ref_base: int | None,
    cmp_hits: int | None,
    cmp_base: int | None,
    z: float = Z_95,
) -> Interval | None:
    """The 95% confidence interval of a ratio of two proportions (the relative likelihood),
    by the log method (Katz et al., 1978), as NHS England's WRES technical guidance uses:
    exp(ln RL ± z·√(1/a − 1/n₁ + 1/c − 1/n₂)). None where a count is withheld or a group has
    no one reaching the later stage (the logarithm has no value)."""
    counts = (ref_hits, ref_base, cmp_hits, cmp_base)
    if any(c is None for c in counts):
        return None
    a, n1, c, n2 = (int(x) for x in counts)  # type: ignore[arg-type]
    if not (0 < a <= n1 and 0 < c <= n2):
        return None
    log_rl = math.log((a / n1) / (c / n2))
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return Interval(round(math.exp(log_rl - z * se), 2), round(math.exp(log_rl + z * se), 2))


def fisher_p(a_hits: int, a_base: int, b_hits: int, b_base: int, *, mid_p: bool = False) -> float:
    """Two-sided Fisher exact test of two proportions. ``mid_p``: Lancaster's mid-p, which
    counts the tables exactly as likely as the one observed by half: less conservative with
    small groups (the ordinary test's p is never below the true error rate, often well
    above it)."""
    table = [[a_hits, a_base - a_hits], [b_hits, b_base - b_hits]]
    _, p = fisher_exact(table)
    if not mid_p:
        return round(float(p), 4)
    total, hits, drawn = a_base + b_base, a_hits + b_hits, a_base
    distribution = hypergeom(total, hits, drawn)
    observed = distribution.pmf(a_hits)
    low, high = max(0, drawn - (total - hits)), min(drawn, hits)
    tied = sum(
        distribution.pmf(k)
        for k in range(low, high + 1)
        if math.isclose(distribution.pmf(k), observed, rel_tol=1e-7)
    )
    return round(float(max(0.0, p - tied / 2)), 4)


def direction(
    relative_likelihood: float | None,
    interval: Interval | None,
    reference: str,
    comparison: str,
    from_stage: str,
    to_stage: str,
) -> str:
    """The relative likelihood in one sentence, its direction said once: "times as likely",
    never a percentage; "no clear difference" where the interval takes in 1."""
    if relative_likelihood is None:
        return (
            f"The relative likelihood of {reference} compared with {comparison} is not shown: "
            "a count behind it is too small for a reliable rate, or is not published."
        )
    said = (
        f"{reference[:1].upper()}{reference[1:]} were {relative_likelihood:.2f} times as "
        f"likely as {comparison} to go from {from_stage} to {to_stage}"
    )
    if interval is None:
        return said + "."
    said += f" (95% confidence interval {interval.low:.2f} to {interval.high:.2f})"
    if not interval.excludes_one():
        return said + ": the interval includes 1, so there is no clear difference."
    more = interval.low > 1
    return said + f": {reference} were {'more' if more else 'less'} likely to be {to_stage}."
