"""django-fsm glue shared by every app's services: typing for guards, and the one routine
that runs a transition on a locked row with the right refusal for each failure."""

from collections.abc import Callable, Sequence
from typing import Any

import rules
from django.db import models
from django_fsm import can_proceed

from kernel.errors import ActionForbidden, DomainError


def condition(method: Callable[..., bool]) -> Callable[[Any], bool]:
    """Mark a model method as a transition guard (``conditions=[condition(...)]``)."""
    return method


def permission(name: str) -> Callable[[Any, Any], bool]:
    """A django-fsm ``permission`` callable backed by a ``rules`` permission, so a transition
    names the same rule the API and the pages check."""

    def check(instance: models.Model, user: Any) -> bool:
        return rules.has_perm(name, user, instance)

    check.__name__ = name
    return check


def _transitions(instance: models.Model, name: str) -> Any:
    return getattr(type(instance), name)._django_fsm.transitions.values()


def may_take(instance: models.Model, user: Any, names: Sequence[str]) -> bool:
    """Whether ``user`` may ever take the action behind these transitions, whatever the state:
    read from the transitions' own ``permission``."""
    return any(t.has_perm(instance, user) for name in names for t in _transitions(instance, name))


def applicable(instance: models.Model, names: Sequence[str]) -> str | None:
    """The transition among ``names`` that leaves the current state, if any."""
    for name in names:
        if can_proceed(getattr(instance, name), check_conditions=False):
            return name
    return None


def run_transition(
    instance: models.Model,
    *,
    by: Any,
    names: Sequence[str],
    label: str,
    reason: str = "",
    refusal: Callable[[str], tuple[str, str] | None] | None = None,
    before: Callable[[Any], None] | None = None,
) -> None:
    """Run the action on an instance the caller has locked inside its transaction.

    403 when ``by`` may never take it, 409 ``invalid_transition`` when the state does not
    allow it, 409 with the guard's own code when ``refusal`` names one; then ``before`` (to
    set fields or write records), the transition (django-fsm-log writes the history row with
    ``by`` and ``reason``) and the save."""
    if by is not None and not may_take(instance, by, names):
        raise ActionForbidden(f"You may not {label}.")
    name = applicable(instance, names)
    if name is None:
        field = getattr(type(instance), names[0])._django_fsm.field
        # The state as the caller may read it (a candidate is not told a sift decision early).
        describe = getattr(instance, "state_display_for", None)
        state = (
            describe(by)
            if describe is not None
            else getattr(instance, f"get_{getattr(field, 'name', field)}_display")()
        ).lower()
        raise DomainError("invalid_transition", f"Cannot {label}: it is {state}.")
    if refusal is not None and (refused := refusal(name)):
        raise DomainError(*refused)
    if before is not None:
        before(instance)
    getattr(instance, name)(by=by, description=reason)
    instance.save()
