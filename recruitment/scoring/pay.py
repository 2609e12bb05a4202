"""Pay at offer: the salary offered is within the vacancy's advertised range, at its bottom
unless a reason is given (the usual public-sector rule: a new starter starts at the bottom of
the grade), and where it sits in the range is kept on the monitoring row for the
starting-pay report (recruitment/monitoring/pay.py). The salary itself stays with the offer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from kernel.text import written_text_errors

if TYPE_CHECKING:
    from vacancies.models import Vacancy

#: A position in the range is kept in thousandths: 0 the bottom, 1000 the top.
POSITION_SCALE = 1000


def offered_salary(vacancy: Vacancy, salary: int | None, reason: str) -> tuple[int, str]:
    """The salary to record and its reason: ``salary`` (the bottom of the range when not
    given), which must be within the range; a reason is required above the bottom. A 400
    naming ``salary`` or ``salary_reason`` otherwise."""
    low, high = vacancy.salary_min, vacancy.salary_max
    chosen = low if salary is None else salary
    reason = (reason or "").strip()
    if not low <= chosen <= high:
        raise ValidationError(
            {"salary": [f"The salary must be within the vacancy's range, £{low:,} to £{high:,}."]}
        )
    if chosen == low:
        return chosen, ""  # at the bottom there is nothing to explain
    missing = (
        f"Give the reason for offering more than the bottom of the range (£{low:,}): "
        "for example, the candidate's current salary or experience."
    )
    if errors := written_text_errors("salary_reason", reason, missing):
        raise ValidationError(errors)
    return chosen, reason


def position_in_range(vacancy: Vacancy, salary: int) -> int:
    """Where ``salary`` sits in the vacancy's range, in thousandths, rounded down (so only the
    bottom itself is 0, and only the top is 1000). A range of one figure is its bottom."""
    low, high = vacancy.salary_min, vacancy.salary_max
    if high <= low or salary <= low:
        return 0
    if salary >= high:
        return POSITION_SCALE
    return max(1, (salary - low) * POSITION_SCALE // (high - low))
