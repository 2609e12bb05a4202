"""The accounts pages' forms (GOV.UK wording)."""

from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from django import forms

from accounts.models import Role
from kernel.forms import GovForm, email_field

#: A candidate's chosen username: never an e-mail address, which is what a staff account's
#: username is (an invitation's): so a username already taken says nothing of anyone's
#: address.
USERNAME = r"^[\w.+-]+\Z"
STAFF_ROLE_CHOICES = [
    (Role.PANEL_MEMBER.value, "Panel member: scores applications"),
    (Role.HIRING_MANAGER.value, "Hiring manager: chairs panels, decides the sift and offers"),
    (Role.HR.value, "HR: runs vacancies, adjustments, monitoring and staff accounts"),
]


class RegisterForm(GovForm):
    full_name = forms.CharField(
        max_length=200, label="Full name", error_messages={"required": "Enter your full name"}
    )
    email = email_field(help_text="We will send you a link to confirm it.")
    username = forms.RegexField(
        regex=USERNAME,
        max_length=150,
        help_text="Letters, numbers and . + - _ only (not your email address). You will use "
        "it to sign in.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a username",
            "invalid": "Use only letters, numbers and . + - _",
        },
    )
    password = forms.CharField(
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password and not only numbers.",
        error_messages={"required": "Enter a password"},
    )


class EmailForm(GovForm):
    email = email_field()


class NewPasswordForm(GovForm):
    password = forms.CharField(
        max_length=128,
        strip=False,
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password and not only numbers.",
        error_messages={"required": "Enter a new password"},
    )


class CodeForm(GovForm):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*\Z",
        label="Code from your authenticator app",
        help_text="The 6 digits the app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "Enter the code as 6 digits, like 123456",
        },
    )


class InviteForm(GovForm):
    full_name = forms.CharField(
        max_length=200, label="Full name", error_messages={"required": "Enter their full name"}
    )
    email = email_field(
        label="Work email address",
        help_text="The invitation goes here, and it becomes their username.",
        required="Enter their work email address",
        max_length=150,
    )
    role = forms.ChoiceField(
        choices=STAFF_ROLE_CHOICES,
        widget=forms.RadioSelect,
        label="Role",
        error_messages={"required": "Select a role"},
    )


class RoleForm(GovForm):
    role = forms.ChoiceField(
        choices=STAFF_ROLE_CHOICES,
        widget=forms.RadioSelect,
        label="Role",
        error_messages={"required": "Select a role"},
    )


class ReviewerGrantForm(GovForm):
    """HR grants a staff network reviewer access (accounts/services.py ``reviewer_grant``)."""

    full_name = forms.CharField(
        max_length=200,
        required=False,
        label="Full name",
        help_text="Needed for a new account. Leave it blank to renew a reviewer's access.",
    )
    email = email_field(
        label="Email address",
        help_text="The invitation goes here, and it becomes their username. To renew a "
        "reviewer's access, give the address of their account.",
        required="Enter their email address",
        max_length=150,
    )
    network = forms.CharField(
        max_length=200,
        label="Staff network",
        help_text="For example, Disabled staff network, LGBT+ staff network.",
        error_messages={"required": "Enter the name of the staff network"},
    )
    expires_on = DateInputField(
        label="Last day of access",
        help_text="At most a year from today. For example, 30 6 2027",
        require_all_fields=False,
    )


class WithdrawForm(GovForm):
    reason = forms.CharField(
        max_length=2000,
        label="Why is access withdrawn?",
        help_text="It is kept in the record of this grant.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why access is withdrawn"},
    )
