"""What the panel may read of a candidate's adjustments: the agreed arrangements for the stages
it runs, from shortlisting on, never the request's words. The one rule, for the API, the
application page and the interview schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from adjustments.models import AGREED_STATES, PANEL_STAGES, AdjustmentRequest

if TYPE_CHECKING:
    from accounts.models import User
    from recruitment.models import Application


def arrangements_visible_to(application: Application, user: User) -> list[AdjustmentRequest]:
    """The agreed arrangements for the stages a panel runs, as the chair and panel see them:
    only from shortlisting on (``recruitment.view_arrangements``), never the request's
    words. Reads the (usually prefetched) adjustments."""
    if not rules.has_perm("recruitment.view_arrangements", user, application):
        return []
    return [
        a
        for a in application.adjustments.all()
        if a.state in AGREED_STATES and a.stage in PANEL_STAGES
    ]
