"""Who may do what with a vacancy: one place, used by the API, the web pages and services."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from accounts.permissions import is_candidate, is_hiring_manager_role, is_hr

if TYPE_CHECKING:
    from vacancies.models import Vacancy


@rules.predicate
def is_vacancy_chair(user: object, vacancy: Vacancy | None) -> bool:
    """The vacancy's hiring manager (panel chair)."""
    return vacancy is not None and vacancy.hiring_manager_id == getattr(user, "pk", None)


@rules.predicate
def is_vacancy_panel_member(user: object, vacancy: Vacancy | None) -> bool:
    """On the vacancy's panel. Reads the prefetched panel when there is one."""
    if vacancy is None or not getattr(user, "is_authenticated", False):
        return False
    return any(member.pk == getattr(user, "pk", None) for member in vacancy.panel.all())


@rules.predicate
def is_open(user: object, vacancy: Vacancy | None) -> bool:
    return vacancy is not None and vacancy.status == "open"


@rules.predicate
def has_applied(user: object, vacancy: Vacancy | None) -> bool:
    return (
        vacancy is not None
        and vacancy.applications.filter(candidate_id=getattr(user, "pk", None)).exists()
    )


is_vacancy_staff = is_vacancy_chair | is_vacancy_panel_member

rules.add_perm("vacancies.create_vacancy", is_hr | is_hiring_manager_role)
rules.add_perm(
    "vacancies.view_vacancy", is_open | is_hr | is_vacancy_staff | (is_candidate & has_applied)
)
rules.add_perm("vacancies.manage_vacancy", is_hr | is_vacancy_chair)
rules.add_perm("vacancies.view_ranking", is_hr | is_vacancy_chair)
rules.add_perm("vacancies.set_legal_hold", is_hr)
#: Candidates' feedback from the scores (recruitment/scoring/feedback.py), on or off.
rules.add_perm("vacancies.set_score_feedback", is_hr)
rules.add_perm("vacancies.moderate", is_hr | is_vacancy_chair)
#: Publishing and removing interview slots (recruitment/interviews/).
rules.add_perm("vacancies.manage_interview_slots", is_hr | is_vacancy_chair)
rules.add_perm("vacancies.decide_applications", is_hr | is_vacancy_chair)
rules.add_perm("vacancies.score", is_vacancy_chair | is_vacancy_panel_member)
rules.add_perm("vacancies.view_staff_details", is_hr | is_vacancy_staff)
