"""Retention and erasure of candidates' personal data (docs/domain.md §6).

A campaign's applications are kept for ``RETENTION_MONTHS`` (default 6) after the vacancy is
filled or cancelled, then erased, unless the vacancy or the application is under a legal
hold (a complaint or a tribunal claim). Erasure removes everything that identifies or
describes the person — the link to their account, their statement and evidence, where their
interview was held (a phone interview's place may be their number), the guarantee and
positive-action declarations and what the guarantee did, the panel's scores and notes, the
positive-action justification, the words of their adjustment requests and the reasons in the
history — and keeps what the statistics need, unlinkable to anyone: the application row as
an empty shell (vacancy, state reached, dates) and the monitoring answers, whose link to the
application is cut. So every statistic is the same before and after.

Candidate accounts with no application left and unused for the retention period are
deleted.

The periodic task fans out one task per vacancy and per batch of accounts
(recruitment/tasks.py);
each re-checks, under a row lock, that its rows are still due, so a task run twice, or after
a hold was placed, or for rows already erased or gone, changes nothing more.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from axes.models import AccessAttempt
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from adjustments.models import AdjustmentRequest, PreApplicationRequest
from kernel.audit import LogEntry, StateLog, unlogged
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    ApplicationDraft,
    EqualityAnswers,
    Evidence,
    GuaranteeDeclaration,
    GuaranteeStep,
    Notification,
    OfferDecision,
    PositiveActionDeclaration,
    Score,
    ScoringReminder,
)
from vacancies.models import Vacancy, VacancyStatus

logger = logging.getLogger(__name__)

ENDED = (VacancyStatus.FILLED, VacancyStatus.CANCELLED)
#: Applications erased per transaction: a large campaign is erased in steps, and what is
#: done stays done if the task is interrupted.
BATCH = 500


def cutoff(now: datetime | None = None) -> datetime:
    """Campaigns that ended before this moment are past their retention period."""
    return (now or timezone.now()) - relativedelta(months=settings.RETENTION_MONTHS)


def _erasable_applications() -> QuerySet[Application]:
    return Application.objects.filter(erased_at=None, legal_hold=False)


def _not_held() -> Q:
    """Campaigns with no hold: neither on the vacancy nor on any of its applications (a
    claim about one decision holds the evidence of the whole campaign)."""
    return Q(legal_hold=False) & ~Q(
        Exists(Application.objects.filter(vacancy=OuterRef("pk"), legal_hold=True))
    )


def vacancies_due(now: datetime | None = None) -> QuerySet[Vacancy]:
    """Ended campaigns past the retention period, not held, with applications to erase or
    requests made before applying to delete (a cancelled job may have only those)."""
    return (
        Vacancy.objects.filter(status__in=ENDED, ended_at__lte=cutoff(now))
        .filter(_not_held())
        .filter(
            Exists(_erasable_applications().filter(vacancy=OuterRef("pk")))
            | Exists(PreApplicationRequest.objects.filter(vacancy=OuterRef("pk")))
        )
    )


def candidates_due(now: datetime | None = None) -> QuerySet[User]:
    """Candidate accounts with no application left (all erased or never made) and not used
    for the retention period."""
    limit = cutoff(now)
    return User.objects.filter(role=Role.CANDIDATE).filter(
        ~Exists(Application.objects.filter(candidate=OuterRef("pk"))),
        Q(last_login__lte=limit) | Q(last_login=None, date_joined__lte=limit),
    )


def erase_vacancy_applications(vacancy_id: Any, *, now: datetime | None = None) -> int:
    """Erase the due applications of one vacancy, in batches. Returns how many were erased
    now: 0 if the vacancy is gone, held, no longer due, or already erased."""
    now = now or timezone.now()
    erased = 0
    while True:
        with transaction.atomic():
            # The vacancy row is locked so a legal hold placed meanwhile is seen (or waits).
            vacancy = (
                Vacancy.objects.select_for_update()
                .filter(pk=vacancy_id, status__in=ENDED, ended_at__lte=cutoff(now))
                .filter(_not_held())
                .first()
            )
            if vacancy is None:
                break
            # Requests made before applying are about people, not applications: they go too,
            # with the audit log's copies of their answers.
            asked = PreApplicationRequest.objects.filter(vacancy=vacancy)
            with unlogged():
                LogEntry.objects.filter(
                    content_type_id=_content_type_ids(PreApplicationRequest)[0],
                    object_pk__in=[str(pk) for pk in asked.values_list("pk", flat=True)],
                ).delete()
                asked.delete()
            ids = list(
                _erasable_applications()
                .select_for_update()
                .filter(vacancy=vacancy)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            erase_applications(ids, now=now)
        erased += len(ids)
    if erased:
        logger.info("erased %d applications of vacancy %s", erased, vacancy_id)
    return erased


def _content_type_ids(*model_classes: type[models.Model]) -> list[int]:
    return [ContentType.objects.get_for_model(m).pk for m in model_classes]


def erase_applications(ids: list[int], *, now: datetime) -> None:
    """Erase these applications' personal data. Call inside a transaction with the rows
    locked (``erase_vacancy_applications``)."""
    candidate_ids = set(
        Application.objects.filter(pk__in=ids, candidate__isnull=False).values_list(
            "candidate_id", flat=True
        )
    )
    adjustment_ids = list(
        AdjustmentRequest.objects.filter(application_id__in=ids).values_list("pk", flat=True)
    )
    score_ids = list(Score.objects.filter(application_id__in=ids).values_list("pk", flat=True))
    assessment_ids = list(
        AgreedAssessment.objects.filter(application_id__in=ids).values_list("pk", flat=True)
    )
    agreed_score_ids = list(
        AgreedScore.objects.filter(assessment_id__in=assessment_ids).values_list("pk", flat=True)
    )
    offer_ids = list(
        OfferDecision.objects.filter(application_id__in=ids).values_list("pk", flat=True)
    )
    with unlogged():  # deleting must not copy what it deletes into the audit log
        Evidence.objects.filter(application_id__in=ids).delete()
        GuaranteeDeclaration.objects.filter(application_id__in=ids).delete()
        GuaranteeStep.objects.filter(application_id__in=ids).delete()
        PositiveActionDeclaration.objects.filter(application_id__in=ids).delete()
        AgreedScore.objects.filter(pk__in=agreed_score_ids).delete()
        AgreedAssessment.objects.filter(pk__in=assessment_ids).delete()
        Score.objects.filter(pk__in=score_ids).delete()
        Notification.objects.filter(application_id__in=ids).delete()
        ScoringReminder.objects.filter(application_id__in=ids).delete()
    # The record that the tie-breaker was used (and on what published evidence) stays for
    # the positive-action audit; the words about this candidate and the tied references go.
    # The salary stays (a figure, not about the person once they are anonymous); its reason
    # may say things about them ("her salary at her last council") and goes.
    OfferDecision.objects.filter(pk__in=offer_ids).update(
        justification="", tied_with=[], salary_reason=""
    )
    AdjustmentRequest.objects.filter(pk__in=adjustment_ids).update(
        details="", arrangement="", decline_reason=""
    )
    EqualityAnswers.objects.filter(application_id__in=ids).update(application=None)

    # History: keep the transitions (the funnel's evidence), drop the reasons (free text
    # about the person) and the candidate as the actor of their own withdrawals and replies.
    application_type, adjustment_type = _content_type_ids(Application, AdjustmentRequest)
    history = StateLog.objects.filter(
        Q(content_type_id=application_type, object_id__in=ids)
        | Q(content_type_id=adjustment_type, object_id__in=adjustment_ids)
    )
    history.update(description=None)
    history.filter(by_id__in=candidate_ids).update(by=None)
    # The audit log's copies of scores, notes, agreed scores, justifications and holds.
    logged = [
        (Score, score_ids),
        (AgreedAssessment, assessment_ids),
        (AgreedScore, agreed_score_ids),
        (OfferDecision, offer_ids),
        (Application, ids),
    ]
    for model, pks in logged:
        if pks:
            LogEntry.objects.filter(
                content_type_id=_content_type_ids(model)[0], object_id__in=pks
            ).delete()

    Application.objects.filter(pk__in=ids).update(
        candidate=None, statement="", legal_hold_reason="", interview_place="", erased_at=now
    )


def erase_candidate_accounts(user_ids: list[int], *, now: datetime | None = None) -> list[int]:
    """Delete those of these candidate accounts that are due (``candidates_due``), in one
    transaction. Returns the ids deleted now: an account that is gone, has applied again,
    was used recently, or is not a candidate's is left alone."""
    with transaction.atomic():
        due = list(
            candidates_due(now)
            .select_for_update()
            .filter(pk__in=user_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Their API tokens go with them; their sessions end as the user no longer exists.
        # The audit log's copies of their name and address go too, and the deletion itself
        # leaves no copy.
        with unlogged():
            LogEntry.objects.filter(
                content_type_id=_content_type_ids(User)[0],
                object_pk__in=[str(pk) for pk in due],
            ).delete()
            User.objects.filter(pk__in=due).delete()
    if due:
        logger.info("deleted %d candidate accounts after the retention period", len(due))
    return due


def forget_stale_drafts(now: datetime | None = None) -> int:
    """Delete applications started but not sent and not changed for
    ``DRAFT_RETENTION_DAYS``, and the sessions that have expired (Django never deletes those
    by itself). Returns how many drafts were deleted."""
    limit = (now or timezone.now()) - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    deleted, _ = ApplicationDraft.objects.filter(updated_at__lt=limit).delete()
    # Database sessions (the default engine) keep expired rows until cleared, as
    # ``manage.py clearsessions`` does; an engine that cannot list them has nothing to clear.
    with contextlib.suppress(NotImplementedError):
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return deleted


def forget_failed_sign_ins(now: datetime | None = None) -> int:
    """Delete the records of failed sign-ins (username and IP address) whose cool-off has
    passed: they lock nobody out any more. Returns how many were deleted."""
    limit = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=limit).delete()
    return deleted


def erase_due(now: datetime | None = None) -> dict[str, Any]:
    """Everything due, in this process: for the embedded mode and the management command.
    The beat task fans the same work out to the workers instead."""
    now = now or timezone.now()
    applications = {
        pk: erase_vacancy_applications(pk, now=now)
        for pk in vacancies_due(now).values_list("pk", flat=True)
    }
    accounts: list[int] = []
    for chunk in chunked(list(candidates_due(now).values_list("pk", flat=True))):
        accounts += erase_candidate_accounts(chunk, now=now)
    forget_stale_drafts(now)
    return {"applications": applications, "accounts": accounts}


def chunked(ids: list[int], size: int = BATCH) -> list[list[int]]:
    """Ids in lists of at most ``size``: one task or transaction each."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
