"""Who reads the released statistics, and the record of what a network reviewer read.

HR reads everything. A staff network reviewer whose grant is live reads the released
statistics (the dashboard without the statutory return, the funnel, relative likelihood and
representation, the yearly report): the same perturbed figures as HR, never an exact one.
Every read a reviewer makes is recorded (``accounts.StatisticsView``), with the selection
asked for, before the answer is given. The pages and the API ask here, so the rule
(``recruitment.view_released_statistics``) and the record are in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from accounts import services as account_services
from accounts.models import ReviewerGrant, User
from kernel.api import acting_user
from kernel.errors import ActionForbidden
from recruitment.monitoring.release import Selection

REFUSED = "Only HR and staff network reviewers whose access is live see these statistics."


@dataclass(frozen=True)
class Reader:
    """Who is reading: HR (``grant`` None) or a network reviewer under their live grant."""

    user: User
    grant: ReviewerGrant | None

    @property
    def is_hr(self) -> bool:
        return self.grant is None

    def record(self, what: str, params: dict[str, Any]) -> None:
        """A network reviewer's read is recorded (HR's are not: HR reads the record)."""
        if self.grant is not None:
            account_services.statistics_view_record(
                user=self.user, grant=self.grant, what=what, params=params
            )


def released_statistics_reader(request: HttpRequest | Request, *, api: bool = False) -> Reader:
    """The reader of the released statistics, or 403 (a page's, or the API's envelope)."""
    user = acting_user(request)
    if rules.has_perm("recruitment.view_released_statistics", user):
        if rules.has_perm("recruitment.view_monitoring", user):
            return Reader(user, None)
        grant = ReviewerGrant.objects.live().filter(user=user).order_by("-expires_at").first()
        if grant is not None:  # (else withdrawn this very moment)
            return Reader(user, grant)
    if api:
        raise ActionForbidden(REFUSED)
    raise PermissionDenied(REFUSED)


def selection_params(selection: Selection, **more: Any) -> dict[str, Any]:
    """What a read asked for, as recorded: the period, the unit and anything else given."""
    return {
        "period": selection.period.key,
        "unit": selection.unit.ident,
        **{name: value for name, value in more.items() if value not in (None, "")},
    }
