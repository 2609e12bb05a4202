"""Adjustment pages: the candidate asks and follows; the coordinator (HR) decides; the panel
sees what to arrange. Same services and permission checks as the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts import throttle
from adjustments import before_applying, services
from adjustments.forms import (
    AdjustmentRequestForm,
    AnswerForm,
    DecisionForm,
    PreApplicationForm,
    QueueFilterForm,
)
from adjustments.models import (
    OPEN_STATES,
    TO_PUT_IN_PLACE,
    AdjustmentCategory,
    AdjustmentRequest,
    PreApplicationRequest,
)
from adjustments.reporting import OUTCOME_LABELS, adjustments_report
from adjustments.selectors import arrangements_visible_to
from kernel.api import acting_user
from kernel.errors import ActionForbidden, DomainError
from kernel.paging import page_links, paginate
from recruitment.interviews import booking
from recruitment.models import Application, ApplicationState
from recruitment.monitoring import release
from recruitment.monitoring.presets import DEFAULT_PRESET, PRESETS
from recruitment.monitoring.views import UnitForm
from vacancies.models import Vacancy, VacancyStatus


@login_required
def request_adjustment(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = get_object_or_404(
        Application.objects.visible_to(user).select_related("vacancy"), pk=pk
    )
    if not rules.has_perm("adjustments.request", user, application):
        raise PermissionDenied
    form = AdjustmentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.adjustment_request(application=application, by=user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request, "Your request has been sent. We will reply before the stage it is for."
            )
        return redirect("my-application", pk=application.pk)
    return render(
        request,
        "adjustments/request.html",
        {"form": form, "application": application, "back": f"/applications/{application.pk}/"},
    )


@login_required
def withdraw_adjustment(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    adjustment = get_object_or_404(
        AdjustmentRequest.objects.visible_to(user).select_related("application__vacancy"), pk=pk
    )
    if request.method == "POST":
        try:
            services.adjustment_withdraw(adjustment_id=adjustment.pk, by=user)
        except ActionForbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "Your adjustment request has been withdrawn.")
        return redirect("my-application", pk=adjustment.application_id)
    return render(request, "adjustments/withdraw.html", {"adjustment": adjustment})


# --- The coordinator -------------------------------------------------------------------------


def _coordinator(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not rules.has_perm("adjustments.decide", user):
        raise PermissionDenied
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Requests, the soonest needed first, then the oldest; filter by state, vacancy, due."""
    _coordinator(request)
    form = QueueFilterForm(request.GET or None)
    requests = AdjustmentRequest.objects.queue_order().select_related("application__vacancy")
    state = due = ""
    if form.is_valid():
        state, due = form.cleaned_data["state"], form.cleaned_data["due"]
        if form.cleaned_data["vacancy"]:
            requests = requests.filter(application__vacancy_id=form.cleaned_data["vacancy"])
    if state == "":
        requests = requests.filter(state__in=OPEN_STATES)
    elif state == "to_put_in_place":
        requests = requests.filter(state__in=TO_PUT_IN_PLACE)
    elif state != "all":
        requests = requests.filter(state=state)
    now = timezone.now()
    if due == "overdue":
        requests = requests.filter(due_by__lte=now)
    elif due == "week":
        requests = requests.filter(due_by__gt=now, due_by__lte=now + timedelta(days=7))
    return render(
        request,
        "adjustments/queue.html",
        {
            "form": form,
            "requests": requests,
            "now": now,
            "vacancies": Vacancy.objects.filter(applications__adjustments__isnull=False)
            .distinct()
            .order_by("reference"),
            # Answered ones too when every state is asked for: HR can find them again.
            "before_applying": (
                PreApplicationRequest.objects.all()
                if state == "all"
                else PreApplicationRequest.objects.filter(answered_at=None)
            )
            .select_related("vacancy")
            .order_by("vacancy__closing_date", "requested_at"),
            "all_states": state == "all",
        },
    )


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _coordinator(request)
    adjustment = get_object_or_404(
        AdjustmentRequest.objects.with_due_by().select_related("application__vacancy"), pk=pk
    )
    form = DecisionForm(
        request.POST or None, extra_time=adjustment.category == AdjustmentCategory.EXTRA_TIME
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in services.ACTIONS or action == "withdraw":
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            calls = {
                "review": lambda: services.adjustment_review(adjustment_id=pk, by=user),
                "agree": lambda: services.adjustment_agree(
                    adjustment_id=pk,
                    by=user,
                    arrangement=data["arrangement"],
                    extra_minutes=data.get("extra_minutes"),
                ),
                "partially_agree": lambda: services.adjustment_partially_agree(
                    adjustment_id=pk,
                    by=user,
                    arrangement=data["arrangement"],
                    reason=data["reason"],
                    extra_minutes=data.get("extra_minutes"),
                ),
                "decline": lambda: services.adjustment_decline(
                    adjustment_id=pk, by=user, reason=data["reason"]
                ),
                "put_in_place": lambda: services.adjustment_put_in_place(adjustment_id=pk, by=user),
            }
            try:
                done = calls[action]()
            except ValidationError as exc:
                form.add_service_errors(exc)
            except DomainError as exc:
                messages.error(request, exc.detail)
                return redirect("adjustment-decide", pk=pk)
            else:
                messages.success(request, f"Request {done.get_state_display().lower()}.")
                return redirect("adjustment-decide", pk=pk)
    return render(
        request,
        "adjustments/decide.html",
        {
            "adjustment": adjustment,
            "form": form,
            "actions": services.available_actions(adjustment, user),
            "back": "/staff/adjustments/",
            "booking_unsuited": _booking_unsuited(adjustment),
        },
    )


def _booking_unsuited(adjustment: AdjustmentRequest) -> bool:
    """The candidate's booked interview slot no longer suits what was agreed (a venue, the
    format or extra time the panel is not free for): HR helps them choose another."""
    held = booking.live_booking(adjustment.application)
    return held is not None and not booking.suits(adjustment.application, held)


# --- The panel's interview schedule ------------------------------------------------------------


@login_required
def interview_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The vacancy's interviews and the arrangements to make for each (never the details),
    a page at a time in order of time."""
    user = acting_user(request)
    vacancy = get_object_or_404(Vacancy.objects.worked_on_by(user), pk=pk)
    interviews = (
        Application.objects.visible_to(user)
        .filter(
            vacancy=vacancy,
            state__in=[ApplicationState.INTERVIEW_SCHEDULED, ApplicationState.INTERVIEWED],
        )
        .select_related("candidate", "vacancy")
        .prefetch_related("adjustments", "vacancy__panel")
        .defer("statement")
        .order_by("interview_at", "pk")
    )
    page = paginate(request, interviews)
    rows = [
        {"application": a, "arrangements": arrangements_visible_to(a, user)}
        for a in page.object_list
    ]
    return render(
        request,
        "adjustments/schedule.html",
        {"vacancy": vacancy, "rows": rows, "pages": page_links(request, page)},
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The anonymised adjustments report, for a releasable unit and period, through the same
    release path as every statistic."""
    if not rules.has_perm("adjustments.view_report", acting_user(request)):
        raise PermissionDenied
    preset = request.GET.get("preset", DEFAULT_PRESET)
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    form = UnitForm(request.GET or {})
    selection = form.selection() if form.is_valid() else release.select()
    data = adjustments_report(preset=PRESETS[preset], selection=selection)
    labels = dict(AdjustmentCategory.choices)
    return render(
        request,
        "adjustments/report.html",
        {
            "form": form,
            "report": data,
            "outcome_labels": [OUTCOME_LABELS[o] for o in data.outcomes],
            "symbol": "–",
            "presets": sorted(PRESETS),
            "rows": [(labels[r["category"]], r) for r in data.rows],
        },
    )


# --- Before applying --------------------------------------------------------------------------


def ask_before_applying(request: HttpRequest, pk: int) -> HttpResponse:
    """From an open job's page, signed in or not: ask for an adjustment to be able to apply."""
    vacancy = get_object_or_404(Vacancy.objects.filter(status=VacancyStatus.OPEN), pk=pk)
    user = request.user if request.user.is_authenticated else None
    initial = {"full_name": user.full_name, "email": user.email} if user is not None else {}
    form = PreApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # Counted once the form is right: a person correcting their mistakes is not held back.
        if wait := throttle.attempt(request, "before_applying"):
            return render(
                request, "accounts/too_many.html", {"minutes": max(1, -(-wait // 60))}, status=429
            )
        try:
            before_applying.pre_application_request_create(
                vacancy=vacancy, requester=user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("vacancy", pk=vacancy.pk)
        else:
            return render(request, "adjustments/before_applying_sent.html", {"vacancy": vacancy})
    return render(request, "adjustments/before_applying.html", {"form": form, "vacancy": vacancy})


@login_required
def answer_before_applying(request: HttpRequest, pk: int) -> HttpResponse:
    """HR: the person, how to reach them, what they asked, and what was done."""
    user = _coordinator(request)
    asked = get_object_or_404(PreApplicationRequest.objects.select_related("vacancy"), pk=pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            before_applying.pre_application_request_answer(
                request_id=asked.pk, by=user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("before-applying", pk=asked.pk)
        else:
            messages.success(request, "Recorded as answered.")
            return redirect("adjustment-queue")
    return render(
        request,
        "adjustments/before_applying_answer.html",
        {"asked": asked, "form": form, "back": "/staff/adjustments/"},
    )
