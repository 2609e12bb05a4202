"""The offer page, where the chair may use the s.159 positive-action tie-breaker, and HR's
audit of the positive-action decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kernel.errors import DomainError
from recruitment.applications import services
from recruitment.applications.forms import (
    OfferDecisionForm,
    PeriodForm,
)
from recruitment.models import ApplicationState, ScoreStage
from recruitment.scoring import assessment, selectors
from recruitment.scoring.ranked import RankingFilter, VacancyRanking

if TYPE_CHECKING:
    pass
from recruitment.scoring.views import (
    _application,
    _staff,
)

# --- The offer and the positive-action tie-breaker ----------------------------------------------


@login_required
def offer_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer the job to an interviewed candidate. Where they are in a tie at interview and
    eligible for the positive-action tie-breaker, show the evidence and the conditions and
    ask for a written justification to use it; the offer records the decision."""
    user, application = _application(request, pk, "recruitment.offer")
    if application.state != ApplicationState.INTERVIEWED:
        messages.error(request, "Only a candidate who has been interviewed can be offered the job.")
        return redirect("staff-application", pk=application.pk)
    vacancy = application.vacancy
    ranking = VacancyRanking(vacancy, ScoreStage.INTERVIEW)
    mine = ranking.standing_of(application)
    tied = (
        list(ranking.walk(RankingFilter(tie_group=mine.tie_group)))
        if mine is not None and mine.tie_group is not None
        else []
    )
    eligible = bool(mine and mine.positive_action_eligible)
    form = OfferDecisionForm(request.POST or None, eligible=eligible, vacancy=vacancy)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_offer(
                application_id=application.pk,
                by=user,
                positive_action_justification=form.tie_breaker_justification(),
                salary=form.cleaned_data["salary"],
                salary_reason=form.cleaned_data["salary_reason"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc, {"positive_action": "justification"})
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("offer-decision", pk=application.pk)
        else:
            used = form.tie_breaker_justification() is not None
            messages.success(
                request,
                f"Job offered to {application.reference} at £{form.cleaned_data['salary']:,} a year"
                + (", using the positive-action tie-breaker." if used else "."),
            )
            return redirect("staff-application", pk=application.pk)
    try:
        plan = vacancy.positive_action_plan
    except ObjectDoesNotExist:
        plan = None
    return render(
        request,
        "recruitment/offer_decision.html",
        {
            "application": application,
            "vacancy": vacancy,
            "mine": mine,
            "tied": [r for r in tied if r is not mine],
            "eligible": eligible,
            "others_eligible": any(r.positive_action_eligible for r in tied if r is not mine),
            "plan": plan,
            "form": form,
            # What the offer waits for, said before anyone presses the button.
            "waits": assessment.offer_refusal(application),
        },
    )


@login_required
def positive_action_decisions(request: HttpRequest) -> HttpResponse:
    """HR's audit of offers where the tie-breaker was used or a tie existed, for a period,
    with the CSV download."""
    user = _staff(request)
    if not rules.has_perm("recruitment.view_positive_action_decisions", user):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    period: dict[str, Any] = {}
    query = ""
    if form.is_bound and form.is_valid():
        period = {
            "date_from": form.cleaned_data.get("date_from"),
            "date_to": form.cleaned_data.get("date_to"),
        }
        query = "&".join(
            f"{name}={value.isoformat()}"
            for name, value in (("from", period["date_from"]), ("to", period["date_to"]))
            if value
        )
    decisions = (
        list(selectors.positive_action_decisions(**period))
        if not form.is_bound or form.is_valid()
        else []
    )
    return render(
        request,
        "recruitment/positive_action_decisions.html",
        {
            "form": form,
            "decisions": decisions,
            "csv_url": reverse("v1:positive-action-decisions")
            + "?format=csv"
            + (f"&{query}" if query else ""),
        },
    )
