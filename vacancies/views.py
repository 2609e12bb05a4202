"""Vacancy pages: the public list and page, and the staff pages. Same services and permission
checks as the API (vacancies/services.py, vacancies/permissions.py)."""

from __future__ import annotations

from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kernel import confirm
from kernel.api import acting_user
from kernel.errors import ActionForbidden, DomainError
from kernel.forms import LegalHoldForm, legal_hold_posted
from kernel.template_filters import govuk_time
from vacancies import services, structured_data
from vacancies.forms import VacancyForm, VacancySearchForm
from vacancies.models import Vacancy, VacancyStatus


def _vacancies(request: HttpRequest) -> QuerySet[Vacancy]:
    return (
        Vacancy.objects.visible_to(request.user)
        .select_related("positive_action_plan")
        .prefetch_related("criteria")
    )


def vacancy_list(request: HttpRequest) -> HttpResponse:
    """Open vacancies, filtered by department and grade."""
    form = VacancySearchForm(request.GET or None)
    vacancies = _vacancies(request).filter(status=VacancyStatus.OPEN).order_by("closing_date")
    if form.is_valid():
        if department := form.cleaned_data["department"]:
            vacancies = vacancies.filter(department__iexact=department)
        if grade := form.cleaned_data["grade"]:
            vacancies = vacancies.filter(grade__iexact=grade)
    open_vacancies = Vacancy.objects.filter(status=VacancyStatus.OPEN)
    return render(
        request,
        "vacancies/list.html",
        {
            "vacancies": vacancies,
            "form": form,
            "departments": sorted(set(open_vacancies.values_list("department", flat=True))),
            "grades": sorted(set(open_vacancies.values_list("grade", flat=True))),
        },
    )


def vacancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = get_object_or_404(_vacancies(request), pk=pk)
    applied = None
    if request.user.is_authenticated:
        applied = vacancy.applications.filter(candidate=request.user).first()
    return render(
        request,
        "vacancies/detail.html",
        {
            "vacancy": vacancy,
            "applied": applied,
            # For job search engines, on the page of a job open to applications only.
            "job_posting": structured_data.script(structured_data.job_posting(vacancy))
            if vacancy.accepting_applications
            else None,
        },
    )


# --- Staff pages ----------------------------------------------------------------------------


def _staff_only(request: HttpRequest) -> None:
    if not getattr(request.user, "is_recruitment_staff", False):
        raise PermissionDenied


@login_required
def staff_vacancy_list(request: HttpRequest) -> HttpResponse:
    """The vacancies this member of staff works on (HR: all); ``?show=`` one kind of work
    waiting (``SHOWN``), as the home page counts it."""
    _staff_only(request)
    user = acting_user(request)
    vacancies = Vacancy.objects.worked_on_by(user).order_by("-created_at")
    show = request.GET.get("show", "")
    if show in SHOWN:
        vacancies = getattr(vacancies, SHOWN[show][0])().order_by("closing_date", "pk")
    return render(
        request,
        "vacancies/staff_list.html",
        {
            "vacancies": vacancies,
            "showing": SHOWN[show][1] if show in SHOWN else "",
            "can_create": rules.has_perm("vacancies.create_vacancy", user),
        },
    )


#: ``?show=`` on the staff list: the queryset method, and what the page then says it shows.
SHOWN = {
    "closing-soon": ("closing_soon", "Vacancies closing in the next 7 days"),
    "sift-open": ("sift_open", "Closed vacancies whose sift is not complete"),
    "held": ("held", "Vacancies under a legal hold"),
}


@login_required
def staff_vacancy_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not rules.has_perm("vacancies.create_vacancy", user):
        raise PermissionDenied
    form = VacancyForm(request.POST or None, initial={"hiring_manager": user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            vacancy = services.vacancy_create(by=user, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc, _FORM_FIELDS)
        else:
            messages.success(request, f"Vacancy {vacancy.reference} saved as a draft.")
            return redirect("staff-vacancy", pk=vacancy.pk)
    return render(request, "vacancies/form.html", {"form": form, "vacancy": None})


#: Service field → form field, where they differ.
_FORM_FIELDS = {
    "criteria": "essential_criteria",
    "positive_action": "positive_action_groups",
}


@login_required
def staff_vacancy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    vacancy = get_object_or_404(Vacancy.objects.visible_to(user), pk=pk)
    if not rules.has_perm("vacancies.manage_vacancy", user, vacancy):
        raise PermissionDenied
    if vacancy.status != VacancyStatus.DRAFT:
        messages.error(request, "Only a draft vacancy can be edited.")
        return redirect("staff-vacancy", pk=vacancy.pk)
    form = VacancyForm(request.POST or None, initial=VacancyForm.initial_from(vacancy))
    if request.method == "POST" and form.is_valid():
        try:
            services.vacancy_update(vacancy_id=vacancy.pk, by=user, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc, _FORM_FIELDS)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("staff-vacancy", pk=vacancy.pk)
        else:
            messages.success(request, "Vacancy updated.")
            return redirect("staff-vacancy", pk=vacancy.pk)
    return render(request, "vacancies/form.html", {"form": form, "vacancy": vacancy})


@login_required
def staff_vacancy_detail(
    request: HttpRequest, pk: int, hold_form: LegalHoldForm | None = None
) -> HttpResponse:
    user = acting_user(request)
    _staff_only(request)
    vacancy = get_object_or_404(
        Vacancy.objects.visible_to(user)
        .with_appointment_flag()
        .select_related("hiring_manager", "positive_action_plan")
        .prefetch_related("criteria", "panel"),
        pk=pk,
    )
    return render(
        request,
        "vacancies/staff_detail.html",
        {
            "vacancy": vacancy,
            "actions": services.available_actions(vacancy, user),
            "can_edit": vacancy.status == VacancyStatus.DRAFT
            and rules.has_perm("vacancies.manage_vacancy", user, vacancy),
            "can_score": rules.has_perm("vacancies.score", user, vacancy),
            "can_moderate": rules.has_perm("vacancies.moderate", user, vacancy),
            "can_hold": rules.has_perm("vacancies.set_legal_hold", user, vacancy),
            "can_set_feedback": rules.has_perm("vacancies.set_score_feedback", user, vacancy),
            "can_export": rules.has_perm("recruitment.export_decision_record", user, vacancy),
            "hold_form": hold_form or LegalHoldForm(prefix="hold", release=vacancy.legal_hold),
            "hold_explanation": (
                f"Candidates' personal data is erased {settings.RETENTION_MONTHS} months after "
                "the campaign ends. Place a legal hold if there is a complaint or tribunal "
                "claim about this campaign."
            ),
        },
    )


ACTIONS: dict[str, Any] = {
    "publish": (services.vacancy_publish, "Vacancy published: candidates can now apply."),
    "close": (services.vacancy_close, "Vacancy closed: shortlisting can start."),
    "cancel": (services.vacancy_cancel, "Vacancy cancelled."),
    "fill": (services.vacancy_fill, "Vacancy marked as filled."),
}


@login_required
@require_POST
def staff_vacancy_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    vacancy = get_object_or_404(Vacancy.objects.visible_to(user), pk=pk)
    if action in ("hold", "release-hold"):
        return _legal_hold(request, vacancy, held=action == "hold")
    if action in ("feedback-on", "feedback-off"):
        return _score_feedback(request, vacancy, on=action == "feedback-on")
    if action not in ACTIONS:
        raise PermissionDenied
    service, done = ACTIONS[action]
    may = action in services.available_actions(vacancy, user)  # else the service says why not
    if may and (question := _asks_first(vacancy, action)) and not confirm.confirmed(request):
        return confirm.ask(request, question)
    try:
        service(vacancy_id=vacancy.pk, by=user)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect("staff-vacancy", pk=vacancy.pk)


def _asks_first(vacancy: Vacancy, action: str) -> confirm.Confirmation | None:
    """Closing before the closing date, and cancelling, ask first: neither can be undone."""
    page = reverse("staff-vacancy", args=[vacancy.pk])
    caption = f"{vacancy.reference} {vacancy.title}"
    here = reverse("staff-vacancy-action", args=[vacancy.pk, action])
    if action == "close" and vacancy.closing_date > timezone.now():
        closing = timezone.localtime(vacancy.closing_date)
        return confirm.Confirmation(
            title="Close this vacancy early?",
            caption=caption,
            paragraphs=[
                f"Its closing date is {closing:%-d %B %Y} at {govuk_time(closing)}. If you close "
                "it now, no one else can apply, and anyone who has started an application "
                "cannot send it.",
                "Shortlisting can start once it is closed. You cannot open it again.",
            ],
            button="Close it now",
            action=here,
            cancel_url=page,
        )
    if action == "cancel":
        return confirm.Confirmation(
            title="Cancel this vacancy?",
            caption=caption,
            paragraphs=[
                "No one will be appointed from it. Applications stop, and the campaign's "
                "personal data is erased when its retention period ends. You cannot undo this."
            ],
            button="Cancel the vacancy",
            action=here,
            cancel_url=page,
        )
    return None


def _score_feedback(request: HttpRequest, vacancy: Vacancy, *, on: bool) -> HttpResponse:
    try:
        services.vacancy_score_feedback_set(vacancy_id=vacancy.pk, by=acting_user(request), on=on)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    messages.success(
        request,
        "Feedback from the scores turned on: candidates see it after a decision."
        if on
        else "Feedback from the scores turned off: candidates are told it is not given.",
    )
    return redirect("staff-vacancy", pk=vacancy.pk)


def _legal_hold(request: HttpRequest, vacancy: Vacancy, *, held: bool) -> HttpResponse:
    try:
        form = legal_hold_posted(
            request.POST,
            lambda reason, confirm: services.vacancy_legal_hold_set(
                vacancy_id=vacancy.pk,
                by=acting_user(request),
                held=held,
                reason=reason,
                confirm=confirm,
            ),
            release=not held,
        )
    except ActionForbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    if form is not None:
        return staff_vacancy_detail(request, vacancy.pk, hold_form=form)
    messages.success(
        request,
        "Legal hold placed: nothing of this campaign will be erased until it is released."
        if held
        else "Legal hold released: the campaign will be erased when its retention period ends.",
    )
    return redirect("staff-vacancy", pk=vacancy.pk)
