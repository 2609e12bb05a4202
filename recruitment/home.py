"""A home page for each role: what waits for this person now, with counts, each linking to
the work. Reads only what the person may see (the vacancies they work on, their own
applications); nothing here reads a declaration or an equality answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.models import STAFF_ROLES, User
from adjustments.models import AdjustmentRequest, AdjustmentState
from recruitment.applications.selectors import scores_agreed
from recruitment.models import Application, ApplicationState, Score, ScoreStage
from vacancies.models import Vacancy, VacancyStatus

#: "Closing soon": within this many days.
SOON = timedelta(days=7)


@dataclass(frozen=True)
class Waiting:
    """One kind of work: how many, what, where."""

    count: int
    text: str
    url: str
    hint: str = ""


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def for_hr() -> list[Waiting]:
    now = timezone.now()
    undecided = AdjustmentRequest.objects.open().count()
    to_put_in_place = AdjustmentRequest.objects.filter(
        state__in=[AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED]
    ).count()
    closing = Vacancy.objects.filter(
        status=VacancyStatus.OPEN, closing_date__lte=now + SOON
    ).count()
    sifts = Vacancy.objects.filter(status=VacancyStatus.CLOSED, sift_completed_at=None).count()
    holds = (
        Vacancy.objects.filter(legal_hold=True).count()
        + Application.objects.filter(legal_hold=True).count()
    )
    invited = User.objects.filter(
        role__in=STAFF_ROLES,
        is_active=True,
        sso_subject=None,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    ).count()
    vacancies = reverse("staff-vacancies")
    return [
        Waiting(undecided, _plural(undecided, "adjustment request to decide",
                "adjustment requests to decide"), reverse("adjustment-queue")),
        Waiting(to_put_in_place, _plural(to_put_in_place, "agreed adjustment to put in place",
                "agreed adjustments to put in place"), reverse("adjustment-queue")),
        Waiting(closing, _plural(closing, "vacancy closing in the next 7 days",
                "vacancies closing in the next 7 days"), vacancies),
        Waiting(sifts, _plural(sifts, "closed vacancy whose sift is not complete",
                "closed vacancies whose sift is not complete"), vacancies),
        Waiting(holds, _plural(holds, "legal hold in place", "legal holds in place"), vacancies,
                "Nothing held is erased until the hold is released."),
        Waiting(invited, _plural(invited, "invited person who has not set up their account",
                "invited people who have not set up their account"),
                reverse("people") + "?status=invited"),
    ]  # fmt: skip


def for_chair(user: User) -> list[Waiting]:
    """A hiring manager's vacancies: scores to agree, sifts to complete, interviews to
    record, offers to decide."""
    chaired = Vacancy.objects.filter(hiring_manager=user)
    items = []
    for vacancy in chaired.filter(status=VacancyStatus.CLOSED).prefetch_related("criteria"):
        criteria = len(vacancy.criteria.all())
        applications = Application.objects.filter(vacancy=vacancy)
        if vacancy.sift_completed_at is None:
            to_agree = (
                applications.filter(state=ApplicationState.SUBMITTED)
                .filter(~Q(scores_agreed(criteria, ScoreStage.SHORTLISTING)))
                .count()
            )
            undecided = applications.filter(state=ApplicationState.SUBMITTED).count()
            items.append(Waiting(to_agree, f"{vacancy.reference}: "
                         + _plural(to_agree, "application whose scores you have not agreed",
                                   "applications whose scores you have not agreed"),
                         reverse("moderation", args=[vacancy.pk, ScoreStage.SHORTLISTING])))  # fmt: skip
            items.append(Waiting(undecided, f"{vacancy.reference}: "
                         + _plural(undecided, "application to decide before the sift is complete",
                                   "applications to decide before the sift is complete"),
                         reverse("ranking", args=[vacancy.pk, ScoreStage.SHORTLISTING])))  # fmt: skip
        held = applications.filter(
            state=ApplicationState.INTERVIEW_SCHEDULED, interview_at__lte=timezone.now()
        ).count()
        interviewed = applications.filter(state=ApplicationState.INTERVIEWED).count()
        items.append(Waiting(held, f"{vacancy.reference}: "
                     + _plural(held, "interview to record as held", "interviews to record as held"),
                     reverse("interview-schedule", args=[vacancy.pk])))  # fmt: skip
        items.append(Waiting(interviewed, f"{vacancy.reference}: "
                     + _plural(interviewed, "candidate interviewed, waiting for a decision",
                               "candidates interviewed, waiting for a decision"),
                     reverse("ranking", args=[vacancy.pk, ScoreStage.INTERVIEW])))  # fmt: skip
    return items


def for_panel(user: User) -> list[Waiting]:
    """Applications waiting for this person's scores, on each vacancy whose sift is open."""
    items = []
    for vacancy in Vacancy.objects.filter(
        panel=user, status=VacancyStatus.CLOSED, sift_completed_at=None
    ).prefetch_related("criteria"):
        criteria = len(vacancy.criteria.all())
        waiting = Application.objects.filter(vacancy=vacancy, state=ApplicationState.SUBMITTED)
        scored = (
            Score.objects.filter(
                application__in=waiting, stage=ScoreStage.SHORTLISTING, scorer=user
            )
            .values("application_id")
            .annotate(n=Count("pk"))
            .filter(n__gte=criteria)
            .count()
        )
        count = waiting.count() - scored
        items.append(Waiting(count, f"{vacancy.reference}: "
                     + _plural(count, "application to score", "applications to score"),
                     reverse("scoring-queue", args=[vacancy.pk, ScoreStage.SHORTLISTING])))  # fmt: skip
    return items


def for_candidate(user: User) -> list[Waiting]:
    mine = Application.objects.filter(candidate=user)
    offers = mine.filter(state=ApplicationState.OFFERED).count()
    interviews = mine.filter(
        state=ApplicationState.INTERVIEW_SCHEDULED, interview_at__gt=timezone.now()
    ).count()
    decided = AdjustmentRequest.objects.filter(
        application__candidate=user,
        state__in=[AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED,
                   AdjustmentState.DECLINED, AdjustmentState.IN_PLACE],
    ).count()  # fmt: skip
    applications = reverse("my-applications")
    return [
        Waiting(offers, _plural(offers, "job offer to answer", "job offers to answer"),
                applications),
        Waiting(interviews, _plural(interviews, "interview coming up", "interviews coming up"),
                applications),
        Waiting(decided, _plural(decided, "adjustment request decided",
                "adjustment requests decided"), applications),
        Waiting(mine.count(), _plural(mine.count(), "application", "applications"),
                applications, "Follow each one, ask for adjustments or withdraw."),
    ]  # fmt: skip


def sections(user: User) -> list[tuple[str, list[Waiting]]]:
    """What waits for ``user``, by role (a hiring manager may also sit on panels)."""
    if user.is_hr:
        return [("For HR", for_hr())]
    if user.is_candidate:
        return [("Your applications", for_candidate(user))]
    found = []
    if user.role == "hiring_manager":
        found.append(("Vacancies you chair", for_chair(user)))
    found.append(("Scoring", for_panel(user)))
    return found


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """``/staff/``: the same page, for the signed in only."""
    return home(request)


def home(request: HttpRequest) -> HttpResponse:
    """``/``: the start page for a visitor; for someone signed in, what waits for them."""
    user = request.user
    if not isinstance(user, User):
        return render(request, "home.html")
    return render(request, "home_signed_in.html", {"sections": sections(user)})
