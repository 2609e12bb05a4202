"""Create a candidate account on the web (staff accounts: `manage.py add_user`)."""

from django import forms
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.services import user_create
from kernel.forms import GovForm


class RegisterForm(GovForm):
    full_name = forms.CharField(
        max_length=200, label="Full name", error_messages={"required": "Enter your full name"}
    )
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="Letters, numbers and . @ + - _ only. You will use it to sign in.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a username",
            "invalid": "Use only letters, numbers and . @ + - _",
        },
    )
    password = forms.CharField(
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password and not only numbers.",
        error_messages={"required": "Enter a password"},
    )


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    next_url = request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(**form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("vacancy-list")
    return render(request, "registration/register.html", {"form": form, "next": next_url})
