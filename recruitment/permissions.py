"""Who may do what with an application: one place, used by the API, web pages and services.

Seeing an application is ``visible_to`` (querysets) and ``recruitment.view_application``
(objects); tests/system/test_permissions.py checks that the two agree. Whether an action is allowed
*now* also depends on the state machine and its guards (recruitment/models.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from accounts.permissions import is_candidate, is_hr, is_network_reviewer
from vacancies.permissions import is_vacancy_chair, is_vacancy_panel_member

if TYPE_CHECKING:
    from recruitment.models import Application


@rules.predicate
def is_own_application(user: object, application: Application | None) -> bool:
    return application is not None and application.candidate_id == getattr(user, "pk", None)


@rules.predicate
def chairs_its_vacancy(user: object, application: Application | None) -> bool:
    return application is not None and is_vacancy_chair(user, application.vacancy)


@rules.predicate
def sits_on_its_panel(user: object, application: Application | None) -> bool:
    return application is not None and is_vacancy_panel_member(user, application.vacancy)


@rules.predicate
def is_shortlisted_or_beyond(user: object, application: Application | None) -> bool:
    """Name-blind until shortlisted: from then on the panel may know who the candidate is."""
    return application is not None and application.identity_visible_to_panel


@rules.predicate
def is_kept(user: object, application: Application | None) -> bool:
    """Not erased: an erased application is an anonymous record for the statistics only."""
    return application is not None and application.erased_at is None


is_applicant = is_candidate & is_own_application
is_assessor = chairs_its_vacancy | sits_on_its_panel
is_decision_maker = is_hr | chairs_its_vacancy

rules.add_perm("recruitment.apply", is_candidate)
rules.add_perm("recruitment.view_application", is_kept & (is_hr | is_applicant | is_assessor))
rules.add_perm("recruitment.view_history", is_hr | is_applicant | is_assessor)
rules.add_perm(
    "recruitment.view_candidate_identity",
    is_hr | is_applicant | (is_assessor & is_shortlisted_or_beyond),
)
rules.add_perm("recruitment.view_declarations", is_hr | is_applicant)
rules.add_perm("recruitment.view_adjustment_details", is_hr | is_applicant)
# The agreed arrangements (never the request's words) reach the panel and chair only from
# shortlisting on: before the merit decision nothing they read may differ between a
# candidate who asked for an adjustment and one who did not.
rules.add_perm(
    "recruitment.view_arrangements",
    is_hr | is_applicant | (is_assessor & is_shortlisted_or_beyond),
)

# Actions (docs/api.md). The FSM transitions name these as their `permission`.
rules.add_perm("recruitment.shortlist_application", is_decision_maker)
rules.add_perm("recruitment.reject_application", is_decision_maker)
#: Completing the sift applies the interview guarantee (the ``invite_to_interview`` transition).
rules.add_perm("recruitment.complete_sift", is_decision_maker)
#: What the guarantee did for a candidate (and that they declared): HR only.
rules.add_perm("recruitment.view_guarantee_step", is_hr)
rules.add_perm("recruitment.schedule_interview", is_decision_maker)
#: Booking, moving or cancelling a published interview slot: the candidate themselves.
rules.add_perm("recruitment.book_interview", is_kept & is_applicant)
rules.add_perm("recruitment.record_interview", is_decision_maker | sits_on_its_panel)
rules.add_perm("recruitment.offer", is_decision_maker)
rules.add_perm("recruitment.respond_to_offer", is_hr | is_applicant)
#: The salary offered and its reason: the candidate, the chair who made the offer, and HR
#: (not the panel: pay is settled after their part).
rules.add_perm(
    "recruitment.view_offer",
    is_hr | is_applicant | (chairs_its_vacancy & is_shortlisted_or_beyond),
)
rules.add_perm("recruitment.withdraw_application", is_applicant)

# Scoring: panel members and the chair score; the chair and HR agree the scores.
rules.add_perm("recruitment.score_application", is_assessor)
rules.add_perm("recruitment.view_scores", is_hr | is_assessor)
rules.add_perm("recruitment.agree_scores", is_decision_maker)
rules.add_perm("recruitment.view_all_scores", is_hr)

# Legal hold (a complaint or tribunal claim): HR only; it suspends erasure.
rules.add_perm("recruitment.set_legal_hold", is_kept & is_hr)

# The audit of positive-action (s.159) decisions.
rules.add_perm("recruitment.view_positive_action_decisions", is_hr)
#: A campaign's complete decision record (recruitment/privacy/decision_record.py), for a tribunal.
rules.add_perm("recruitment.export_decision_record", is_hr)

# Anonymised statistics, never an individual's answers. HR: everything, the exact statutory
# return, publishing the yearly report, the adjustments report and the background reports
# included.
rules.add_perm("recruitment.view_monitoring", is_hr)
#: The released statistics (every count perturbed, never an exact figure): the dashboard
#: without the statutory return, the funnel, relative likelihood and representation API, the
#: yearly report's pages and PDF. HR and a staff network reviewer whose grant is live; each
#: read of a reviewer is recorded (accounts.StatisticsView).
rules.add_perm("recruitment.view_released_statistics", is_hr | is_network_reviewer)
#: Comments on a reporting year's draft report (recruitment/monitoring/comments.py): a live
#: network reviewer writes them, HR answers each once.
rules.add_perm("recruitment.comment_on_report", is_network_reviewer)
rules.add_perm("recruitment.answer_report_comment", is_hr)
