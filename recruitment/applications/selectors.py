"""Reads of one application for whoever may see it: its history (in the candidate's terms for
the candidate) and the agreed arrangements, as the panel may see them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from kernel.audit import StateLog
from recruitment.models import (
    Application,
    ApplicationState,
)

if TYPE_CHECKING:
    from accounts.models import User


def application_history(application: Application, viewer: User | None = None) -> list[StateLog]:
    """The transition log, oldest first. The candidate reading their own sees a "not
    shortlisted" decision only once they have been told it (``Application.candidate_state``);
    the rows are not saved back."""
    entries = list(
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=application.pk,
        )
        .select_related("by")
        .order_by("timestamp", "id")
    )
    told = application.candidate_state == ApplicationState.NOT_SHORTLISTED
    if viewer is not None and application.candidate_id == viewer.pk and not told:
        # Never told (the sift is not complete, or they were invited, or withdrew first):
        # the decision is left out, and what followed it reads as from "submitted".
        entries = [e for e in entries if e.transition != "reject_at_sift"]
        for entry in entries:
            if entry.source_state == ApplicationState.NOT_SHORTLISTED:
                entry.source_state = ApplicationState.SUBMITTED
    return entries
