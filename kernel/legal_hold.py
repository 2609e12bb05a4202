"""Legal hold (a complaint or tribunal claim suspends erasure): one way to place or release
it, for vacancies and applications alike (recruitment/privacy/retention.py reads the flags)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeVar

import rules
from django.core.exceptions import ValidationError
from django.db import models, transaction

from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

Held = TypeVar("Held", bound=models.Model)


def legal_hold_set(
    model: type[Held],
    *,
    pk: Any,
    by: User,
    permission: str,
    held: bool,
    reason: str = "",
    confirm: bool = False,
    lock_first: models.QuerySet[Any] | None = None,
) -> Held:
    """Place (with the complaint or claim as the reason) or release the hold on one row, with
    the row locked; refused (403) without ``permission``. Releasing needs a reason (why the
    record may now be erased in its turn) and ``confirm``: a hold is not released by a stray
    click. ``legal_hold_reason`` keeps the reason of the latest change, and the audit log
    records each change, its reason and who made it. ``lock_first``: rows to lock before
    this one (an application's vacancy, in the order erasure locks them)."""
    with transaction.atomic(), acting_as(by):
        if lock_first is not None:
            list(lock_first.select_for_update().values_list("pk", flat=True))
        record = model._default_manager.select_for_update().get(pk=pk)
        if not rules.has_perm(permission, by, record):
            raise ActionForbidden("Only HR can place or release a legal hold.")
        errors: dict[str, list[str]] = {}
        if not reason.strip():
            errors["reason"] = [
                "Say why the record is held (the complaint or claim)."
                if held
                else "Say why the hold can be released (the claim settled or withdrawn)."
            ]
        if not held and not confirm:
            errors["confirm"] = [
                "Confirm that the complaint or claim no longer needs this record kept."
            ]
        if errors:
            raise ValidationError(errors)
        if not held and not record.legal_hold:  # type: ignore[attr-defined]
            raise DomainError("invalid_transition", "There is no legal hold to release.")
        record.legal_hold = held  # type: ignore[attr-defined]
        record.legal_hold_reason = reason.strip()  # type: ignore[attr-defined]
        record.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
    logger.info(
        "%s %s: legal hold %s by user %s",
        model._meta.model_name,
        record.pk,
        "placed" if held else "released",
        by.pk,
    )
    return record
