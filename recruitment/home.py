"""A home page for each role: what waits for this person now, with counts, each linking to
the work. Reads only what the person may see (the vacancies they work on, their own
applications); nothing here reads a declaration or an equality answer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.models import STAFF_ROLES, ReviewerGrant, Role, User
from adjustments.models import (
    TO_PUT_IN_PLACE,
    AdjustmentRequest,
    AdjustmentState,
    PreApplicationRequest,
)
from recruitment.applications.selectors import scores_agreed
from recruitment.applications.states import ACTIVE_STATES
from recruitment.models import (
    Application,
    ApplicationState,
    InterviewBooking,
    PackComment,
    Score,
    ScoreStage,
)
from recruitment.scoring.selectors import scorers
from vacancies.models import Vacancy, VacancyStatus


@dataclass(frozen=True)
class Waiting:
    """One kind of work: how many, what, where; ``about`` names the vacancy it is on."""

    count: int
    text: str
    url: str
    hint: str = ""
    about: str = ""


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def for_hr() -> list[Waiting]:
    undecided = AdjustmentRequest.objects.open().count()
    to_put_in_place = AdjustmentRequest.objects.filter(state__in=TO_PUT_IN_PLACE).count()
    asked = PreApplicationRequest.objects.filter(answered_at=None).count()
    closing = Vacancy.objects.closing_soon().count()
    sifts = Vacancy.objects.sift_open().count()
    held = Vacancy.objects.held().count()
    comments = PackComment.objects.filter(answered_at=None).count()
    invited = User.objects.filter(
        role__in=STAFF_ROLES,
        is_active=True,
        sso_subject=None,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    ).count()
    queue, vacancies = reverse("adjustment-queue"), reverse("staff-vacancies")
    return [
        Waiting(undecided, _plural(undecided, "adjustment request to decide",
                "adjustment requests to decide"), queue),
        Waiting(to_put_in_place, _plural(to_put_in_place, "agreed adjustment to put in place",
                "agreed adjustments to put in place"), f"{queue}?state=to_put_in_place"),
        Waiting(asked, _plural(asked, "request made before applying to answer",
                "requests made before applying to answer"), f"{queue}#before-applying"),
        Waiting(closing, _plural(closing, "vacancy closing in the next 7 days",
                "vacancies closing in the next 7 days"), f"{vacancies}?show=closing-soon"),
        Waiting(sifts, _plural(sifts, "closed vacancy whose sift is not complete",
                "closed vacancies whose sift is not complete"), f"{vacancies}?show=sift-open"),
        Waiting(held, _plural(held, "vacancy under a legal hold", "vacancies under a legal hold"),
                f"{vacancies}?show=held", "Nothing held is erased until the hold is released."),
        Waiting(invited, _plural(invited, "invited person who has not set up their account",
                "invited people who have not set up their account"),
                reverse("people") + "?status=invited"),
        Waiting(comments, _plural(comments, "comment from a staff network on a report to answer",
                "comments from staff networks on reports to answer"), reverse("publication"),
                "Each is on its reporting year's report."),
    ]  # fmt: skip


def _interview_held() -> Q:
    """Applications whose interview has taken place (recorded or not): scores are due."""
    return Q(state=ApplicationState.INTERVIEWED) | Q(
        state=ApplicationState.INTERVIEW_SCHEDULED, interview_at__lte=timezone.now()
    )


def _fully_scored_by(applications: QuerySet[Application], stage: str, scorer_ids: set[int],
                     criteria: int) -> QuerySet[Application]:  # fmt: skip
    """Those of ``applications`` every one of ``scorer_ids`` has scored on every criterion."""
    complete = (
        Score.objects.filter(application__in=applications, stage=stage, scorer_id__in=scorer_ids)
        .values("application_id")
        .annotate(n=Count("criterion_id"))
        .filter(n=criteria * len(scorer_ids))
        .values("application_id")
    )
    return applications.filter(pk__in=complete)


def _closed(**whose: User) -> Iterator[tuple[Vacancy, int, QuerySet[Application], str]]:
    """The closed vacancies ``whose`` (chaired by, on the panel of), the soonest closed
    first: each with its number of criteria, its applications and what names it."""
    vacancies = Vacancy.objects.filter(status=VacancyStatus.CLOSED, **whose)
    for vacancy in vacancies.prefetch_related("criteria").order_by("closing_date", "pk"):
        yield (
            vacancy,
            len(vacancy.criteria.all()),
            Application.objects.filter(vacancy=vacancy),
            f"{vacancy.reference} {vacancy.title}",
        )


def for_chair(user: User) -> list[Waiting]:
    """A hiring manager's vacancies: scores the panel has finished and the chair has not
    agreed, sifts to complete, interviews to record, candidates to decide on. Only what
    waits is listed."""
    items = []
    for vacancy, criteria, applications, about in _closed(hiring_manager=user):
        if vacancy.sift_completed_at is None:
            submitted = applications.filter(state=ApplicationState.SUBMITTED)
            scorer_ids = {u.pk for u in scorers(vacancy)}
            to_agree = (
                _fully_scored_by(submitted, ScoreStage.SHORTLISTING, scorer_ids, criteria)
                .filter(~Q(scores_agreed(criteria, ScoreStage.SHORTLISTING)))
                .count()
            )
            undecided = submitted.count()
            items.append(Waiting(to_agree, _plural(to_agree,
                         "application scored by the whole panel, its scores to agree",
                         "applications scored by the whole panel, their scores to agree"),
                         reverse("moderation", args=[vacancy.pk, ScoreStage.SHORTLISTING])
                         + "?to_agree=yes", about=about))  # fmt: skip
            items.append(Waiting(undecided, _plural(undecided,
                         "application to decide before the sift is complete",
                         "applications to decide before the sift is complete"),
                         reverse("ranking", args=[vacancy.pk, ScoreStage.SHORTLISTING]),
                         about=about))  # fmt: skip
        held = applications.filter(
            state=ApplicationState.INTERVIEW_SCHEDULED, interview_at__lte=timezone.now()
        ).count()
        interviewed = applications.filter(state=ApplicationState.INTERVIEWED).count()
        items.append(Waiting(held, _plural(held, "interview to record as held",
                     "interviews to record as held"),
                     reverse("interview-schedule", args=[vacancy.pk]), about=about))  # fmt: skip
        items.append(Waiting(interviewed, _plural(interviewed,
                     "candidate interviewed, waiting for a decision",
                     "candidates interviewed, waiting for a decision"),
                     reverse("ranking", args=[vacancy.pk, ScoreStage.INTERVIEW]),
                     about=about))  # fmt: skip
    return [item for item in items if item.count]


def _today() -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return start, start + timedelta(days=1)


def for_panel(user: User) -> list[Waiting]:
    """Today's interviews this person sits on, and applications waiting for their scores: at
    the sift while it is open, and at interview once the interview has taken place. Only
    what waits is listed."""
    start, end = _today()
    today = (
        InterviewBooking.objects.live()
        .filter(slot__panel=user, slot__starts_at__gte=start, slot__starts_at__lt=end)
        .count()
    )
    items = [Waiting(today, _plural(today, "interview today", "interviews today"),
                     reverse("my-interview-day"), "Each with the arrangements agreed for it.")]  # fmt: skip
    for vacancy, criteria, applications, about in _closed(panel=user):
        stages = [(ScoreStage.INTERVIEW, applications.filter(_interview_held()))]
        if vacancy.sift_completed_at is None:
            stages.insert(
                0, (ScoreStage.SHORTLISTING, applications.filter(state=ApplicationState.SUBMITTED))
            )
        for stage, waiting in stages:
            count = waiting.count() - _fully_scored_by(waiting, stage, {user.pk}, criteria).count()
            at = "" if stage == ScoreStage.SHORTLISTING else " after interview"
            items.append(Waiting(count, _plural(count, f"application to score{at}",
                         f"applications to score{at}"),
                         reverse("scoring-queue", args=[vacancy.pk, stage]),
                         about=about))  # fmt: skip
    return [item for item in items if item.count]


def for_candidate(user: User) -> list[Waiting]:
    mine = Application.objects.filter(candidate=user)
    offers = mine.filter(state=ApplicationState.OFFERED).count()
    interviews = mine.filter(
        state=ApplicationState.INTERVIEW_SCHEDULED, interview_at__gt=timezone.now()
    ).count()
    # Invited, the sift complete, and slots published: theirs to book.
    to_book = list(
        mine.filter(
            state=ApplicationState.SHORTLISTED,
            vacancy__sift_completed_at__isnull=False,
            vacancy__interview_slots__starts_at__gt=timezone.now(),
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    # Decisions on requests for applications still going (not those withdrawn or ended).
    decided = AdjustmentRequest.objects.filter(
        application__candidate=user,
        application__state__in=ACTIVE_STATES,
        state__in=[AdjustmentState.AGREED, AdjustmentState.PARTIALLY_AGREED,
                   AdjustmentState.DECLINED],
    )  # fmt: skip
    about = set(decided.values_list("application_id", flat=True))
    applications = reverse("my-applications")
    return [
        Waiting(offers, _plural(offers, "job offer to answer", "job offers to answer"),
                applications),
        Waiting(len(to_book), _plural(len(to_book), "interview to book", "interviews to book"),
                reverse("book-interview", args=[to_book[0]]) if len(to_book) == 1
                else applications, "Choose a time that suits you."),
        Waiting(interviews, _plural(interviews, "interview coming up", "interviews coming up"),
                applications),
        Waiting(len(decided), _plural(len(decided), "decision on a request for an adjustment",
                "decisions on requests for adjustments"),
                reverse("my-application", args=[next(iter(about))]) if len(about) == 1
                else applications, "What was agreed, or why not, is on the application's page."),
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


def reviewer_home(request: HttpRequest, user: User) -> HttpResponse:
    """A staff network reviewer's home: what they may read while their grant is live, or
    the day their access ended and to ask HR."""
    grant = ReviewerGrant.objects.live().filter(user=user).order_by("-expires_at").first()
    ended = None
    if grant is None:
        ended = ReviewerGrant.objects.filter(user=user).order_by("-granted_at", "-pk").first()
    return render(request, "home_reviewer.html", {"grant": grant, "ended": ended})


def home(request: HttpRequest) -> HttpResponse:
    """``/``: the start page for a visitor; for someone signed in, what waits for them."""
    user = request.user
    if not isinstance(user, User):
        return render(request, "home.html")
    if user.role == Role.NETWORK_REVIEWER:
        return reviewer_home(request, user)
    return render(request, "home_signed_in.html", {"sections": sections(user)})
