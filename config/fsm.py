"""Typing glue for django-fsm: its stubs type guards over the base ``Model``."""

from collections.abc import Callable
from typing import Any


def condition(method: Callable[..., bool]) -> Callable[[Any], bool]:
    """Mark a model method as a transition guard (``conditions=[condition(...)]``)."""
    return method
