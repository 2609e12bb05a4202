"""The interview slot pages' forms (GOV.UK Design System, crispy-forms-gds)."""

from __future__ import annotations

import datetime
from typing import Any, cast

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from kernel.forms import GovForm
from kernel.template_filters import govuk_time
from recruitment.applications.forms import LONDON
from recruitment.interviews import services
from recruitment.interviews.booking import Offer
from recruitment.models import InterviewFormat


class SlotRunForm(GovForm):
    """Publish one slot, or a run of them one after another."""

    date = DateInputField(
        label="Date", help_text="For example, 12 1 2027", require_all_fields=False
    )
    time = forms.TimeField(
        label="Start time of the first slot",
        help_text="24-hour clock, for example 09:30",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"invalid": "Enter a time like 09:30", "required": "Enter a start time"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    minutes = forms.IntegerField(
        label="Length of each slot, in minutes",
        min_value=10,
        max_value=480,
        error_messages={
            "required": "Enter how long each slot is, in minutes",
            "invalid": "Enter the length in minutes as a number, like 45",
            "min_value": "A slot is at least 10 minutes",
            "max_value": "A slot is at most 480 minutes (8 hours)",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    count = forms.IntegerField(
        label="How many slots, one after another",
        initial=1,
        min_value=1,
        max_value=services.MAX_RUN,
        error_messages={
            "required": "Enter how many slots to publish",
            "invalid": "Enter how many slots as a number, like 6",
            "min_value": "Publish at least 1 slot",
            "max_value": f"Publish at most {services.MAX_RUN} slots at a time",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    gap = forms.IntegerField(
        label="Break between slots, in minutes",
        initial=15,
        min_value=0,
        max_value=services.MAX_GAP,
        help_text="Leave time for the panel to score and for any extra time a candidate needs.",
        error_messages={
            "required": "Enter the break between slots, in minutes (0 for none)",
            "invalid": "Enter the break in minutes as a number, like 15",
            "min_value": "The break cannot be negative",
            "max_value": f"The break is at most {services.MAX_GAP} minutes",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    format = forms.ChoiceField(
        choices=InterviewFormat.choices,
        widget=forms.RadioSelect,
        label="How are they held?",
        error_messages={"required": "Select how the interviews are held"},
    )
    place = forms.CharField(
        max_length=500,
        required=False,
        label="Where, or how to join",
        help_text="The address and room, the video link, or how you will call them.",
    )
    accessible = forms.BooleanField(
        required=False,
        label="The venue is accessible (step-free, accessible toilet, hearing loop)",
        help_text="Only accessible venues are offered to a candidate who needs one.",
    )
    panel = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Who sits on the panel",
        error_messages={"required": "Select who sits on the panel"},
    )

    def __init__(
        self, *args: Any, staff: list[tuple[int, str]], vacancy: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.vacancy = vacancy
        panel = cast(forms.MultipleChoiceField, self.fields["panel"])
        panel.choices = staff
        panel.initial = [pk for pk, _ in staff]
        self.helper.layout = Layout(
            Field("date"),
            Field.text("time", field_width=5),
            Field.text("minutes", field_width=3),
            Field.text("count", field_width=3),
            Field.text("gap", field_width=3),
            Field.radios("format", legend_size=Size.SMALL),
            Field.text("place"),
            Field.checkbox("accessible"),
            Field.checkboxes("panel", legend_size=Size.SMALL),
        )

    def clean(self) -> dict[str, Any]:
        """The checks across fields, so that every problem shows at once (the service makes
        the same checks, and the API's answer names them)."""
        data = super().clean() or {}
        if data.get("date") and data.get("time") and self.vacancy is not None:
            errors = services.run_errors(self.run(), self.vacancy)
            for name, problems in errors.items():
                target = {"starts_at": "date"}.get(name, name)
                for problem in problems:
                    if target in self.fields and target not in self.errors:
                        self.add_error(target, problem)
        elif (
            data.get("format") in (InterviewFormat.IN_PERSON, InterviewFormat.VIDEO)
            and not (data.get("place") or "").strip()
        ):
            self.add_error(
                "place", "Say where it is (the address and room) or how to join (the video link)."
            )
        return data

    def run(self) -> services.SlotRun:
        data = self.cleaned_data
        return services.SlotRun(
            starts_at=datetime.datetime.combine(data["date"], data["time"], LONDON),
            minutes=data.get("minutes") or 0,
            format=data.get("format") or "",
            place=data.get("place") or "",
            accessible=bool(data.get("accessible")),
            panel=[int(pk) for pk in data.get("panel") or []],
            count=data.get("count") or 1,
            gap=data.get("gap") or 0,
        )


def offer_label(offer: Offer) -> str:
    start = offer.slot.starts_at.astimezone(LONDON)
    end = offer.ends_at.astimezone(LONDON)
    return f"{start:%A %-d %B %Y}, {govuk_time(start)} to {govuk_time(end)}"


def offer_hint(offer: Offer) -> str:
    slot = offer.slot
    how = slot.get_format_display()
    if slot.format == InterviewFormat.IN_PERSON:
        how = f"In person at {slot.place}" + (" (accessible venue)" if slot.accessible else "")
    return f"{how}. {offer.minutes} minutes."


class BookSlotForm(GovForm):
    """Choose one of the slots offered (radios, the GOV.UK pattern)."""

    slot = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Choose a time",
        error_messages={"required": "Select a time for your interview"},
    )

    def __init__(self, *args: Any, offers: list[Offer], legend: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].label = legend
        cast(forms.TypedChoiceField, self.fields["slot"]).choices = [
            Choice(o.slot.pk, offer_label(o), hint=offer_hint(o)) for o in offers
        ]
        self.helper.layout = Layout(Field.radios("slot", legend_size=Size.LARGE, legend_tag="h1"))
