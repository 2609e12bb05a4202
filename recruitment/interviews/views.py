"""The interview slot pages: the chair and HR publish and remove a vacancy's slots; the
candidate books, moves or cancels theirs (the application's ``book_interview`` and
``cancel_interview`` actions, as the API takes them) and downloads the calendar invitation;
each panel member sees their day."""

from __future__ import annotations

import datetime

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from adjustments.selectors import arrangements_visible_to
from kernel.api import acting_user
from kernel.errors import ActionForbidden, DomainError
from kernel.paging import page_links, paginate
from recruitment.applications import services as application_services
from recruitment.applications import workflow
from recruitment.applications.forms import LONDON
from recruitment.interviews import booking, calendar, services
from recruitment.interviews.api import slots_of
from recruitment.interviews.forms import BookSlotForm, SlotRunForm
from recruitment.models import Application, InterviewSlot
from vacancies.models import Vacancy

#: The days the "Your interviews" page goes to (beyond them, today).
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2999, 12, 31)


def _staff(request: HttpRequest) -> None:
    if not getattr(request.user, "is_recruitment_staff", False):
        raise PermissionDenied


@login_required
def vacancy_slots(request: HttpRequest, pk: int) -> HttpResponse:
    """A vacancy's slots a page at a time, who has booked each, and (the chair and HR) the
    form to publish more."""
    _staff(request)
    user = acting_user(request)
    vacancy = get_object_or_404(
        Vacancy.objects.worked_on_by(user)
        .select_related("hiring_manager")
        .prefetch_related("panel"),
        pk=pk,
    )
    may_manage = rules.has_perm("vacancies.manage_interview_slots", user, vacancy)
    staff = [(vacancy.hiring_manager.pk, f"{vacancy.hiring_manager.full_name} (chair)")] + [
        (p.pk, p.full_name) for p in vacancy.panel.all() if p.pk != vacancy.hiring_manager_id
    ]
    form = SlotRunForm(request.POST or None, staff=staff, vacancy=vacancy) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                made = services.slots_publish(vacancy_id=vacancy.pk, by=user, run=form.run())
            except ValidationError as exc:
                form.add_service_errors(exc, {"starts_at": "date"})
            except DomainError as exc:
                messages.error(request, exc.detail)
                return redirect("interview-slots", pk=vacancy.pk)
            else:
                messages.success(
                    request,
                    "1 slot published." if len(made) == 1 else f"{len(made)} slots published.",
                )
                return redirect("interview-slots", pk=vacancy.pk)
    page = paginate(request, slots_of(vacancy))
    return render(
        request,
        "interviews/slots.html",
        {
            "vacancy": vacancy,
            "slots": page.object_list,
            "pages": page_links(request, page),
            "count": page.paginator.count,
            "form": form,
            "may_manage": may_manage,
            "lead_days": settings.INTERVIEW_SUPPORT_LEAD_DAYS,
        },
    )


@login_required
@require_POST
def remove_slot(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = acting_user(request)
    slot = get_object_or_404(
        InterviewSlot.objects.published().filter(vacancy__in=Vacancy.objects.worked_on_by(user)),
        pk=pk,
    )
    try:
        services.slot_remove(slot_id=slot.pk, by=user)
    except Http404:
        messages.error(request, "That slot has already been removed.")
    except ActionForbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Slot removed.")
    return redirect("interview-slots", pk=slot.vacancy_id)


def _own(request: HttpRequest, pk: int) -> Application:
    """The candidate's own application (anyone else's: 404)."""
    user = acting_user(request)
    application = get_object_or_404(
        Application.objects.visible_to(user).select_related("vacancy"), pk=pk
    )
    if not rules.has_perm("recruitment.book_interview", user, application):
        raise Http404
    return application


@login_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a slot (or another one): the slots offered, shaped by the agreed adjustments."""
    application = _own(request, pk)
    user = acting_user(request)
    actions = application_services.available_actions(application, user)
    offer = booking.offer_for(application)
    legend = "Change your interview time" if offer["booking"] else "Book your interview"
    form = BookSlotForm(request.POST or None, offers=offer["slots"], legend=legend)
    if request.method == "POST" and "book_interview" in actions and form.is_valid():
        try:
            application_services.take(
                "book_interview", application_id=application.pk, by=user,
                slot=form.cleaned_data["slot"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("book-interview", pk=application.pk)
        else:
            messages.success(
                request,
                "Your interview time has been changed. We have sent you the new details and "
                "calendar invitation."
                if offer["booking"]
                else workflow.ACTIONS["book_interview"].candidate_done,
            )
            return redirect("my-application", pk=application.pk)
    refused = None
    if "book_interview" not in actions:
        name = "book_interview"
        refused = workflow.refusal(application, name) if application.state in (
            "shortlisted", "interview_scheduled"
        ) else ("invalid_transition", "There is no interview to book for this application.")  # fmt: skip
    return render(
        request,
        "interviews/book.html",
        {
            "application": application,
            "form": form,
            "offer": offer,
            "legend": legend,
            "refused": refused[1] if refused else "",
            "may_cancel": "cancel_interview" in actions,
        },
    )


@login_required
def calendar_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The calendar invitation of the candidate's booked interview."""
    application = _own(request, pk)
    live = booking.live_booking(application)
    if live is None:
        raise Http404
    response = HttpResponse(calendar.invitation(live), content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{calendar.FILENAME}"'
    return response


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """A panel member's interviews on a day (``?date=YYYY-MM-DD``, today by default), each
    with the arrangements agreed for it (never the request's words); HR sees everyone's."""
    _staff(request)
    user = acting_user(request)
    today = timezone.localtime().date()
    try:
        day = datetime.date.fromisoformat(request.GET.get("date") or today.isoformat())
    except ValueError:
        day = today
    if not FIRST_DAY <= day <= LAST_DAY:
        day = today  # a day nobody interviews on, at the calendar's ends
    start = datetime.datetime.combine(day, datetime.time.min, LONDON)
    rows = [
        {"booking": b, "arrangements": arrangements_visible_to(b.application, user)}
        for b in booking.panel_day(user, start)
    ]
    return render(
        request,
        "interviews/day.html",
        {
            "day": day,
            "rows": rows,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "today": today,
        },
    )
