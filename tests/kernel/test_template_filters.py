"""Times as GOV.UK writes them, in the service's time zone, in every template."""

from datetime import UTC, datetime, time

import pytest
from django.template import Context, Template

from kernel.template_filters import govuk_datetime, govuk_time


@pytest.mark.parametrize(
    ("at", "said"),
    [
        (time(14, 30), "2:30pm"),
        (time(10, 0), "10am"),
        (time(0, 0), "midnight"),
        (time(12, 0), "midday"),
        (time(0, 5), "12:05am"),
        (time(12, 59), "12:59pm"),
        (time(23, 59), "11:59pm"),
        (None, ""),
    ],
)
def test_times_read_the_gov_uk_way(at, said):
    assert govuk_time(at) == said


def test_a_moment_is_shown_in_london_time_in_any_template(settings):
    summer = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)  # 2:30pm in London (BST)
    rendered = Template(
        '{{ at|govuk_datetime }}|{{ at|govuk_datetime:"l j F Y" }}|{{ n|intcomma }}|'
        '{{ none|govuk_datetime|default:"Not set" }}'
    ).render(Context({"at": summer, "n": 41000, "none": None}))

    assert rendered == "1 July 2026, 2:30pm|Wednesday 1 July 2026, 2:30pm|41,000|Not set"
    assert govuk_datetime(None) == ""
