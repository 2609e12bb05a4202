"""Who may do what with accounts. Predicates from `rules`, shared by API and web pages."""

import rules

from accounts.models import Role


@rules.predicate
def is_hr(user: object) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) == Role.HR


@rules.predicate
def is_hiring_manager_role(user: object) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == Role.HIRING_MANAGER
    )


@rules.predicate
def is_candidate(user: object) -> bool:
    return (
        getattr(user, "is_authenticated", False) and getattr(user, "role", None) == Role.CANDIDATE
    )


rules.add_perm("accounts.list_staff", is_hr | is_hiring_manager_role)
#: Staff accounts: invite, change role, deactivate, reset a second factor (HR).
rules.add_perm("accounts.manage_staff", is_hr)
