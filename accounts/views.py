"""The accounts pages everyone reaches: creating a candidate account, confirming an e-mail
address, resetting a forgotten password, accepting a staff invitation, and a staff member's
second factor. Same services (``accounts.services``) and throttles as the API; no page says
whether an address has an account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import second_factor, services, throttle
from accounts.forms import CodeForm, EmailForm, NewPasswordForm, RegisterForm
from accounts.models import User
from accounts.tokens import password_links, user_of
from kernel.errors import DomainError

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 - a module path


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "accounts/too_many.html",
        {"minutes": max(1, -(-wait // 60))},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def register(request: HttpRequest) -> HttpResponse:
    """Create a candidate account, sign in, and say a confirmation link has been sent (the
    same words whether or not the address has an account already)."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("home")))
    form = RegisterForm(request.POST or None)
    next_url = request.GET.get("next", "")
    if request.method == "POST":
        if wait := throttle.attempt(request, "register"):
            return _too_many(request, wait)
        if form.is_valid():
            try:
                user = services.candidate_register(**form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                login(request, user, backend=PASSWORD_BACKEND)
                request.session["after_registering"] = _safe_next(request, reverse("vacancy-list"))
                return redirect("check-email")
    return render(request, "registration/register.html", {"form": form, "next": next_url})


@login_required
def check_email(request: HttpRequest) -> HttpResponse:
    """After registering: the link is on its way (a page of its own, so that reloading it
    sends nothing again)."""
    return render(
        request,
        "accounts/check_email.html",
        {
            "email": request.user.email,  # type: ignore[union-attr]
            "next": request.session.get("after_registering") or reverse("vacancy-list"),
            "hide_confirm_banner": True,
        },
    )


def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: a button confirms (a mail scanner opening the
    link confirms nothing)."""
    user = user_of(uidb64)
    problem, taken = None, False
    if request.method == "POST" and user is not None:
        try:
            confirmed = services.email_confirm(user=user, token=token)
        except DomainError as exc:
            problem = exc.detail
        except ValidationError as exc:  # the owner of the inbox may know this
            problem, taken = " ".join(exc.messages), True
        else:
            if isinstance(request.user, User) and request.user.pk == confirmed.pk:
                request.user.email_confirmed_at = confirmed.email_confirmed_at  # this page too
            return render(request, "accounts/email_confirmed.html", {})
    elif user is None:
        problem = "This link has expired or has been used already."
    return render(
        request,
        "accounts/confirm_email.html",
        {"problem": problem, "taken": taken},
        status=400 if problem else 200,
    )


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    if wait := throttle.attempt(request, "confirm"):
        return _too_many(request, wait)
    user = request.user
    if not isinstance(user, User):  # login_required has let only the signed in through
        return redirect("login")
    if services.email_confirmation_resend(user=user):
        messages.success(request, f"We have sent a new link to {user.email}.")  # or, if the
        # address is confirmed on another account, nothing: the words are the same
    else:
        messages.info(request, "Your email address does not need confirming.")
    return redirect(_safe_next(request, "/"))


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a link to reset a forgotten password: the same answer whatever the address."""
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        if wait := throttle.attempt(request, "reset"):
            return _too_many(request, wait)
        if form.is_valid():
            services.password_reset_request(email=form.cleaned_data["email"])
            return render(
                request, "accounts/reset_sent.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "accounts/password_reset.html", {"form": form})


def _set_password(
    request: HttpRequest, uidb64: str, token: str, template: str, **context: Any
) -> HttpResponse:
    user = user_of(uidb64)
    form = NewPasswordForm(request.POST or None)
    works = user is not None and user.is_active and password_links.check_token(user, token)
    problem = None if works else "This link has expired or has been used already."
    if request.method == "POST" and works and user is not None and form.is_valid():
        try:
            services.password_set(user=user, token=token, password=form.cleaned_data["password"])
        except DomainError as exc:
            problem = exc.detail
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return render(request, "accounts/password_set.html", context)
    return render(
        request,
        template,
        {"form": form, "problem": problem, **context},
        status=400 if problem else 200,
    )


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _set_password(request, uidb64, token, "accounts/new_password.html", invited=False)


def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _set_password(request, uidb64, token, "accounts/new_password.html", invited=True)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (first time), or enter its code (each sign-in)."""
    user = request.user
    confirmed = second_factor.confirmed_device(user)
    setting_up = confirmed is None
    device = second_factor.device_to_set_up(user) if confirmed is None else confirmed
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()  # django-otp slows down repeated wrong codes
        if not allowed:
            form.add_error("code", "Too many wrong codes: wait a minute, then try again")
        elif device.verify_token(form.cleaned_data["code"].strip()):
            if setting_up:
                services.second_factor_confirm(user=user, device=device)
            otp_login(request, device)
            messages.success(
                request,
                "Your authenticator app is set up." if setting_up else "Signed in.",
            )
            return redirect(_safe_next(request, "/"))
        else:
            form.add_error("code", "The code is not right: enter the code the app shows now")
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "setting_up": setting_up,
            "qr": second_factor.qr_code(device) if setting_up else "",
            "secret": second_factor.secret_for_typing(device) if setting_up else "",
            "next": _safe_next(request, ""),
        },
    )
