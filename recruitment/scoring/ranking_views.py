"""The ranking pages: the ranking by agreed total a page at a time, the chair's decisions
from it (ticked on the page, or everyone ranked 1 to N as one recorded run with its
progress page), and completing the sift. Same services, selectors and ``rules``
permissions as the API (``scoring/api.py``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kernel import confirm
from kernel.api import id_or_none
from kernel.errors import ActionForbidden, DomainError
from kernel.paging import Rows, page_links, paginate
from recruitment.applications.forms import BulkDecisionForm, RankedDecisionForm
from recruitment.applications.selectors import scores_to_agree
from recruitment.models import (
    Application,
    ApplicationState,
    DecisionRun,
    DecisionRunItem,
    ScoreStage,
)
from recruitment.scoring import assessment, decision_runs, decisions
from recruitment.scoring.ranked import RankingFilter, VacancyRanking
from recruitment.scoring.ranking import RankedApplication
from recruitment.scoring.views import _staff, _stage, _stages, _vacancy
from vacancies import services as vacancy_services
from vacancies.models import Vacancy

if TYPE_CHECKING:
    from accounts.models import User


# --- Ranking and the shortlisting decision ----------------------------------------------------


def _bulk_key(vacancy: Vacancy) -> str:
    return f"bulk-decision-{vacancy.pk}"


#: The ranking page's filters (``?meets=yes|no&tie=N&state=S``): a value that is not one of
#: them lists everything, as "Any" does.
MEETS_CHOICES = {"yes": True, "no": False}


def _ranking_filter(request: HttpRequest, ranking: VacancyRanking) -> RankingFilter:
    query = request.GET
    tie = query.get("tie", "")
    state = query.get("state", "")
    return RankingFilter(
        meets_minimum=MEETS_CHOICES.get(query.get("meets", "")),
        tie_group=tie_group if (tie_group := id_or_none(tie)) in ranking.tie_totals else None,
        state=state if state in ranking.state_counts() else None,
    )


def _render_ranking(
    request: HttpRequest,
    user: User,
    vacancy: Vacancy,
    stage: str,
    form: BulkDecisionForm | None = None,
    sift_errors: list[str] | None = None,
    ranked_form: RankedDecisionForm | None = None,
) -> HttpResponse:
    """A page of the ranking (``ranked.VacancyRanking``: a fixed number of queries at any
    size), filtered, with the bulk decision over the page's undecided applications."""
    ranking = VacancyRanking(vacancy, stage)
    vacancy = ranking.vacancy
    only = _ranking_filter(request, ranking)
    page = paginate(
        request,
        Rows(
            ranking.count(only),
            lambda offset, limit: ranking.rows(only, offset=offset, limit=limit),
        ),
    )
    ranked: list[RankedApplication] = list(page.object_list)
    decide = stage == ScoreStage.SHORTLISTING and rules.has_perm(
        "vacancies.decide_applications", user, vacancy
    )
    choices = [
        r.application.pk for r in ranked if r.application.state == ApplicationState.SUBMITTED
    ]
    if decide and form is None:
        form = BulkDecisionForm(choices=choices)
    taken = None
    if vacancy.interview_limit is not None and stage == ScoreStage.SHORTLISTING:
        taken = assessment.shortlisted_count(vacancy)  # the rule the limit applies
    # Completing the sift is offered once nothing waits for a decision.
    waiting = RankingFilter(state=ApplicationState.SUBMITTED)
    undecided = ranking.count(waiting) if stage == ScoreStage.SHORTLISTING else 0
    return render(
        request,
        "recruitment/ranking.html",
        {
            "vacancy": vacancy,
            "stage": ScoreStage(stage),
            "stages": _stages("ranking", vacancy.pk, stage),
            "ranked": ranked,
            "pages": page_links(request, page),
            "filters": {
                "meets": next((k for k, v in MEETS_CHOICES.items() if v is only.meets_minimum), ""),
                "tie": only.tie_group,
                "state": only.state or "",
                "any": only.any,
            },
            "tie_groups": ranking.tie_group_numbers,
            "states": [
                (value, label)
                for value, label in ApplicationState.choices
                if value in ranking.state_counts()
            ],
            "selectable": set(choices) if decide else set(),
            "first_selectable": choices[0] if choices else None,
            "selected": {n for v in (form["applications"].value() or []) if (n := id_or_none(v))}
            if form is not None and form.is_bound
            else set(),
            "form": form if decide else None,
            "ranked_form": (ranked_form or RankedDecisionForm()) if decide else None,
            "page_errors": ranked_form is not None and bool(ranked_form.errors),
            "open_run": DecisionRun.objects.filter(vacancy=vacancy)
            .exclude(state=DecisionRun.State.DONE)
            .first()
            if decide
            else None,
            "taken": taken,
            "results": request.session.pop(_bulk_key(vacancy), None),
            "can_offer": rules.has_perm("vacancies.decide_applications", user, vacancy),
            "can_complete": "complete_sift" in vacancy_services.available_actions(vacancy, user),
            "undecided": undecided,
            # The first ten by arrival: an index read, not a second sort of the ranking.
            "undecided_first": list(
                Application.objects.filter(vacancy=vacancy, state=ApplicationState.SUBMITTED)
                .order_by("submitted_at", "pk")
                .values_list("reference", flat=True)[:10]
            )
            if undecided
            else [],
            "sift_errors": sift_errors,
        },
    )


@login_required
def ranking(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """The ranking by agreed total with ties and minimum criteria; at the sift, with the bulk
    shortlisting decision and the completion of the sift."""
    user, vacancy = _vacancy(request, pk, "vacancies.view_ranking")
    return _render_ranking(request, user, vacancy, _stage(stage))


@login_required
@require_POST
def bulk_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Shortlist or reject the ticked applications, each through its own service call: the
    interview limit and the agreed-scores rule refuse exactly as they do one at a time."""
    user, vacancy = _vacancy(request, pk, "vacancies.decide_applications")
    stage = ScoreStage.SHORTLISTING
    posted = [n for v in request.POST.getlist("applications") if (n := id_or_none(v))]
    # The choices are the vacancy's undecided applications among those posted (a page of
    # the ranking shows some of them): the service checks each again under its row lock.
    choices = list(
        Application.objects.filter(
            vacancy=vacancy, state=ApplicationState.SUBMITTED, pk__in=posted[: decisions.MAX_BULK]
        ).values_list("pk", flat=True)
    )
    form = BulkDecisionForm(request.POST, choices=choices)
    if form.is_valid() and not confirm.confirmed(request):
        return confirm.ask(request, _bulk_confirmation(request, vacancy, stage, form.cleaned_data))
    if form.is_valid():
        try:
            outcomes = decisions.applications_bulk_decide(
                vacancy_id=vacancy.pk,
                by=user,
                action=form.cleaned_data["decision"],
                application_ids=form.cleaned_data["applications"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc, {"action": "decision"})
        except ActionForbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        else:
            done = sum(o.done for o in outcomes)
            refused = len(outcomes) - done
            request.session[_bulk_key(vacancy)] = [asdict(o) for o in outcomes]
            verb = (
                "shortlisted" if form.cleaned_data["decision"] == "shortlist" else "not shortlisted"
            )
            summary = f"{done} {'application' if done == 1 else 'applications'} {verb}."
            if refused:
                summary += f" {refused} refused: see below."
            if refused:
                messages.info(request, summary)
            else:
                messages.success(request, summary)
            return redirect(
                reverse("ranking", kwargs={"pk": vacancy.pk, "stage": stage})
                + (f"?{request.GET.urlencode()}" if request.GET else "")
            )
    return _render_ranking(request, user, vacancy, stage, form)


def _bulk_confirmation(
    request: HttpRequest, vacancy: Vacancy, stage: str, data: dict[str, Any]
) -> confirm.Confirmation:
    """A sift decision cannot be undone: the page says what follows and asks first. It also
    says how many of those chosen have no agreed scores, for a decision on merit rests on
    them (the contract lets a shortlist go without; the page makes the chair see it)."""
    ids = [int(pk) for pk in data["applications"]]
    references = [a.reference for a in Application.objects.filter(pk__in=ids).order_by("reference")]
    count, shortlist = len(ids), data["decision"] == "shortlist"
    applications = f"{count} application{'' if count == 1 else 's'}"
    unagreed = (
        Application.objects.filter(pk__in=ids)
        .filter(scores_to_agree(len(vacancy.criteria.all())))
        .count()
    )
    paragraphs = [
        "Each is decided as it would be on its own, and recorded in its history with your "
        "reason. "
        + (
            "Each candidate shortlisted is told at once, so that they can ask for what they "
            "need at the interview."
            if shortlist
            else "The candidates are told when you complete the sift."
        )
    ]
    if unagreed:
        paragraphs.append(
            f"{unagreed} of {'it' if count == 1 else 'them'} "
            f"{'has' if unagreed == 1 else 'have'} no agreed score for every criterion: a "
            "decision on merit rests on agreed scores."
        )
    verb = "Shortlist" if shortlist else "Do not shortlist"
    return confirm.Confirmation(
        title=f"{verb} {applications}?",
        caption=f"{vacancy.reference} {vacancy.title}",
        paragraphs=paragraphs,
        rows=[("Applications", ", ".join(references))]
        + ([("Reason", data["reason"])] if data["reason"] else []),
        hidden=[("applications", str(pk)) for pk in ids]
        + [("decision", data["decision"]), ("reason", data["reason"])],
        button=f"{verb} {applications}",
        action=request.get_full_path(),
        cancel_url=reverse("ranking", kwargs={"pk": vacancy.pk, "stage": stage}),
    )


@login_required
@require_POST
def ranked_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide everyone ranked 1 to N in one recorded run (``decision_runs``). The ranking
    page's form comes here first: a page says how many applications it covers (the same
    checks as the request) and asks to confirm; confirmed, the run is asked for and its
    progress page follows it."""
    user, vacancy = _vacancy(request, pk, "vacancies.decide_applications")
    form = RankedDecisionForm(request.POST)
    if form.is_valid():
        asked = {
            "vacancy_id": vacancy.pk,
            "by": user,
            "action": form.cleaned_data["decision"],
            "up_to_rank": form.cleaned_data["up_to_rank"],
            "reason": form.cleaned_data["reason"],
        }
        try:
            if request.POST.get("confirm") != "yes":
                preview = decision_runs.decision_run_preview(**asked)
                return render(
                    request,
                    "recruitment/decision_run_confirm.html",
                    {"vacancy": vacancy, "preview": preview, "form": form},
                )
            run = decision_runs.decision_run_request(**asked, confirm=True)
        except ValidationError as exc:
            form.add_service_errors(exc, {"action": "decision"})
        except ActionForbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("ranking", pk=vacancy.pk, stage=ScoreStage.SHORTLISTING)
        else:
            return redirect("decision-run", pk=run.pk)
    return _render_ranking(request, user, vacancy, ScoreStage.SHORTLISTING, ranked_form=form)


@login_required
def decision_run(request: HttpRequest, pk: int) -> HttpResponse:
    """How far a decision from the ranking has got, with its refusals; "Resume" queues it
    again when it has stalled (safe: it takes up only what is waiting)."""
    user = _staff(request)
    run = get_object_or_404(
        DecisionRun.objects.select_related("vacancy", "requested_by").filter(
            vacancy__in=Vacancy.objects.visible_to(user)
        ),
        pk=pk,
    )
    if not rules.has_perm("vacancies.decide_applications", user, run.vacancy):
        raise Http404  # seen only by those who may decide: hidden, not refused
    if request.method == "POST":
        if decision_runs.decision_run_resume(run):
            messages.success(request, "The decision will carry on from where it stopped.")
        elif run.state == DecisionRun.State.DONE:
            messages.info(request, "This decision has finished: there is nothing to carry on.")
        else:
            messages.info(request, "This decision is still running: it needs nothing from you.")
        return redirect("decision-run", pk=run.pk)
    progress = decision_runs.decision_run_progress(run)
    refusals = (
        DecisionRunItem.objects.filter(run=run, outcome="refused")
        .select_related("application")
        .order_by("position")[:100]
    )
    return render(
        request,
        "recruitment/decision_run.html",
        {
            "run": run,
            "vacancy": run.vacancy,
            "progress": progress,
            "refusals": refusals,
            "stalled": decision_runs.stalled(run),
        },
    )


@login_required
@require_POST
def complete_sift(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete the sift (decisions.sift_complete): the guarantee is applied, the candidates
    not shortlisted are told."""
    user, vacancy = _vacancy(request, pk, "vacancies.decide_applications")
    try:
        done = decisions.sift_complete(
            vacancy_id=vacancy.pk, by=user, confirm=request.POST.get("confirm") == "yes"
        )
    except ActionForbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except ValidationError as exc:
        return _render_ranking(
            request,
            user,
            vacancy,
            ScoreStage.SHORTLISTING,
            sift_errors=exc.message_dict.get("confirm", []),
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        invited = len(done.invited)
        messages.success(
            request,
            f"Sift complete. {done.not_shortlisted} "
            f"{'candidate' if done.not_shortlisted == 1 else 'candidates'} will be told they "
            f"were not shortlisted. {invited} "
            f"{'candidate was' if invited == 1 else 'candidates were'} invited to interview.",
        )
    return redirect("ranking", pk=vacancy.pk, stage=ScoreStage.SHORTLISTING)
