"""HR's pages for staff network reviewers: their grants (live, expired, withdrawn), granting
access (a new account invited, or a reviewer's renewed), withdrawing it with a reason, and
what each reviewer read under a grant, a page at a time. The same services as the API
(``accounts.services``); the grants' changes are in the audit log."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ReviewerGrantForm, WithdrawForm
from accounts.models import ReviewerGrant, StatisticsView, User
from kernel.errors import DomainError
from kernel.paging import page_links, paginate

#: The list's filter: ``?status=live|expired|withdrawn``.
STATUSES = {"live": "Live", "expired": "Expired", "withdrawn": "Withdrawn"}


def _hr(request: HttpRequest) -> User:
    if not rules.has_perm("accounts.manage_staff", request.user):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]


@login_required
def network_reviewers(request: HttpRequest) -> HttpResponse:
    """Every grant, newest first, filtered by status, a page at a time."""
    _hr(request)
    status = request.GET.get("status", "")
    grants = ReviewerGrant.objects.select_related("user", "granted_by")
    if status in STATUSES:
        grants = getattr(grants, status)()
    page = paginate(request, grants.order_by("-granted_at", "-pk"))
    return render(
        request,
        "accounts/network_reviewers.html",
        {
            "grants": page.object_list,
            "pages": page_links(request, page),
            "statuses": STATUSES,
            "status": status,
        },
    )


@login_required
def network_reviewer_new(request: HttpRequest) -> HttpResponse:
    by = _hr(request)
    form = ReviewerGrantForm(
        request.POST or None, initial={"expires_on": services.reviewer_default_last_day()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.reviewer_grant(by=by, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                f"{grant.user.full_name} can read the statistics until "
                f"{grant.last_day.day} {grant.last_day:%B %Y}.",
            )
            return redirect("network-reviewer", pk=grant.pk)
    return render(request, "accounts/network_reviewer_new.html", {"form": form})


@login_required
def network_reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    """A grant: who, which network, until when or since when it ended, the reviewer's other
    grants, and what they read under this one."""
    _hr(request)
    grant = get_object_or_404(
        ReviewerGrant.objects.select_related("user", "granted_by", "withdrawn_by"), pk=pk
    )
    views = paginate(request, StatisticsView.objects.filter(grant=grant).order_by("-at", "-pk"))
    return render(
        request,
        "accounts/network_reviewer.html",
        {
            "grant": grant,
            "others": ReviewerGrant.objects.filter(user=grant.user).exclude(pk=grant.pk),
            "views": [(view, described(view.params)) for view in views.object_list],
            "pages": page_links(request, views),
        },
    )


#: What a recorded read asked for, in words (the record keeps the API's values).
PARAM_LABELS = {
    "period": "Period",
    "unit": "Part of the organisation",
    "characteristic": "Characteristic",
    "stage": "Stage",
    "year": "Year",
    "preset": "Withheld figures shown",
    "format": "Format",
    "draft": "Report",
}
UNIT_WORDS = {"department": "Department", "grade": "Grade band", "campaign": "Campaign"}
VALUE_WORDS = {
    "preset": {"nhs": "NHS style (*)", "ons": "ONS style ([c])", "ofqual": "in words"},
    "format": {"json": "JSON (the API)", "csv": "CSV", "pdf": "PDF", "html": "web page"},
    "draft": {"True": "the draft", "False": "as published"},
}


def described(params: dict[str, object]) -> list[tuple[str, str]]:
    """A recorded read's selection as a person reads it: "Grade band: m1", not "grade:m1"."""
    out = []
    for name, value in params.items():
        text = str(value)
        if name == "unit":
            kind, _, key = text.partition(":")
            text = "The whole organisation" if kind == "organisation" else (
                f"{UNIT_WORDS.get(kind, kind.capitalize())}: {key}"
            )  # fmt: skip
        elif name in VALUE_WORDS:
            text = VALUE_WORDS[name].get(text, text)
        elif name in ("characteristic", "stage"):
            text = text.replace("_", " ").capitalize()
        elif name == "period" and "-Q" in text:
            year, _, quarter = text.partition("-Q")
            text = f"{year}, quarter {quarter}"
        out.append((PARAM_LABELS.get(name, name.replace("_", " ").capitalize()), text))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def network_reviewer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first, with the reason; withdraws on the POST."""
    by = _hr(request)
    grant = get_object_or_404(ReviewerGrant.objects.select_related("user"), pk=pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reviewer_withdraw(by=by, grant_id=grant.pk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("network-reviewer", pk=grant.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"{grant.user.full_name}'s access is withdrawn.")
            return redirect("network-reviewer", pk=grant.pk)
    return render(
        request,
        "accounts/network_reviewer_withdraw.html",
        {"grant": grant, "form": form},
        status=400 if form.errors else 200,
    )
