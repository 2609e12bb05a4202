"""Who may do what with accounts. Predicates from `rules`, shared by API and web pages."""

import rules

from accounts.models import ReviewerGrant, Role


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


@rules.predicate
def is_network_reviewer(user: object) -> bool:
    """A staff network reviewer whose access is live: the role, and a grant from HR that is
    neither withdrawn nor expired (docs/domain.md, "Staff network reviewers")."""
    if not (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == Role.NETWORK_REVIEWER
    ):
        return False
    return ReviewerGrant.objects.live().filter(user_id=getattr(user, "pk", 0)).exists()


rules.add_perm("accounts.list_staff", is_hr | is_hiring_manager_role)
#: Staff accounts: invite, change role, deactivate, reset a second factor; network reviewers'
#: grants and the record of what each reviewer read (HR).
rules.add_perm("accounts.manage_staff", is_hr)
