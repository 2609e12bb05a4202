"""Adjustments to apply at all, asked for before applying, by anyone (``PreApplicationRequest``):
asked from the job's page, seen and answered by HR (the coordinators), who are told at once.

Anyone can send one, so the form is throttled per client (``BEFORE_APPLYING_LIMIT`` taken an
hour), the same request sent twice while unanswered is one request, and the coordinators get
at most one e-mail a job an hour (``TELL_EVERY``): the rest wait on the requests page and on
HR's home page, counted."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from adjustments import tasks
from adjustments.models import AdjustmentCategory, PreApplicationRequest
from adjustments.services import coordinators
from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from kernel.mail import compose, send_mail, site_link
from kernel.text import single_line_errors
from vacancies.models import Vacancy, VacancyStatus

logger = logging.getLogger(__name__)


def pre_application_request_create(
    *,
    vacancy: Vacancy,
    full_name: str,
    email: str,
    phone: str,
    category: str,
    details: str,
    requester: User | None = None,
) -> PreApplicationRequest:
    """Record the request and tell the coordinators once it is committed (the e-mail says
    that there is one and where, not what it says)."""
    errors = single_line_errors(full_name=full_name, phone=phone)
    if not full_name.strip():
        errors["full_name"] = ["Enter your name."]
    if category not in AdjustmentCategory.values:
        errors["category"] = [f"One of {', '.join(AdjustmentCategory.values)}."]
    if not details.strip():
        errors["details"] = ["Say what would help you apply."]
    if errors:
        raise ValidationError(errors)
    if vacancy.status != VacancyStatus.OPEN:
        raise DomainError("vacancy_not_open", "This job is not open for applications.")
    with transaction.atomic():
        Vacancy.objects.select_for_update().filter(pk=vacancy.pk).first()  # one at a time
        same = PreApplicationRequest.objects.filter(
            vacancy=vacancy,
            email__iexact=email.strip(),
            category=category,
            details=details.strip(),
            answered_at=None,
        ).first()
        if same is not None:  # sent twice (a double click, a refresh): one request
            return same
        request = PreApplicationRequest.objects.create(
            vacancy=vacancy,
            full_name=full_name.strip(),
            email=email.strip(),
            phone=phone.strip(),
            category=category,
            details=details.strip(),
            requester=requester if requester is not None and requester.is_authenticated else None,
        )
        transaction.on_commit(lambda: tasks.tell_coordinators_before_applying.delay(request.pk))
    logger.info("request before applying %s for vacancy %s", request.pk, vacancy.pk)
    return request


#: The coordinators are e-mailed about a job's requests made before applying at most this often.
TELL_EVERY = timedelta(hours=1)


def coordinators_tell(request_id: Any) -> bool:
    """Tell the coordinators there is a request to answer (the task's work), unless they
    were told of one for the same job within ``TELL_EVERY``. The e-mail names the job and
    the kind of help, not the person or their words. Marked as told in the same transaction
    as the send: a failed send is tried again; a sent one is not sent again."""
    with transaction.atomic():
        request = (
            PreApplicationRequest.objects.select_for_update(of=("self",))
            .select_related("vacancy")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.answered_at is not None or request.told_at is not None:
            return False
        now = timezone.now()
        if PreApplicationRequest.objects.filter(
            vacancy_id=request.vacancy_id, told_at__gt=now - TELL_EVERY
        ).exists():
            return False  # the e-mail of the hour said where to find them all
        request.told_at = now
        request.save(update_fields=["told_at"])
        subject, body = compose(
            "adjustments/email/before_applying",
            {
                "request": request,
                "link": site_link(f"/staff/adjustments/before-applying/{request.pk}/"),
                "queue": site_link("/staff/adjustments/#before-applying"),
            },
        )
        send_mail(subject, body, coordinators())
    return True


def pre_application_request_answer(
    *, request_id: Any, by: User, answer: str
) -> PreApplicationRequest:
    """HR records what they arranged or told the person: the request is answered."""
    if not by.is_hr:
        raise ActionForbidden("Only HR answers requests for adjustments.")
    if not answer.strip():
        raise ValidationError({"answer": ["Say what you arranged or told them."]})
    with transaction.atomic(), acting_as(by):
        request = PreApplicationRequest.objects.select_for_update().get(pk=request_id)
        if request.answered_at is not None:
            raise DomainError("invalid_transition", "This request has been answered already.")
        request.answer = answer.strip()
        request.answered_at = timezone.now()
        request.answered_by = by
        request.save(update_fields=["answer", "answered_at", "answered_by"])
    logger.info("request before applying %s answered by user %s", request.pk, by.pk)
    return request
