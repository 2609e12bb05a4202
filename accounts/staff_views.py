"""HR's pages for staff accounts: the list (with last sign-in), inviting someone, changing a
role, deactivating and reactivating, resending an invitation and resetting a lost second
factor. Each change goes through ``accounts.services`` and is in the account's history
(django-auditlog); deactivating and resetting a second factor ask to confirm first."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import InviteForm, RoleForm
from accounts.models import STAFF_ROLES, Role, User
from kernel.audit import LogEntry
from kernel.errors import ActionForbidden, DomainError
from kernel.paging import page_links, paginate

#: A role in a sentence.
ROLE_WORDS = {
    Role.PANEL_MEMBER: "panel member",
    Role.HIRING_MANAGER: "hiring manager",
    Role.HR: "member of HR",
    Role.CANDIDATE: "candidate",
}
#: The list's filters: ``?role=…&status=active|deactivated|invited``.
STATUSES = {
    "active": "Active",
    "invited": "Invited, not set up yet",
    "deactivated": "Deactivated",
}
#: Actions on one account; those that ask to confirm first: (the question, what follows).
ACTIONS: dict[str, tuple[str, str] | None] = {
    "role": None,
    "deactivate": (
        "Deactivate this account?",
        "They will be signed out at once, and their API tokens will stop working. You can "
        "reactivate the account later.",
    ),
    "reactivate": None,
    "resend-invitation": None,
    "reset-second-factor": (
        "Reset their second factor?",
        "They will set up a new authenticator app the next time they sign in with their password.",
    ),
}


def _hr(request: HttpRequest) -> User:
    user = request.user
    if not rules.has_perm("accounts.manage_staff", user):
        raise PermissionDenied
    return user  # type: ignore[return-value]


def _status(user: User) -> str:
    if not user.is_active:
        return "deactivated"
    if not user.has_usable_password() and not user.sso_subject:
        return "invited"
    return "active"


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """Staff accounts by name, filtered, a page at a time."""
    _hr(request)
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    staff = User.objects.filter(role__in=STAFF_ROLES).order_by("full_name", "pk")
    if role in STAFF_ROLES:
        staff = staff.filter(role=role)
    if status == "deactivated":
        staff = staff.filter(is_active=False)
    elif status in ("active", "invited"):
        # An invited account has no usable password yet (Django marks one with "!") and has
        # not signed on with its organisation account either.
        invited = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX, sso_subject=None)
        staff = staff.filter(is_active=True).filter(invited if status == "invited" else ~invited)
    page = paginate(request, staff)
    rows = [{"user": u, "status": STATUSES[_status(u)]} for u in page.object_list]
    return render(
        request,
        "accounts/people.html",
        {
            "rows": rows,
            "pages": page_links(request, page),
            "roles": [(r.value, r.label) for r in Role if r in STAFF_ROLES],
            "statuses": STATUSES,
            "filters": {"role": role, "status": status},
        },
    )


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    by = _hr(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_invite(by=by, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("person", pk=user.pk)
    return render(request, "accounts/invite.html", {"form": form})


def _history(user: User) -> list[dict[str, Any]]:
    """The account's changes, newest first, in words."""
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_pk=str(user.pk)
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:50]
    )
    history = []
    for entry in entries:
        changes = entry.changes_dict
        said = []
        if "role" in changes:
            before, after = (ROLE_WORDS.get(r, r) for r in changes["role"])
            said.append(f"role changed from {before} to {after}"
                        if entry.action == LogEntry.Action.UPDATE
                        else f"account made for a {after}")  # fmt: skip
        if "is_active" in changes and entry.action == LogEntry.Action.UPDATE:
            said.append("reactivated" if changes["is_active"][1] == "True" else "deactivated")
        if "email_confirmed_at" in changes and changes["email_confirmed_at"][1] not in ("None", ""):
            said.append("email address confirmed")
        if "sso_subject" in changes and changes["sso_subject"][1] not in ("None", ""):
            said.append("linked to single sign-on")
        if "full_name" in changes and entry.action == LogEntry.Action.UPDATE:
            said.append("name changed")
        if "second_factor_set_at" in changes and entry.action == LogEntry.Action.UPDATE:
            set_up = changes["second_factor_set_at"][1] not in ("None", "")
            said.append("authenticator app set up" if set_up else "second factor reset")
        if said:
            history.append(
                {"at": entry.timestamp, "by": entry.actor, "what": "; ".join(said).capitalize()}
            )
    return history


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    _hr(request)
    user = get_object_or_404(User.objects.filter(role__in=STAFF_ROLES), pk=pk)
    return _render_person(request, user, RoleForm(initial={"role": user.role}))


def _render_person(
    request: HttpRequest, user: User, form: RoleForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/person.html",
        {
            "person": user,
            "status": STATUSES[_status(user)],
            "invited": _status(user) == "invited",
            "second_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "form": form,
            "history": _history(user),
            "is_self": user.pk == request.user.pk,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """An action on a staff account; one that asks first shows its question (GET, or a POST
    without ``confirm=yes``) and is done on the confirmed POST."""
    by = _hr(request)
    if action not in ACTIONS:
        raise Http404
    user = get_object_or_404(User.objects.filter(role__in=STAFF_ROLES), pk=pk)
    question = ACTIONS[action]
    if request.method == "GET" and not question:
        return redirect("person", pk=user.pk)
    if question and (request.method == "GET" or request.POST.get("confirm") != "yes"):
        return render(
            request,
            "accounts/person_confirm.html",
            {"person": user, "action": action, "question": question[0], "what": question[1]},
        )
    form = RoleForm(request.POST if action == "role" else None)
    try:
        if action == "role":
            if not form.is_valid():
                return _render_person(request, user, form, status=400)
            services.staff_role_set(by=by, user_id=user.pk, role=form.cleaned_data["role"])
            done = "Role changed."
        elif action == "deactivate":
            services.staff_deactivate(by=by, user_id=user.pk)
            done = "Account deactivated. They can no longer sign in or use the API."
        elif action == "reactivate":
            services.staff_reactivate(by=by, user_id=user.pk)
            done = "Account reactivated."
        elif action == "resend-invitation":
            services.staff_invitation_resend(by=by, user_id=user.pk)
            done = f"Invitation sent again to {user.email}."
        else:
            services.second_factor_reset(by=by, user_id=user.pk)
            done = "Second factor reset."
    except ActionForbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("person", pk=user.pk)
