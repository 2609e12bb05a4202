"""Form plumbing shared by the web pages: GOV.UK rendering and service errors on fields."""

from collections.abc import Callable
from typing import Any

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

UNMARKED_INPUTS = (forms.EmailInput, forms.PasswordInput, forms.NumberInput)


def email_field(
    label: str = "Email address",
    help_text: str = "",
    required: str = "Enter your email address",
    max_length: int = 254,
) -> forms.EmailField:
    """An e-mail address field with GOV.UK's error messages."""
    return forms.EmailField(
        max_length=max_length,
        label=label,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": required,
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class GovForm(forms.Form):
    """A form rendered with GOV.UK Frontend markup by crispy-forms-gds; the page supplies
    the <form> tag and the button."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def full_clean(self) -> None:
        """crispy-forms-gds marks a text, select or textarea field in error with a red border
        but not an e-mail, password or number input: mark those too (GOV.UK's error style)."""
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, UNMARKED_INPUTS):
                classes = field.widget.attrs.get("class", "")
                if "govuk-input--error" not in classes:
                    field.widget.attrs["class"] = f"{classes} govuk-input--error".strip()

    def add_service_errors(
        self, error: ValidationError, fields: dict[str, str] | None = None
    ) -> None:
        """Put a service's field-keyed ``ValidationError`` on this form's fields.

        ``fields`` maps a service field name to this form's field name where they differ;
        an error for a field the form does not have is shown for the whole form."""
        fields = fields or {}
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for name, problems in messages.items():
            target = fields.get(name, name)
            for problem in problems:
                self.add_error(target if target in self.fields else None, problem)


class LegalHoldForm(GovForm):
    """HR places a legal hold (a complaint or tribunal claim): nothing is erased while held;
    or releases it, with a reason and a confirmation."""

    reason = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is it held?",
        help_text="For example, the tribunal claim number or the complaint reference.",
    )
    confirm = forms.BooleanField(
        required=False,
        label="I confirm that the complaint or claim no longer needs this record kept",
    )

    def __init__(self, *args: Any, release: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if release:
            self.fields["reason"].label = "Why can the hold be released?"
            self.fields[
                "reason"
            ].help_text = "For example, the claim was withdrawn or settled, with the date."
        else:
            del self.fields["confirm"]


def legal_hold_posted(
    data: Any, set_hold: Callable[[str, bool], Any], *, release: bool = False
) -> LegalHoldForm | None:
    """Run ``set_hold(reason, confirm)`` with what a page's legal-hold form posted: None when
    done, else the form with the service's errors to show again."""
    form = LegalHoldForm(data, prefix="hold", release=release)
    form.is_valid()
    try:
        set_hold(form.cleaned_data.get("reason", ""), bool(form.cleaned_data.get("confirm")))
    except ValidationError as exc:
        form.add_service_errors(exc)
        return form
    return None
