"""Comments on a reporting year's draft equality report (docs/domain.md, "Staff network
reviewers"). A staff network reviewer whose access is live comments on the report while it
is a draft: once it is published, 409 ``already_published``. HR answers each comment once
(a second answer: 409 ``invalid_transition``). A reviewer reads their own comments and HR's
answers; HR reads every comment of the year, those still to answer first. The pages and the
API call these functions; each write is in a transaction with its row locked and its audit
row (django-auditlog, ``recruitment.apps``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from kernel.text import written_text_errors
from recruitment.models import DecidedYear, PackComment, PublicationPack
from recruitment.monitoring.publication import year_of

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

LONGEST = 2000


def _text(name: str, value: str, missing: str) -> str:
    value = value.strip()
    if errors := written_text_errors(name, value, missing):
        raise ValidationError(errors)
    if len(value) > LONGEST:
        raise ValidationError({name: [f"Enter {LONGEST} characters or fewer."]})
    return value


def comments_for(user: Any, year: str) -> QuerySet[PackComment]:
    """The comments on ``year``'s report that ``user`` reads: HR every one, those still to
    answer first; a reviewer their own. (Who may read at all is the caller's check:
    ``recruitment.view_released_statistics``.)"""
    comments = PackComment.objects.filter(year=year).select_related("author", "answered_by")
    if rules.has_perm("recruitment.answer_report_comment", user):
        waiting = Case(When(answered_at=None, then=Value(0)), default=Value(1),
                       output_field=IntegerField())  # fmt: skip
        return comments.order_by(waiting, "created_at", "pk")
    return comments.filter(author=user).order_by("created_at", "pk")


def comment_add(*, by: User, year: str, body: str) -> PackComment:
    """A live network reviewer's comment on ``year``'s draft report. 403 for anyone else; 400
    naming ``year`` (not a reporting year) or ``body`` (empty, over 2,000 characters); 409
    ``not_releasable`` before the year has a draft, ``already_published`` after."""
    if not rules.has_perm("recruitment.comment_on_report", by):
        raise ActionForbidden(
            "Only a staff network reviewer whose access is live comments on a draft report."
        )
    period = year_of(year)
    body = _text("body", body, "Enter your comment.")
    with transaction.atomic(), acting_as(by):
        # The year's row, locked: comments on one year are taken one at a time.
        decided = DecidedYear.objects.select_for_update().filter(year=period.key).first()
        if PublicationPack.objects.filter(year=period.key).exists():
            raise DomainError(
                "already_published",
                f"The report for {period.label} is published: comments are taken on the draft.",
            )
        if decided is None:
            raise DomainError(
                "not_releasable",
                f"There is no draft report for {period.label} yet: its figures are not published.",
            )
        comment = PackComment.objects.create(year=period.key, author=by, body=body)
    logger.info("comment %s on the %s report by user %s", comment.pk, period.key, by.pk)
    return comment


def comment_answer(*, by: User, year: str, comment_id: Any, answer: str) -> PackComment:
    """HR's one answer to a comment on ``year``'s report. 403 for anyone else; 400 naming
    ``answer``; 404 for no such comment on that year; 409 ``invalid_transition`` once
    answered."""
    if not rules.has_perm("recruitment.answer_report_comment", by):
        raise ActionForbidden("Only HR answers comments on the report.")
    period = year_of(year)
    answer = _text("answer", answer, "Enter your answer.")
    with transaction.atomic(), acting_as(by):
        comment = (
            PackComment.objects.select_for_update().filter(pk=comment_id, year=period.key).first()
        )
        if comment is None:
            raise Http404
        if comment.answered_at is not None:
            raise DomainError("invalid_transition", "This comment has been answered already.")
        comment.answer, comment.answered_by, comment.answered_at = answer, by, timezone.now()
        comment.save(update_fields=["answer", "answered_by", "answered_at"])
    logger.info("comment %s answered by user %s", comment.pk, by.pk)
    return comment
