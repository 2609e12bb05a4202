"""The audit trail: who did what, when and why. Two logs, one home.

- **Transitions** (django-fsm-log's ``StateLog``): every state change of an application or an
  adjustment request, with the person (``by``) and the reason (``description``). Written by
  ``kernel.transitions.run_transition`` through the ``logged`` decorator on each transition.
- **Field changes** (django-auditlog's ``LogEntry``): every write to a registered model
  (scores, agreed scores, offer decisions, vacancies, criteria, legal holds), with the actor
  set by ``acting_as``. Each app registers its models with ``register`` in its ``ready()``.

Equality answers and guarantee declarations are never registered, so no copy of
special-category data lands in either log. Erasure (recruitment/privacy/retention.py) deletes
an application's entries from both, inside ``unlogged`` so the deletion leaves no copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from auditlog.context import disable_auditlog as unlogged
from auditlog.context import set_actor as acting_as
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from django_fsm_log.models import StateLog

__all__ = ["LogEntry", "StateLog", "acting_as", "logged", "register", "unlogged"]

F = TypeVar("F", bound=Callable[..., Any])


def logged(method: F) -> F:
    """A transition that writes a ``StateLog`` row with its person and reason."""
    return fsm_log_by(fsm_log_description(method))


def register(model: type[models.Model], **options: Any) -> None:
    """Record every write to ``model`` (django-auditlog's options: include_fields, ...)."""
    auditlog.register(model, **options)
