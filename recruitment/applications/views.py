"""Application pages: the candidate's apply journey and their applications, and the staff
pages for a vacancy's applications. Same services and permission checks as the API."""

from __future__ import annotations

from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kernel.api import acting_user
from kernel.errors import DomainError
from recruitment.applications import selectors as selectors_
from recruitment.applications import services, workflow
from recruitment.applications.forms import (
    QUESTION_LABELS,
    EqualityForm,
    GuaranteeForm,
    PositiveActionForm,
    StatementForm,
)
from recruitment.models import (
    EQUALITY_QUESTIONS,
    FINAL_STATES,
    Application,
    ApplicationDraft,
    ApplicationState,
)
from recruitment.privacy import subject_access
from recruitment.scoring import guarantee
from vacancies.models import GuaranteeScheme, Vacancy

#: What each state means to the candidate, in plain words.
CANDIDATE_STATES = {
    "submitted": ("Received", "We will look at your application after the closing date."),
    "shortlisted": (
        "Shortlisted",
        "We would like to interview you. We will contact you with a date.",
    ),
    "not_shortlisted": (
        "Not taken forward",
        "We will not be inviting you to an interview this time.",
    ),
    "interview_scheduled": ("Interview arranged", "Your interview date is below."),
    "interviewed": ("Interviewed", "We will let you know the outcome."),
    "not_appointed": ("Not appointed", "We have decided not to offer you the job this time."),
    "offered": ("Job offered", "We would like to offer you the job."),
    "appointed": ("Appointed", "You have accepted the job."),
    "offer_declined": ("Offer declined", "You turned down the job offer."),
    "withdrawn": ("Withdrawn", "You withdrew this application."),
}

#: At every stage the candidate is asked whether they need adjustments, in plain words.
ADJUSTMENT_INVITATIONS = {
    "submitted": "Do you need any adjustments to take part in an assessment or interview? "
    "For example extra time, rest breaks or the questions in writing.",
    "shortlisted": "You have been shortlisted. Do you need any adjustments for your "
    "interview? For example a step-free room, a BSL interpreter or a remote interview.",
    "interview_scheduled": "Do you need any adjustments for your interview? Ask as soon as "
    "you can so that we can arrange them in time.",
    "offered": "Do you need any adjustments to start work with us? For example assistive "
    "technology or a different start time.",
    "appointed": "Do you need any adjustments to start work with us?",
}


def _candidate(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not rules.has_perm("recruitment.apply", user):
        raise PermissionDenied("Only candidates apply for jobs.")
    return user


# --- Apply: one thing per page, answers kept in a draft record until sent ----------------------


def _steps(vacancy: Vacancy) -> list[str]:
    steps = ["statement"]
    if vacancy.interview_guarantees:
        steps.append("guarantee")
    if guarantee.has_positive_action_plan(vacancy):
        steps.append("positive-action")
    return [*steps, "equality", "check"]


def _draft(request: HttpRequest, vacancy: Vacancy) -> ApplicationDraft:
    """The candidate's draft for this vacancy (a record, never the session: an older
    session's copy is dropped on sight)."""
    if request.session.pop(f"apply-{vacancy.pk}", None) is not None:
        request.session.modified = True
    draft, _ = ApplicationDraft.objects.get_or_create(
        candidate=acting_user(request), vacancy=vacancy
    )
    return draft


def _open_vacancy(request: HttpRequest, pk: int) -> Vacancy | HttpResponse:
    vacancy = get_object_or_404(
        Vacancy.objects.visible_to(request.user)
        .select_related("positive_action_plan")
        .prefetch_related("criteria"),
        pk=pk,
    )
    existing = Application.objects.filter(vacancy=vacancy, candidate=request.user).first()
    if existing:
        messages.info(request, "You have already applied for this job.")
        return redirect("my-application", pk=existing.pk)
    if not vacancy.accepting_applications:
        messages.error(request, "This vacancy is no longer open for applications.")
        return redirect("vacancy", pk=vacancy.pk)
    return vacancy


@login_required
def apply(request: HttpRequest, pk: int, step: str = "statement") -> HttpResponse:
    _candidate(request)
    vacancy = _open_vacancy(request, pk)
    if isinstance(vacancy, HttpResponse):
        return vacancy
    steps = _steps(vacancy)
    if step not in steps:
        raise Http404
    if step == "check":
        return _check(request, vacancy)
    draft = _draft(request, vacancy)
    form = _step_form(step, vacancy, request.POST if request.method == "POST" else None, draft.data)
    if request.method == "POST" and form.is_valid():
        _save_step(step, form, draft.data)
        draft.save(update_fields=["data", "updated_at"])
        following = "check" if request.GET.get("change") else steps[steps.index(step) + 1]
        return redirect("apply", pk=vacancy.pk, step=following)
    back = (
        reverse("vacancy", args=[vacancy.pk])
        if step == steps[0]
        else reverse("apply", args=[vacancy.pk, steps[steps.index(step) - 1]])
    )
    return render(
        request,
        f"recruitment/apply_{step.replace('-', '_')}.html",
        {
            "vacancy": vacancy,
            "form": form,
            "back": back,
            "step_number": steps.index(step) + 1,
            "step_count": len(steps),
        },
    )


def _step_form(step: str, vacancy: Vacancy, data: Any, draft: dict[str, Any]) -> Any:
    if step == "statement":
        initial = {"statement": draft.get("statement", "")}
        initial |= {f"evidence_{k}": v for k, v in draft.get("evidence", {}).items()}
        return StatementForm(data, vacancy=vacancy, initial=initial)
    if step == "guarantee":
        scheme = draft.get("interview_guarantee", "")
        return GuaranteeForm(
            data,
            vacancy=vacancy,
            initial={"scheme": scheme or ("none" if "interview_guarantee" in draft else "")},
        )
    if step == "positive-action":
        declared = draft.get("positive_action")
        initial = {"declared": "" if declared is None else ("yes" if declared else "no")}
        return PositiveActionForm(data, initial=initial)
    return EqualityForm(data, initial=draft.get("equality", {}))


def _save_step(step: str, form: Any, draft: dict[str, Any]) -> None:
    data = form.cleaned_data
    if step == "statement":
        draft["statement"] = data["statement"]
        draft["evidence"] = {
            name.removeprefix("evidence_"): text
            for name, text in data.items()
            if name.startswith("evidence_") and text.strip()
        }
    elif step == "guarantee":
        draft["interview_guarantee"] = None if data["scheme"] == "none" else data["scheme"]
    elif step == "positive-action":
        draft["positive_action"] = data["declared"] == "yes"
    else:
        draft["equality"] = form.answers()


def _check(request: HttpRequest, vacancy: Vacancy) -> HttpResponse:
    draft = _draft(request, vacancy).data
    if "statement" not in draft:
        return redirect("apply", pk=vacancy.pk, step="statement")
    if request.method == "POST":
        try:
            application = services.application_submit(
                candidate=acting_user(request),
                vacancy=vacancy,
                statement=draft["statement"],
                evidence=[
                    services.EvidenceInput(int(k), v) for k, v in draft.get("evidence", {}).items()
                ],
                interview_guarantee=draft.get("interview_guarantee"),
                positive_action=bool(draft.get("positive_action")),
                equality=draft.get("equality") or {},
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("vacancy", pk=vacancy.pk)
        except ValidationError as exc:
            for problems in exc.message_dict.values():
                for problem in problems:
                    messages.error(request, problem)
            return redirect("apply", pk=vacancy.pk, step="statement")
        return redirect("application-sent", pk=application.pk)  # the draft went with it
    criteria = {str(c.pk): c for c in vacancy.criteria.all()}
    equality = draft.get("equality", {})
    return render(
        request,
        "recruitment/apply_check.html",
        {
            "vacancy": vacancy,
            "draft": draft,
            "evidence": [
                (criteria[k].text, v) for k, v in draft.get("evidence", {}).items() if k in criteria
            ],
            "scheme": dict(GuaranteeScheme.choices).get(draft.get("interview_guarantee") or ""),
            "steps": _steps(vacancy),
            "equality": [
                (QUESTION_LABELS[q], dict(EQUALITY_QUESTIONS[q].choices)[equality[q]])
                for q in EQUALITY_QUESTIONS
                if q in equality
            ],
            "back": reverse("apply", args=[vacancy.pk, "equality"]),
        },
    )


# --- The candidate's applications ------------------------------------------------------------


def _own(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.visible_to(_candidate(request))
        .select_related("vacancy")
        .prefetch_related("adjustments"),
        pk=pk,
    )


@login_required
def application_sent(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "recruitment/application_sent.html", {"application": _own(request, pk)})


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = (
        Application.objects.visible_to(_candidate(request))
        .select_related("vacancy")
        .order_by("-submitted_at")
    )
    rows = [(a, _status(a)) for a in applications]
    return render(
        request,
        "recruitment/my_applications.html",
        {"rows": rows, "retention_months": settings.RETENTION_MONTHS},
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the service holds about you, as a JSON file (subject access)."""
    data = subject_access.personal_data(acting_user(request))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="your-recruitment-data.json"'
    response["Cache-Control"] = "no-store"
    return response


def _status(application: Application, may_book: bool = False) -> tuple[str, str]:
    """What the candidate is told of their application, in plain words."""
    state = application.candidate_state
    if state == ApplicationState.SHORTLISTED and may_book:
        return ("Invited to interview", "We would like to interview you. Choose a time below.")
    if state == ApplicationState.SUBMITTED and application.vacancy.status != "open":
        return (
            "Received",
            "We are looking at the applications now and will tell you what happens next.",
        )
    return CANDIDATE_STATES[state]


@login_required
def my_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    user = acting_user(request)
    history = [
        (workflow.TRANSITION_WORDS.get(entry.transition, entry.transition), entry)
        for entry in selectors_.application_history(application, user)
    ]
    actions = services.available_actions(application, user)
    has_slots = application.vacancy.interview_slots.filter(removed_at=None).exists()
    return render(
        request,
        "recruitment/my_application.html",
        {
            "application": application,
            "status": _status(application, "book_interview" in actions and has_slots),
            "history": history,
            "actions": actions,
            "invitation": ADJUSTMENT_INVITATIONS.get(application.candidate_state),
            "can_request": application.candidate_state not in FINAL_STATES,
            "booking": application.bookings.filter(cancelled_at=None).first(),
            "has_slots": has_slots,
            "offer": getattr(application, "offer_decision", None)
            if application.candidate_state in (ApplicationState.OFFERED, ApplicationState.APPOINTED)
            else None,
        },
    )


@login_required
def my_application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, then withdraw, accept or decline."""
    application = _own(request, pk)
    step = workflow.CANDIDATE_ACTIONS.get(action)
    if step is None:
        raise Http404
    if request.method == "POST":
        try:
            services.take(action, application_id=application.pk, by=acting_user(request))
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, step.candidate_done)
        return redirect("my-application", pk=application.pk)
    return render(
        request,
        "recruitment/confirm.html",
        {"application": application, "question": step.candidate_question, "action": action},
    )
