"""Reads of applications for whoever may see them: one application's history (in the
candidate's terms for the candidate), and a vacancy's applications a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kernel.audit import StateLog
from kernel.errors import ActionForbidden
from recruitment.models import (
    AgreedAssessment,
    Application,
    ApplicationState,
)
from vacancies.models import Criterion

if TYPE_CHECKING:
    from accounts.models import User
    from vacancies.models import Vacancy


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


def scores_agreed(criteria: int, stage: str = "shortlisting") -> Exists:
    """Whether an application's scores at ``stage`` are agreed and stand: an agreed
    assessment with every one of the vacancy's ``criteria``, not reopened by a later score
    (``AgreedAssessment.out_of_date``). For ``filter`` and ``annotate``."""
    return Exists(
        AgreedAssessment.objects.filter(application=OuterRef("pk"), stage=stage, out_of_date=False)
        .annotate(n=Count("scores"))
        .filter(n=criteria)
    )


def scores_to_agree(criteria: int, stage: str = "shortlisting") -> Q:
    """Applications whose scores at ``stage`` are not (or no longer) agreed."""
    return ~Q(scores_agreed(criteria, stage))


def vacancy_applications(
    vacancy: Vacancy,
    user: User,
    *,
    state: str | None = None,
    to_agree: bool = False,
    guarantee_outcome: str | None = None,
) -> QuerySet[Application]:
    """A vacancy's applications as ``user`` may list them, in arrival order, filtered: by
    state, to those whose sift scores wait for agreement, and (HR only, who alone read the
    guarantee step) by what the interview guarantee did. Lazy: the page slices it, so a
    page costs a count and one query at any campaign size."""
    rows = (
        Application.objects.visible_to(user)
        .filter(vacancy=vacancy)
        .select_related("candidate", "guarantee_step")
        .defer("statement")
        .order_by("submitted_at", "id")
    )
    if state is not None:
        rows = rows.filter(state=state)
    if to_agree:
        criteria = Criterion.objects.filter(vacancy=vacancy).count()
        rows = rows.filter(scores_to_agree(criteria), state=ApplicationState.SUBMITTED)
    if guarantee_outcome is not None:
        if not rules.has_perm("recruitment.view_guarantee_step", user):
            raise ActionForbidden("Only HR reads what the interview guarantee did.")
        rows = rows.filter(guarantee_step__outcome=guarantee_outcome)
    return rows
