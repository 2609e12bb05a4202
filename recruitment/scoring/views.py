"""The panel's and the chair's pages: scoring (name-blind, independent), moderation, the
ranking with bulk shortlisting, the offer with the positive-action tie-breaker, and HR's audit
of tie-breaker decisions. Same services, selectors and ``rules`` permissions as the API:
what a user may not see answers 404, what they may not do 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kernel.api import acting_user
from kernel.errors import DomainError
from kernel.paging import Rows, page_links, paginate
from recruitment.applications.forms import (
    SCORE_MEANINGS,
    ScoresForm,
)
from recruitment.models import (
    Application,
    ScoreStage,
)
from recruitment.scoring import assessment, selectors
from recruitment.scoring import moderation as moderation_
from recruitment.scoring import services as services_
from vacancies.models import Vacancy

if TYPE_CHECKING:
    from accounts.models import User


def _staff(request: HttpRequest) -> User:
    user = acting_user(request)
    if not user.is_recruitment_staff:
        raise PermissionDenied
    return user


def _stage(stage: str) -> str:
    if stage not in ScoreStage.values:
        raise Http404
    return stage


def _vacancy(request: HttpRequest, pk: int, permission: str) -> tuple[User, Vacancy]:
    """A vacancy the user works on (else 404) on which they hold ``permission`` (else 403)."""
    user = _staff(request)
    vacancy = get_object_or_404(
        Vacancy.objects.worked_on_by(user)
        .select_related("hiring_manager", "positive_action_plan")
        .prefetch_related("criteria", "panel"),
        pk=pk,
    )
    if not rules.has_perm(permission, user, vacancy):
        raise PermissionDenied
    return user, vacancy


def _application(request: HttpRequest, pk: int, permission: str) -> tuple[User, Application]:
    """An application the user may see (else 404) on which they hold ``permission`` (else
    403), with everything the assessment reads."""
    user = _staff(request)
    application = get_object_or_404(
        Application.objects.visible_to(user).with_assessment_data(), pk=pk
    )
    if not rules.has_perm(permission, user, application):
        raise PermissionDenied
    return user, application


def _stages(name: str, pk: int, current: str) -> list[dict[str, Any]]:
    return [
        {"label": label, "url": reverse(name, args=[pk, value]), "current": value == current}
        for value, label in ScoreStage.choices
    ]


# --- Scoring ----------------------------------------------------------------------------------


@login_required
def scoring_queue(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """A panel member's applications to score at a stage, by reference only, in their order,
    a page at a time."""
    user, vacancy = _vacancy(request, pk, "vacancies.score")
    stage = _stage(stage)
    queue = selectors.ScoringQueue(vacancy, user, stage)
    page = paginate(request, Rows(len(queue), lambda offset, limit: queue.entries(offset, limit)))
    return render(
        request,
        "recruitment/scoring_queue.html",
        {
            "vacancy": vacancy,
            "stage": ScoreStage(stage),
            "stages": _stages("scoring-queue", vacancy.pk, stage),
            "entries": page.object_list,
            "total": len(queue),
            "pages": page_links(request, page),
            "done": queue.done,
            "criteria_count": queue.criteria,
        },
    )


def _next_to_score(application: Application, user: User, stage: str) -> Application | None:
    """The next application in the scorer's own order still waiting for their scores."""
    return selectors.ScoringQueue(application.vacancy, user, stage).next_to_score(application)


@login_required
def score_application(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """Score one application at a stage: every criterion 0–4 with a note. Others' scores
    appear only once the member has scored every criterion (independent scoring)."""
    user, application = _application(request, pk, "recruitment.score_application")
    stage = _stage(stage)
    criteria = list(application.vacancy.criteria.all())
    view = selectors.scores_visible_to(application, user, stage)
    scoring_open = services_.scoring_open(application, stage)
    initial: dict[str, Any] = {}
    for score in view.mine:
        initial[f"score_{score.criterion_id}"] = str(score.score)
        initial[f"note_{score.criterion_id}"] = score.note
    form = ScoresForm(
        request.POST if request.method == "POST" else None, criteria=criteria, initial=initial
    )
    if request.method == "POST":
        if not scoring_open:
            messages.error(request, "These scores can no longer change.")
            return redirect("score-application", pk=application.pk, stage=stage)
        if form.is_valid():
            try:
                services_.scores_submit(
                    application_id=application.pk, by=user, stage=stage, scores=form.scores()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except DomainError as exc:
                messages.error(request, exc.detail)
                return redirect("score-application", pk=application.pk, stage=stage)
            else:
                messages.success(request, f"Your scores for {application.reference} are saved.")
                following = _next_to_score(application, user, stage)
                if following is None:
                    return redirect("scoring-queue", pk=application.vacancy_id, stage=stage)
                return redirect("score-application", pk=following.pk, stage=stage)
    evidence = {e.criterion_id: e.text for e in application.evidence.all()}
    others = None
    if view.others is not None:
        people = {s.scorer_id: s.scorer for s in view.others}
        given = {(s.criterion_id, s.scorer_id): s for s in view.others}
        others = {
            "scorers": list(people.values()),
            "rows": [(c, [given.get((c.pk, pk)) for pk in people]) for c in criteria],
        }
    agreed = assessment.agreed_scores(application, stage)
    mine = {s.criterion_id: s for s in view.mine}
    return render(
        request,
        "recruitment/score.html",
        {
            "application": application,
            "vacancy": application.vacancy,
            "stage": ScoreStage(stage),
            "form": form,
            "rows": [
                (criterion, score_field, note_field, evidence.get(criterion.pk, ""))
                for criterion, score_field, note_field in form.rows()
            ],
            "criteria": criteria,
            "scoring_open": scoring_open,
            "mine": [(c, mine.get(c.pk)) for c in criteria],
            "submitted": len(mine) == len(criteria),
            "others": others,
            "agreed": [(c, agreed.get(c.pk)) for c in criteria] if agreed else None,
            "meanings": SCORE_MEANINGS,
        },
    )


# --- Moderation -------------------------------------------------------------------------------


@login_required
def moderation(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """The chair's overview: progress, and each application's scoring, spread and agreement,
    a page at a time (``moderation_.StageModeration``), filtered."""
    user, vacancy = _vacancy(request, pk, "vacancies.moderate")
    stage = _stage(stage)
    overview = moderation_.StageModeration(vacancy, user, stage)
    only = moderation_.ModerationFilter(
        to_agree=request.GET.get("to_agree") == "yes",
        to_discuss=request.GET.get("to_discuss") == "yes",
    )
    page = paginate(
        request,
        Rows(
            overview.count(only),
            lambda offset, limit: overview.entries(only, offset=offset, limit=limit),
        ),
    )
    return render(
        request,
        "recruitment/moderation.html",
        {
            "vacancy": vacancy,
            "stage": ScoreStage(stage),
            "stages": _stages("moderation", vacancy.pk, stage),
            "progress": overview,
            "entries": page.object_list,
            "pages": page_links(request, page),
            "filters": only,
            "spread_to_discuss": moderation_.SPREAD_TO_DISCUSS,
        },
    )


def _next_to_agree(application: Application, user: User, stage: str) -> Application | None:
    return moderation_.StageModeration(application.vacancy, user, stage).next_to_agree(application)


@login_required
def moderate(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """One application: every member's scores side by side with the spread, then the agreed
    scores and a note."""
    user, application = _application(request, pk, "recruitment.agree_scores")
    stage = _stage(stage)
    view = moderation_.moderation_view(application, user, stage)
    criteria = [row.criterion for row in view.rows]
    initial: dict[str, Any] = {
        f"score_{row.criterion.pk}": str(row.agreed) for row in view.rows if row.agreed is not None
    }
    if view.agreed is not None:
        initial["note"] = view.agreed.note
    form = ScoresForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        notes=False,
        initial=initial,
    )
    scoring_open = services_.scoring_open(application, stage)
    if request.method == "POST":
        if not scoring_open:
            messages.error(request, "The agreed scores can no longer change.")
            return redirect("moderate", pk=application.pk, stage=stage)
        if form.is_valid():
            try:
                services_.agreed_scores_set(
                    application_id=application.pk,
                    by=user,
                    stage=stage,
                    scores=form.scores(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except DomainError as exc:
                messages.error(request, exc.detail)
                return redirect("moderate", pk=application.pk, stage=stage)
            else:
                messages.success(request, f"Agreed scores saved for {application.reference}.")
                following = _next_to_agree(application, user, stage)
                if following is None:
                    return redirect("moderation", pk=application.vacancy_id, stage=stage)
                return redirect("moderate", pk=following.pk, stage=stage)
    evidence = {e.criterion_id: e.text for e in application.evidence.all()}
    return render(
        request,
        "recruitment/moderate.html",
        {
            "application": application,
            "vacancy": application.vacancy,
            "stage": ScoreStage(stage),
            "view": view,
            "form": form,
            "rows": [
                (criterion, field, evidence.get(criterion.pk, ""))
                for criterion, field, _ in form.rows()
            ],
            "scoring_open": scoring_open,
            "notes": [
                (
                    row.criterion,
                    [(p, s) for p, s in zip(view.scorers, row.scores, strict=True) if s],
                )
                for row in view.rows
            ],
            "has_notes": any(s and s.note for row in view.rows for s in row.scores),
        },
    )
