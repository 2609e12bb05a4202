"""Who may do what with adjustment requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from accounts.permissions import is_candidate, is_hr
from recruitment.permissions import is_own_application

if TYPE_CHECKING:
    from adjustments.models import AdjustmentRequest


@rules.predicate
def is_own_request(user: object, request: AdjustmentRequest | None) -> bool:
    return request is not None and is_own_application(user, request.application)


rules.add_perm("adjustments.request", is_candidate & is_own_application)
rules.add_perm("adjustments.view", is_hr | (is_candidate & is_own_request))
rules.add_perm("adjustments.decide", is_hr)
rules.add_perm("adjustments.view_report", is_hr)
rules.add_perm("adjustments.withdraw", is_candidate & is_own_request)
