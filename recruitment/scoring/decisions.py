"""The sift's decisions over many applications: shortlisting or not in bulk (each still through
its own action), and completing the sift, when the interview guarantee is applied and every
candidate not shortlisted is told."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kernel import transitions
from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from recruitment.applications.services import (
    application_reject,
    application_shortlist,
    notify_on_commit,
    reason_required,
    record_stage,
)
from recruitment.interviews.services import booking_open_tell
from recruitment.models import (
    Application,
    ApplicationState,
    GuaranteeStep,
    ScoreStage,
)
from recruitment.scoring import guarantee
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from vacancies.models import Vacancy, VacancyStatus

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# --- Shortlisting in bulk ---------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one application of a bulk decision."""

    application: int
    reference: str
    action: str
    done: bool
    #: "" when done, else the refusal: a 409 code, "permission_denied" or "invalid".
    code: str
    detail: str
    state: str


BULK_ACTIONS = ("shortlist", "reject")
MAX_BULK = 1000


def applications_bulk_decide(
    *, vacancy_id: Any, by: User, action: str, application_ids: Sequence[int], reason: str = ""
) -> list[BulkOutcome]:
    """Shortlist or reject many of a vacancy's applications at once, from the ranking.

    Each application goes through the same per-application service (its own transaction, row
    lock, guards and history row), so the interview limit and the agreed-scores rule hold
    exactly as they do one at a time; a refusal for one does not stop the others. They are
    taken in ranking order (best agreed total first), so under an interview limit the best
    fill the places. Returns what happened to each, in that order."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": [f"Must be one of {list(BULK_ACTIONS)}."]})
    if action == "reject":
        reason_required(reason)
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise ValidationError({"applications": ["Select at least one application."]})
    if len(ids) > MAX_BULK:
        raise ValidationError({"applications": [f"At most {MAX_BULK} at a time."]})
    vacancy = Vacancy.objects.get(pk=vacancy_id)
    if not rules.has_perm("vacancies.decide_applications", by, vacancy):
        raise ActionForbidden("Only the vacancy's hiring manager and HR decide the shortlist.")
    # Only the chosen applications are ranked (ids and totals; the campaign's histogram
    # gives the ranks): a fixed number of queries however large the campaign.
    ranking = VacancyRanking(vacancy, ScoreStage.SHORTLISTING).rows(
        RankingFilter(applications=frozenset(ids))
    )
    order = {row.application.pk: i for i, row in enumerate(ranking)}
    references = dict(
        Application.objects.filter(vacancy=vacancy, pk__in=ids).values_list("pk", "reference")
    )
    if missing := [pk for pk in ids if pk not in references]:
        raise ValidationError(
            {"applications": [f"Not applications of this vacancy: {sorted(missing)}."]}
        )
    recorded = reason.strip() or "Shortlisted in bulk from the ranking."
    service = application_shortlist if action == "shortlist" else application_reject
    outcomes = []
    for pk in sorted(ids, key=lambda pk: (order.get(pk, len(order)), references[pk])):
        code = detail = ""
        try:
            service(application_id=pk, by=by, reason=recorded)
        except DomainError as exc:
            code, detail = exc.code, exc.detail
        except ActionForbidden as exc:
            code, detail = "permission_denied", exc.detail
        except ValidationError as exc:
            code, detail = "invalid", "; ".join(exc.messages)
        outcomes.append(
            BulkOutcome(
                application=pk,
                reference=references[pk],
                action=action,
                done=not code,
                code=code,
                detail=detail,
                state=Application.objects.values_list("state", flat=True).get(pk=pk),
            )
        )
    logger.info(
        "bulk %s on vacancy %s by user %s: %d done, %d refused",
        action,
        vacancy.pk,
        by.pk,
        sum(o.done for o in outcomes),
        sum(not o.done for o in outcomes),
    )
    return outcomes


# --- Completing the sift: the interview guarantee ----------------------------------------------


@dataclass(frozen=True)
class SiftCompletion:
    """What completing a vacancy's sift did (the same answer for the chair and HR: the
    reasons, and who declared, are in the HR-only guarantee steps)."""

    vacancy: Vacancy
    #: Applications invited to interview when the sift was completed (by reference).
    invited: list[str]
    #: Candidates told now that they were not shortlisted.
    not_shortlisted: int


def sift_complete(*, vacancy_id: Any, by: User, confirm: bool = False) -> SiftCompletion:
    """Complete the sift of a closed vacancy once every application is decided on merit, and
    apply the interview guarantee (docs/domain.md §2).

    Every candidate who declared a scheme the vacancy offers, meets the minimum criteria on
    the agreed essential scores and was not shortlisted on merit is invited to interview
    (under an interview limit, those who best meet them); each such candidate gets an
    HR-only ``GuaranteeStep`` saying why, and the panel sees only "Invited to interview".
    Then, after commit, the candidates still not shortlisted are told, and the invited ones
    are sent the shortlisting message. One transaction, the vacancy row locked first (as
    every sift decision locks it), so no decision slips in while it runs. It cannot be undone
    and it sends messages, so it needs ``confirm``."""
    if not confirm:
        raise ValidationError(
            {
                "confirm": [
                    "Confirm that every application has been decided: completing the sift "
                    "tells candidates and cannot be undone."
                ]
            }
        )
    with transaction.atomic():
        vacancy = Vacancy.objects.select_for_update().get(pk=vacancy_id)
        if not rules.has_perm("vacancies.decide_applications", by, vacancy):
            raise ActionForbidden("Only the vacancy's hiring manager and HR complete the sift.")
        if vacancy.sift_completed_at is not None:
            when = timezone.localtime(vacancy.sift_completed_at)
            raise DomainError("sift_complete", f"The sift was completed on {when:%-d %B %Y}.")
        if vacancy.status in (VacancyStatus.DRAFT, VacancyStatus.OPEN):
            raise DomainError("vacancy_open", "The sift is completed after the vacancy has closed.")
        if vacancy.status != VacancyStatus.CLOSED:
            raise DomainError(
                "invalid_transition", f"The vacancy is {vacancy.get_status_display().lower()}."
            )
        # Every application row locked too, in a fixed order.
        states = dict(
            Application.objects.select_for_update()
            .filter(vacancy=vacancy)
            .order_by("pk")
            .values_list("pk", "state")
        )
        if waiting := sum(state == ApplicationState.SUBMITTED for state in states.values()):
            raise DomainError(
                "sift_incomplete",
                f"{waiting} application{'s' if waiting != 1 else ''} still "
                f"need{'s' if waiting == 1 else ''} a decision: shortlist or reject each one on "
                "the agreed scores before completing the sift.",
            )
        applications = Application.objects.for_ranking(vacancy)
        plan = guarantee.guarantee_plan(vacancy, applications)
        invited = []
        with acting_as(by):
            for decision in plan:
                application = decision.application
                if decision.outcome == "invited":
                    transitions.run_transition(
                        application,
                        by=by,
                        names=("invite_to_interview",),
                        label="invite this candidate to interview",
                    )
                    record_stage(application)
                    invited.append(application)
            GuaranteeStep.objects.bulk_create(
                GuaranteeStep(
                    application=decision.application,
                    outcome=decision.outcome,
                    essential_total=decision.essential_total,
                    reason=decision.reason,
                )
                for decision in plan
            )
            vacancy.sift_completed_at = timezone.now()
            vacancy.sift_completed_by = by
            vacancy.save(update_fields=["sift_completed_at", "sift_completed_by", "updated_at"])
        invited_ids = {a.pk for a in invited}
        told = [
            pk
            for pk, state in states.items()
            if state == ApplicationState.NOT_SHORTLISTED and pk not in invited_ids
        ]
        for pk in told:
            notify_on_commit(pk, "not_shortlisted")
        for application in invited:
            notify_on_commit(application.pk, "shortlisted")
        booking_open_tell(vacancy)
    logger.info(
        "sift of vacancy %s completed by user %s: %d invited, %d told not shortlisted",
        vacancy.pk,
        by.pk,
        len(invited),
        len(told),
    )
    return SiftCompletion(
        vacancy=vacancy,
        invited=sorted(a.reference for a in invited),
        not_shortlisted=len(told),
    )
