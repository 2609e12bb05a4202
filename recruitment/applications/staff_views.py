"""Staff pages of a vacancy's applications: the list, one application with the actions the
workflow table allows, and legal holds."""

from __future__ import annotations

from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from adjustments.selectors import arrangements_visible_to
from kernel.api import acting_user
from kernel.errors import ActionForbidden, DomainError
from kernel.forms import LegalHoldForm, legal_hold_posted
from kernel.paging import page_links, paginate
from recruitment.applications import selectors as selectors_
from recruitment.applications import services, workflow
from recruitment.applications.forms import (
    InterviewForm,
    ReasonForm,
)
from recruitment.models import (
    Application,
    ApplicationState,
    GuaranteeOutcome,
)
from recruitment.scoring import assessment, guarantee, selectors
from vacancies.models import GuaranteeScheme, Vacancy

# --- Staff: a vacancy's applications ----------------------------------------------------------


def _staff_application(request: HttpRequest, pk: int) -> Application:
    user = acting_user(request)
    if not user.is_recruitment_staff:
        raise PermissionDenied
    return get_object_or_404(Application.objects.visible_to(user).with_assessment_data(), pk=pk)


@login_required
def staff_applications(request: HttpRequest, pk: int) -> HttpResponse:
    """A vacancy's applications, a page at a time, filtered by state, by "scores to agree"
    and (HR only) by what the interview guarantee did. A filter value the page does not know
    lists everything, as "Any" does."""
    user = acting_user(request)
    vacancy = get_object_or_404(Vacancy.objects.worked_on_by(user).prefetch_related("panel"), pk=pk)
    show_guarantee = rules.has_perm("recruitment.view_guarantee_step", user)
    query = request.GET
    state = query.get("state", "")
    outcome = query.get("guarantee", "")
    chosen_state = state if state in ApplicationState.values else None
    to_agree = query.get("to_agree") == "yes"
    chosen_outcome = outcome if show_guarantee and outcome in GuaranteeOutcome.values else None
    page = paginate(
        request,
        selectors_.vacancy_applications(
            vacancy, user, state=chosen_state, to_agree=to_agree, guarantee_outcome=chosen_outcome
        ),
    )
    filters = {
        "state": chosen_state,
        "to_agree": to_agree,
        "guarantee_outcome": chosen_outcome,
    }
    rows = [
        {
            "application": a,
            "name": a.candidate.full_name
            if a.candidate is not None
            and rules.has_perm("recruitment.view_candidate_identity", user, a)
            else None,
            "guarantee_step": _guarantee_step(a) if show_guarantee else None,
        }
        for a in _sharing(page.object_list, vacancy)
    ]
    return render(
        request,
        "recruitment/staff_applications.html",
        {
            "vacancy": vacancy,
            "rows": rows,
            "show_guarantee": show_guarantee,
            "pages": page_links(request, page),
            "filters": {**filters, "any": any(filters.values())},
            "states": ApplicationState.choices,
            "outcomes": GuaranteeOutcome.choices,
        },
    )


def _sharing(applications: Any, vacancy: Vacancy) -> list[Application]:
    """The applications with one copy of their vacancy (its panel prefetched), so that the
    permission checks of each row cost no query."""
    rows = list(applications)
    for application in rows:
        application.vacancy = vacancy
    return rows


def _with_words(entries: list[Any]) -> list[Any]:
    """History rows with what happened in plain words (``entry.words``)."""
    for entry in entries:
        entry.words = workflow.TRANSITION_WORDS.get(entry.transition, entry.transition)
    return entries


def _guarantee_step(application: Application) -> Any:
    return getattr(application, "guarantee_step", None)  # None: none recorded


@login_required
def staff_application(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = _staff_application(request, pk)
    return _render_staff_application(request, application, user)


def _render_staff_application(
    request: HttpRequest, application: Application, user: Any, forms: dict[str, Any] | None = None
) -> HttpResponse:
    criteria = list(application.vacancy.criteria.all())
    evidence = {e.criterion_id: e.text for e in application.evidence.all()}
    agreed = assessment.agreed_scores(application, "shortlisting")
    can_moderate = rules.has_perm("recruitment.agree_scores", user, application)
    forms = {
        "reject": ReasonForm(prefix="reject"),
        "schedule_interview": InterviewForm(prefix="interview"),
        "hold": LegalHoldForm(prefix="hold", release=application.legal_hold),
    } | (forms or {})
    return render(
        request,
        "recruitment/staff_application.html",
        {
            "application": application,
            # Its title starts "Error:" when a form on it was sent back (GOV.UK's pattern).
            "page_errors": any(form.is_bound and form.errors for form in forms.values()),
            "name_visible": rules.has_perm(
                "recruitment.view_candidate_identity", user, application
            ),
            "criteria": [(c, evidence.get(c.pk), agreed.get(c.pk)) for c in criteria],
            "meets": assessment.meets_minimum_criteria(application),
            "refusal": assessment.sift_rejection_refusal(application)
            if application.state == ApplicationState.SUBMITTED
            else None,
            # HR only: what the candidate declared and what the guarantee did.
            "guarantee": {
                "scheme": GuaranteeScheme(scheme).label
                if (scheme := guarantee.declared_scheme(application))
                else None,
                "step": _guarantee_step(application),
                "sift_completed": application.vacancy.sift_completed_at is not None,
            }
            if rules.has_perm("recruitment.view_guarantee_step", user, application)
            else None,
            "actions": services.available_actions(application, user),
            # The salary offered (kept as the starting pay): HR and the chair, not the panel.
            "offer": getattr(application, "offer_decision", None)
            if rules.has_perm("recruitment.view_offer", user, application)
            else None,
            "can_score": rules.has_perm("recruitment.score_application", user, application),
            "can_moderate": can_moderate,
            # Agreed arrangements for the stages the panel runs, from shortlisting on only.
            "arrangements": arrangements_visible_to(application, user),
            # Every score given or changed, for those who agree them (never the panel).
            "score_history": selectors.score_history(application, user) if can_moderate else None,
            "reopened": [a for a in application.agreed_assessments.all() if a.out_of_date],
            # Why the offer is not among the actions yet, for who could make it.
            "offer_waits": assessment.offer_refusal(application)
            if application.state == ApplicationState.INTERVIEWED
            and services.may_take(application, user, "offer")
            else None,
            "interview_pending": application.state == ApplicationState.INTERVIEW_SCHEDULED
            and not workflow.interview_time_come(application),
            "forms": forms,
            "history": _with_words(selectors_.application_history(application, user)),
            "can_hold": rules.has_perm("recruitment.set_legal_hold", user, application),
            "hold_explanation": (
                f"This application is erased {settings.RETENTION_MONTHS} months after the "
                "campaign ends. Place a legal hold if there is a complaint or tribunal claim "
                "about it: nothing of its campaign is then erased while the hold stays."
            ),
        },
    )


@login_required
@require_POST
def staff_application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    application = _staff_application(request, pk)
    try:
        if action in ("hold", "release-hold"):
            hold = legal_hold_posted(
                request.POST,
                lambda reason, confirm: services.application_legal_hold_set(
                    application_id=application.pk,
                    by=user,
                    held=action == "hold",
                    reason=reason,
                    confirm=confirm,
                ),
                release=action == "release-hold",
            )
            if hold is not None:
                return _render_staff_application(request, application, user, {"hold": hold})
        elif (step := workflow.ACTIONS.get(action)) is None or not step.staff_page:
            raise Http404
        elif step.takes == "interview":
            interview = InterviewForm(request.POST, prefix="interview")
            if interview.is_valid():
                try:
                    services.take(
                        action, application_id=application.pk, by=user, **interview.details()
                    )
                except ValidationError as exc:
                    interview.add_service_errors(exc, {"interview_at": "interview_date"})
            if interview.errors:
                return _render_staff_application(
                    request, application, user, {"schedule_interview": interview}
                )
        elif step.reason_required:
            form = ReasonForm(request.POST, prefix=action)
            if not form.is_valid():
                return _render_staff_application(request, application, user, {action: form})
            services.take(
                action, application_id=application.pk, by=user, reason=form.cleaned_data["reason"]
            )
        else:
            services.take(action, application_id=application.pk, by=user)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        done = {
            "hold": "Legal hold placed: this application will not be erased until it is released.",
            "release-hold": "Legal hold released.",
        }.get(action) or workflow.ACTIONS[action].done
        messages.success(request, done)
    return redirect("staff-application", pk=application.pk)
