"""Legal hold (a complaint or tribunal claim suspends erasure): one way to place or release
it, for vacancies and applications alike (recruitment/retention.py reads the flags)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeVar

import rules
from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import models, transaction

from config.errors import ActionForbidden

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

Held = TypeVar("Held", bound=models.Model)


def legal_hold_set(
    model: type[Held], *, pk: Any, by: User, permission: str, held: bool, reason: str = ""
) -> Held:
    """Place (with the complaint or claim as the reason) or release the hold on one row, with
    the row locked; refused (403) without ``permission``. The audit log records the change
    and who made it."""
    with transaction.atomic(), set_actor(by):
        record = model._default_manager.select_for_update().get(pk=pk)
        if not rules.has_perm(permission, by, record):
            raise ActionForbidden("Only HR can place or release a legal hold.")
        if held and not reason.strip():
            raise ValidationError({"reason": ["A reason is required."]})
        record.legal_hold = held  # type: ignore[attr-defined]
        record.legal_hold_reason = reason.strip() if held else ""  # type: ignore[attr-defined]
        record.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
    logger.info(
        "%s %s: legal hold %s by user %s",
        model._meta.model_name,
        record.pk,
        "placed" if held else "released",
        by.pk,
    )
    return record
