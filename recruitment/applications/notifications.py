"""Messages in plain English, each sent at most once: to candidates about their application
(see ``Notification``), and to panel members about applications waiting for their scores
(see ``ScoringReminder``). The words are in templates/recruitment/email/."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from adjustments.models import AdjustmentRequest, AdjustmentState
from kernel import mail
from kernel.mail import compose, send_mail, site_link
from recruitment.interviews import calendar
from recruitment.models import (
    Application,
    ApplicationState,
    InterviewBooking,
    Notification,
    Score,
    ScoreStage,
    ScoringReminder,
)
from recruitment.scoring.selectors import scorers
from vacancies.models import Vacancy, VacancyStatus

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

ACCESS_TO_WORK = "https://www.gov.uk/access-to-work"

#: The messages a candidate is sent about their application, each at most once: the
#: templates templates/recruitment/email/<kind>.subject.txt and <kind>.txt.
CANDIDATE_MESSAGES = frozenset(
    {
        "received",
        "interview_invitation",
        "interview_booking_open",
        "shortlisted",
        "not_shortlisted",
        "not_appointed",
        "offer",
    }
)
#: A decision on one of the candidate's adjustment requests: ``adjustment_decided:<id>``
#: (templates/adjustments/email/decided.*), sent once for each request.
ADJUSTMENT_DECIDED = "adjustment_decided:"
#: About one interview booking, ``<prefix><booking id>``, each with the calendar invitation
#: (templates/recruitment/email/interview_<booked|cancelled|reminder>.*), sent once each.
INTERVIEW_BOOKED = "interview_booked:"
INTERVIEW_CANCELLED = "interview_cancelled:"
INTERVIEW_REMINDER = "interview_reminder:"
BOOKING_MESSAGES = (INTERVIEW_BOOKED, INTERVIEW_CANCELLED, INTERVIEW_REMINDER)
PER_RECORD = (ADJUSTMENT_DECIDED, *BOOKING_MESSAGES)


def _split(kind: str) -> tuple[str, int] | None:
    """(prefix, record id) of a message about one record, else None."""
    for prefix in PER_RECORD:
        if kind.startswith(prefix) and kind.removeprefix(prefix).isdigit():
            return prefix, int(kind.removeprefix(prefix))
    return None


def is_candidate_message(kind: str) -> bool:
    return kind in CANDIDATE_MESSAGES or _split(kind) is not None


def render_message(application: Application, kind: str) -> tuple[str, str]:
    """The subject and body of a candidate message."""
    vacancy = application.vacancy
    context: dict[str, Any] = {
        "application": application,
        "candidate": application.candidate,
        "vacancy": vacancy,
        "when": timezone.localtime(application.interview_at) if application.interview_at else None,
        "link": site_link(f"/applications/{application.pk}/"),
        "jobs_link": site_link("/jobs/"),
        "access_to_work": ACCESS_TO_WORK,
        "book_link": site_link(f"/applications/{application.pk}/interview/"),
        "withdrawn": application.state == ApplicationState.WITHDRAWN,
        # The offer's salary (its reason stays with the recruitment team).
        "offer": getattr(application, "offer_decision", None) if kind == "offer" else None,
    }
    if kind.startswith(ADJUSTMENT_DECIDED):
        context["adjustment"] = AdjustmentRequest.objects.get(
            pk=int(kind.removeprefix(ADJUSTMENT_DECIDED)), application=application
        )
        return compose("adjustments/email/decided", context)
    if (split := _split(kind)) is not None:
        prefix, pk = split
        held = InterviewBooking.objects.select_related("slot").get(pk=pk, application=application)
        start = timezone.localtime(held.slot.starts_at)
        context |= {
            "booking": held,
            "slot": held.slot,
            "when": start,
            "moved": held.replaces_id is not None,
            "calendar_link": site_link(f"/applications/{application.pk}/interview.ics"),
            "notice_hours": settings.INTERVIEW_NOTICE_HOURS,
        }
        return compose(f"recruitment/email/{prefix.rstrip(':')}", context)
    return compose(f"recruitment/email/{kind}", context)


def attachments_of(application: Application, kind: str) -> list[mail.Attachment]:
    """The calendar invitation a booking message carries (none for the others)."""
    split = _split(kind)
    if split is None or split[0] not in BOOKING_MESSAGES:
        return []
    prefix, pk = split
    held = InterviewBooking.objects.select_related("slot", "application__vacancy").get(pk=pk)
    ics = calendar.invitation(held, cancelled=prefix == INTERVIEW_CANCELLED)
    return [(calendar.FILENAME, ics, calendar.CONTENT_TYPE)]


def _booking_stands(application: Application, kind: str) -> bool:
    """A booking or reminder message goes only while its booking is live (a booking moved
    again before its message went has a newer message of its own)."""
    split = _split(kind)
    if split is None or split[0] not in BOOKING_MESSAGES:
        return True
    if split[0] == INTERVIEW_CANCELLED:
        # Not once a later booking exists: its own message says where things stand.
        return not InterviewBooking.objects.filter(
            application=application, pk__gt=split[1]
        ).exists()
    return (
        InterviewBooking.objects.live()
        .filter(pk=split[1], application=application, slot__vacancy__status=VacancyStatus.CLOSED)
        .exists()
    )


def _decision_stands(application: Application, kind: str) -> bool:
    """The adjustment request a decision message is about still holds a decision (it was
    not withdrawn, with the application, before a late try sent it)."""
    return (
        AdjustmentRequest.objects.filter(
            pk=int(kind.removeprefix(ADJUSTMENT_DECIDED)), application=application
        )
        .exclude(state=AdjustmentState.WITHDRAWN)
        .exists()
    )


def notify(application_id: Any, kind: str) -> bool:
    """Send the ``kind`` message for an application once. Returns whether it was sent now.

    The claim row and the send share a transaction: if sending fails, the claim rolls back
    and the next try sends; once committed, no try sends again."""
    if not is_candidate_message(kind):
        raise ValueError(f"unknown notification {kind!r}")
    with transaction.atomic():
        application = (
            Application.objects.select_related("vacancy", "candidate")
            .select_for_update(of=("self",))
            .filter(pk=application_id)
            .first()
        )
        if application is None or application.candidate is None:
            return False  # erased or gone: nothing to tell
        if not application.candidate.email_confirmed:
            # The address was never shown to be theirs (it may be someone else's): their
            # application page says the same; nothing is recorded as sent.
            logger.info(
                "notification %s for application %s not sent: address not confirmed",
                kind,
                application_id,
            )
            return False
        if kind.startswith(ADJUSTMENT_DECIDED) and not _decision_stands(application, kind):
            return False  # withdrawn before the message went: there is nothing to tell
        if not _booking_stands(application, kind):
            return False
        _, created = Notification.objects.get_or_create(application=application, kind=kind)
        if not created:
            return False
        subject, body = render_message(application, kind)
        send_mail(
            subject,
            body,
            [application.candidate.email],
            attachments_of(application, kind),
            reference=f"application-{application.pk}-{kind}",
        )
    logger.info("notification %s sent for application %s", kind, application_id)
    return True


def agreement_reopened_send(application_id: Any, stage: str) -> bool:
    """Tell the vacancy's chair that a score changed after the stage's scores were agreed
    (by reference only: name-blind). Not sent when the agreement is no longer out of date
    (agreed again before the message went) or the chair has no address."""
    application = (
        Application.objects.select_related("vacancy__hiring_manager")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return False
    agreed = application.agreed_assessments.filter(stage=stage).first()
    chair = application.vacancy.hiring_manager
    if agreed is None or not agreed.out_of_date or not chair.email:
        return False
    vacancy = application.vacancy
    subject, body = compose(
        "recruitment/email/agreement_reopened",
        {
            "chair": chair,
            "vacancy": vacancy,
            "reference": application.reference,
            "stage_label": ScoreStage(stage).label.lower(),
            "link": site_link(f"/staff/applications/{application.pk}/moderation/{stage}/"),
        },
    )
    send_mail(subject, body, [chair.email])
    logger.info("reopened-agreement notice sent for application %s (%s)", application_id, stage)
    return True


# --- Reminding candidates of tomorrow's interview -------------------------------------------------


def interview_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Remind each candidate the day before their booked interview (London dates), with the
    calendar invitation again: once per booking (the ``Notification`` claim), so the hourly
    run sends nothing twice. A failure to send is logged and left for the next run. Returns
    the bookings reminded now."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()))
    due = (
        InterviewBooking.objects.live()
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=start + timedelta(days=1))
        .filter(slot__vacancy__status=VacancyStatus.CLOSED)
        .values_list("pk", "application_id")
    )
    sent = []
    for pk, application_id in due:
        try:
            if notify(application_id, f"{INTERVIEW_REMINDER}{pk}"):
                sent.append(pk)
        except mail.SendFailure as failure:
            logger.warning(
                "interview reminder for booking %s not sent (%s); left for the next run",
                pk,
                failure,
            )
    return sent


# --- Reminding panel members of applications waiting for their scores ---------------------------


@dataclass(frozen=True)
class Waiting:
    """A scorer's applications at a stage still waiting for their scores."""

    vacancy: Vacancy
    member: User
    stage: str
    application_ids: list[int]


def _waiting(now: datetime) -> list[Waiting]:
    """Who has applications still to score: at the sift, on closed vacancies once
    ``PANEL_SCORING_REMINDER_DAYS`` have passed since closing; at interview, the same time
    after the interview. Applications a member was already reminded of are left out."""
    wait = timedelta(days=settings.PANEL_SCORING_REMINDER_DAYS)
    vacancies = (
        Vacancy.objects.filter(status=VacancyStatus.CLOSED, closed_at__lte=now - wait)
        .select_related("hiring_manager")
        .prefetch_related("panel", "criteria")
    )
    found = []
    for vacancy in vacancies:
        due = {
            ScoreStage.SHORTLISTING: Application.objects.filter(
                vacancy=vacancy, state=ApplicationState.SUBMITTED
            ),
            ScoreStage.INTERVIEW: Application.objects.filter(
                vacancy=vacancy,
                state=ApplicationState.INTERVIEWED,
                interview_at__lte=now - wait,
            ),
        }
        criteria = len(vacancy.criteria.all())
        for stage, applications in due.items():
            ids = list(applications.order_by("submitted_at", "id").values_list("pk", flat=True))
            if not ids:
                continue
            scored: dict[tuple[int, int], int] = defaultdict(int)
            for application_id, scorer_id in Score.objects.filter(
                application_id__in=ids, stage=stage
            ).values_list("application_id", "scorer_id"):
                scored[application_id, scorer_id] += 1
            reminded = set(
                ScoringReminder.objects.filter(application_id__in=ids, stage=stage).values_list(
                    "application_id", "member_id"
                )
            )
            for member in scorers(vacancy):
                waiting = [
                    pk
                    for pk in ids
                    if scored[pk, member.pk] < criteria and (pk, member.pk) not in reminded
                ]
                if waiting and member.email:
                    found.append(Waiting(vacancy, member, stage, waiting))
    return found


def scoring_reminders_send(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Remind each panel member, in one e-mail per vacancy and stage, of the applications
    still waiting for their scores (by reference only: name-blind).

    Idempotent: a ``ScoringReminder`` row per (application, member, stage) is the claim,
    written in the same transaction as the e-mail is sent, with the vacancy row locked so two
    runs at once cannot both send. A second run sends nothing; an application that starts
    waiting later gets its own reminder. A reminder that fails to send is not recorded and
    the run carries on with the others: a transient failure is left for the next run, a
    permanent one is logged as an error (tried again next run, to be seen until mended)."""
    now = now or timezone.now()
    sent = []
    for item in _waiting(now):
        try:
            with transaction.atomic():
                Vacancy.objects.select_for_update().filter(pk=item.vacancy.pk).first()
                claimed = set(
                    ScoringReminder.objects.filter(
                        application_id__in=item.application_ids,
                        member=item.member,
                        stage=item.stage,
                    ).values_list("application_id", flat=True)
                )
                ids = [pk for pk in item.application_ids if pk not in claimed]
                if not ids:
                    continue  # another run got there first
                ScoringReminder.objects.bulk_create(
                    ScoringReminder(application_id=pk, member=item.member, stage=item.stage)
                    for pk in ids
                )
                references = dict(
                    Application.objects.filter(pk__in=ids).values_list("pk", "reference")
                )
                subject, body = compose(
                    "recruitment/email/scoring_reminder",
                    {
                        "member": item.member,
                        "vacancy": item.vacancy,
                        "count": len(ids),
                        "references": [references[pk] for pk in ids],
                        "stage_label": ScoreStage(item.stage).label.lower(),
                        "link": site_link(
                            f"/staff/vacancies/{item.vacancy.pk}/scoring/{item.stage}/"
                        ),
                    },
                )
                send_mail(subject, body, [item.member.email])
        except mail.SendFailure as failure:
            (logger.warning if failure.transient else logger.error)(
                "scoring reminder (vacancy %s, %s, member %s) not sent (%s: %s)%s",
                item.vacancy.pk,
                item.stage,
                item.member.pk,
                "transient" if failure.transient else "permanent",
                failure,
                "; left for the next run" if failure.transient else "",
            )
            continue
        sent.append(
            {
                "vacancy": item.vacancy.pk,
                "member": item.member.pk,
                "stage": item.stage,
                "applications": ids,
            }
        )
    if sent:
        logger.info("scoring reminders sent: %s", sent)
    return sent
