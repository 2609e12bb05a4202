"""What can be done to an application: the one table of actions.

Each action names the state-machine transitions behind it (one fits the current state; the
transitions' sources, targets and guards are on ``Application``), the permission its
transitions check, what it takes as input, the refusals (409 codes) it can meet beyond
``invalid_transition``, who takes it on which page, and what the page says once done. The
services (``services.take``), the API (``POST /applications/{id}/actions/{name}/``), the
pages and the tests all read this table; adding an action is one entry here, its transition
on the model and its service function ``services.application_<name>``.

The refusals themselves are ``refusal`` below: the guards' reasons, as (code, message).
None of them reads a declaration: the merit decision is blind (docs/domain.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.utils import timezone

from kernel.template_filters import govuk_time
from recruitment.applications.states import ApplicationState
from recruitment.scoring import assessment
from vacancies.models import VacancyStatus

if TYPE_CHECKING:
    from recruitment.applications.models import Application

#: What an action takes besides an optional ``reason``: nothing more, an interview date, an
#: interview slot, or (for the offer) the positive-action justification.
Input = Literal["reason", "interview", "slot", "offer"]


@dataclass(frozen=True)
class Action:
    name: str
    #: The transitions behind the action, tried in order; one fits the current state.
    transitions: tuple[str, ...]
    #: The ``rules`` permission its transitions check (recruitment/permissions.py).
    permission: str
    #: What the action's page (or the API) asks for.
    takes: Input = "reason"
    reason_required: bool = False
    #: 409 codes it may answer besides ``invalid_transition`` (docs/api.md).
    refusals: tuple[str, ...] = ()
    #: A sift decision or a withdrawal takes turns on the vacancy (interview limit, sift).
    locks_vacancy: bool = False
    #: On the staff application page (the candidate's actions are on their own page).
    staff_page: bool = True
    #: On the candidate's page: the question asked before it is taken.
    candidate_question: str = ""
    #: What the page says once done (staff, then candidate).
    done: str = ""
    candidate_done: str = ""

    @property
    def label(self) -> str:
        """For refusals: "You may not <label>." / "Cannot <label>: it is …"."""
        return f"{self.name.replace('_', ' ')} this application"


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "shortlist",
            ("shortlist",),
            "recruitment.shortlist_application",
            refusals=("vacancy_open", "interview_limit_reached"),
            locks_vacancy=True,
            done="Shortlisted.",
        ),
        Action(
            "reject",
            ("reject_at_sift", "reject_after_interview"),
            "recruitment.reject_application",
            reason_required=True,
            refusals=(
                "vacancy_open",
                "sift_complete",
                "assessment_incomplete",
                "assessment_out_of_date",
            ),
            locks_vacancy=True,
            done="Decision recorded. A candidate not shortlisted is told when the sift is "
            "complete; one not appointed is told now.",
        ),
        Action(
            "schedule_interview",
            ("schedule_interview",),
            "recruitment.schedule_interview",
            takes="interview",
            done="Interview arranged. The candidate has been sent the invitation.",
        ),
        Action(
            "book_interview",
            ("book_interview",),
            "recruitment.book_interview",
            takes="slot",
            refusals=("sift_incomplete", "too_late_to_change", "slot_taken", "slot_not_offered"),
            staff_page=False,
            candidate_done="Your interview is booked. We have sent you the details and a "
            "calendar invitation.",
        ),
        Action(
            "cancel_interview",
            ("cancel_interview",),
            "recruitment.book_interview",
            refusals=("too_late_to_change",),
            staff_page=False,
            candidate_question="Are you sure you want to cancel your interview?",
            candidate_done="Your interview has been cancelled. You can book another time.",
        ),
        Action(
            "record_interview",
            ("record_interview",),
            "recruitment.record_interview",
            refusals=("interview_not_held",),
            done="Interview recorded as held.",
        ),
        Action(
            "offer",
            ("offer",),
            "recruitment.offer",
            takes="offer",
            refusals=(
                "sift_incomplete",
                "interviews_outstanding",
                "assessment_incomplete",
                "assessment_out_of_date",
                "positive_action_not_applicable",
            ),
            done="Job offered.",
        ),
        Action(
            "accept_offer",
            ("accept_offer",),
            "recruitment.respond_to_offer",
            candidate_question="Do you want to accept the job offer?",
            done="Offer accepted.",
            candidate_done="You have accepted the job offer.",
        ),
        Action(
            "decline_offer",
            ("decline_offer",),
            "recruitment.respond_to_offer",
            candidate_question="Are you sure you want to decline the job offer?",
            done="Offer declined.",
            candidate_done="You have declined the job offer.",
        ),
        Action(
            "withdraw",
            ("withdraw",),
            "recruitment.withdraw_application",
            locks_vacancy=True,
            staff_page=False,
            candidate_question="Are you sure you want to withdraw your application?",
            candidate_done="Your application has been withdrawn. Any requests for adjustments "
            "still open, or agreed and not yet in place, have been closed.",
        ),
    )
}

#: The actions a candidate takes on their own application page.
CANDIDATE_ACTIONS = {name: a for name, a in ACTIONS.items() if a.candidate_question}

#: The message the candidate is sent, once committed, when their application reaches a state.
#: "not_shortlisted" is sent when the sift is complete (``scoring.decisions.sift_complete``): until
#: then the interview guarantee may still invite the candidate.
MESSAGE_ON_REACHING = {
    ApplicationState.SHORTLISTED: "shortlisted",
    ApplicationState.NOT_APPOINTED: "not_appointed",
    ApplicationState.OFFERED: "offer",
}

#: Each transition of the history, in words for staff and candidates.
TRANSITION_WORDS = {
    "submit": "Application sent",
    "shortlist": "Shortlisted",
    "reject_at_sift": "Not taken forward to interview",
    "invite_to_interview": "Invited to interview",
    "reject_after_interview": "Not appointed",
    "schedule_interview": "Interview arranged",
    "book_interview": "Interview booked",
    "cancel_interview": "Interview cancelled",
    "record_interview": "Interviewed",
    "offer": "Job offered",
    "accept_offer": "Offer accepted",
    "decline_offer": "Offer declined",
    "withdraw": "Withdrawn",
}


def interview_time_come(application: Application) -> bool:
    """Whether the interview's time has come (an interview is recorded as held only then)."""
    return application.interview_at is None or application.interview_at <= timezone.now()


def too_late_to_change(application: Application) -> bool:
    """The interview arranged is closer than the booking notice: the candidate asks the
    recruitment team to change it instead."""
    notice = timedelta(hours=settings.INTERVIEW_NOTICE_HOURS)
    return application.interview_at is not None and (
        application.interview_at < timezone.now() + notice
    )


def refusal(
    application: Application, transition: str, taken: int | None = None
) -> tuple[str, str] | None:
    """Why a guard refuses the transition now, as (409 code, message). ``taken``: how many of
    the vacancy's applications are shortlisted, when the caller has already counted."""
    if transition in ("shortlist", "reject_at_sift") and not application.vacancy_closed():
        if application.vacancy.status in (VacancyStatus.DRAFT, VacancyStatus.OPEN):
            return "vacancy_open", "Shortlisting starts when the vacancy has closed."
        return "invalid_transition", (
            f"The vacancy is {application.vacancy.get_status_display().lower()}."
        )
    if transition == "shortlist":
        return assessment.shortlist_refusal(application, taken)
    if transition == "offer":
        return assessment.offer_refusal(application)
    if transition == "record_interview" and not interview_time_come(application):
        when = timezone.localtime(application.interview_at)
        return "interview_not_held", (
            f"The interview is set for {when:%-d %B %Y} at {govuk_time(when)}: it can be recorded "
            "as held "
            "from then."
        )
    if transition == "book_interview" and application.vacancy.status != VacancyStatus.CLOSED:
        return "invalid_transition", (
            f"The vacancy is {application.vacancy.get_status_display().lower()}: interviews "
            "can no longer be booked."
        )
    if transition == "book_interview" and application.vacancy.sift_completed_at is None:
        return "sift_incomplete", "Interviews can be booked once shortlisting is complete."
    if (
        transition == "book_interview"
        and application.state == ApplicationState.INTERVIEW_SCHEDULED
        and not application.bookings.filter(cancelled_at=None).exists()
    ):
        return "invalid_transition", (
            "The recruitment team arranged your interview: contact them to change it."
        )
    if transition in ("book_interview", "cancel_interview") and too_late_to_change(application):
        return "too_late_to_change", (
            f"Your interview is less than {settings.INTERVIEW_NOTICE_HOURS} hours away. "
            "To change it, contact the recruitment team."
        )
    if (
        transition == "cancel_interview"
        and not application.bookings.filter(cancelled_at=None).exists()
    ):
        return "invalid_transition", (
            "Cannot cancel this interview here: the recruitment team arranged it. Contact "
            "them to change it."
        )
    if transition == "withdraw" and not application.withdrawable():
        return "invalid_transition", "Cannot withdraw this application: it is not shortlisted."
    if transition == "reject_at_sift" and not application.sift_open():
        return "sift_complete", "The sift of this vacancy is complete."
    if transition == "reject_at_sift":
        return assessment.sift_rejection_refusal(application)
    return None
