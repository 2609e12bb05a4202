"""Template filters every template has (``TEMPLATES`` ``builtins``): times and dates the way
GOV.UK writes them ("2:30pm", "10am", "midday", "midnight"), in the service's time zone."""

from __future__ import annotations

from datetime import datetime, time

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter(expects_localtime=True)
def govuk_time(value: datetime | time | None) -> str:
    """``14:30`` → "2:30pm", ``10:00`` → "10am", noon → "midday", 00:00 → "midnight"."""
    if value is None or value == "":
        return ""
    hour, minute = value.hour, value.minute
    if (hour, minute) == (0, 0):
        return "midnight"
    if (hour, minute) == (12, 0):
        return "midday"
    minutes = f":{minute:02d}" if minute else ""
    return f"{hour % 12 or 12}{minutes}{'am' if hour < 12 else 'pm'}"


@register.filter(expects_localtime=True)
def govuk_datetime(value: datetime | None, day: str = "j F Y") -> str:
    """The day (Django's ``date`` format ``day``), a comma, then ``govuk_time``:
    "6 December 2026, 2:30pm". Empty for no value (so ``default`` applies)."""
    if value is None or value == "":
        return ""
    return f"{date_format(value, day)}, {govuk_time(value)}"


@register.filter
def percent(value: float | None, missing: str = "–") -> str:
    """A rate (0 to 1) as a whole percentage, "42%"; ``missing`` for none."""
    if value is None or value == "":
        return missing
    rate = float(value)
    return "less than 1%" if rate > 0 and round(rate * 100) == 0 else f"{round(rate * 100)}%"
