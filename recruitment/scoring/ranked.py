"""A vacancy's ranking computed in the database, a page at a time.

A campaign may have tens of thousands of applications (the Civil Service Fast Stream had
64,697 applicants in 2020), so nothing here loads a whole campaign into Python:

- the agreed totals, the essential scores and "meets the minimum criteria" are aggregates in
  one SQL query (``_population``), with the minimum rule given to SQL as the thresholds of
  ``assessment.minimum_thresholds``, the same ones the Python rule reads;
- one ``GROUP BY`` over that query gives how many applications have each (total, meets the
  minimum, state). There are at most 4·criteria + 2 totals, so this histogram is small
  whatever the campaign's size, and from it come every rank (1 + the number with a higher
  total: equal totals share a rank), every tie group (``ranking.tie_groups_of``, with the
  vacancy's band) and the count of any filtered list;
- a page is the same query ordered by total (best first, unscored last, then reference),
  with ``LIMIT``/``OFFSET``, and only that page's applications are loaded.

So a page costs a fixed number of queries (five: the vacancy, its criteria, the histogram,
the page's ids, its applications) at any size. Nothing here reads a guarantee declaration:
the positive-action declaration is read only at interview, once the sift is complete,
inside a tie (``ranking.py``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Min,
    Q,
    Sum,
    Value,
    When,
)

from kernel.queries import count_by
from recruitment.applications.models import Application
from recruitment.applications.states import ApplicationState, Stage
from recruitment.scoring.assessment import INTERVIEW, SHORTLISTING, minimum_thresholds
from recruitment.scoring.guarantee import has_positive_action_plan, positive_action_declared
from recruitment.scoring.models import ScoreStage
from recruitment.scoring.ranking import RankedApplication, tie_groups_of
from vacancies.models import Vacancy

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Who is ranked at a stage: everyone who reached it and has not withdrawn.
RANKED_STAGES = {
    ScoreStage.SHORTLISTING: [s.value for s in Stage],
    ScoreStage.INTERVIEW: [Stage.INTERVIEWED, Stage.OFFERED, Stage.APPOINTED],
}

#: Rows read from the database at a time when a whole ranking is walked (the CSV, the API's
#: unpaged list, a bulk decision's order).
CHUNK = 2000


@dataclass(frozen=True)
class RankingFilter:
    """Which rows of a ranking to list; None: any."""

    meets_minimum: bool | None = None
    tie_group: int | None = None
    state: str | None = None
    #: Only these applications (a bulk decision orders its own).
    applications: frozenset[int] | None = None

    @property
    def any(self) -> bool:
        return any(
            v is not None
            for v in (self.meets_minimum, self.tie_group, self.state, self.applications)
        )


@dataclass(frozen=True)
class Standing:
    """Where a total stands: its competition rank (1, 1, 3) and its tie group, if any."""

    rank: int
    tie_group: int | None


class VacancyRanking:
    """One stage's ranking of one vacancy. Built in three queries (the vacancy with its
    plan, its criteria, the histogram); each page or walk costs two more."""

    def __init__(self, vacancy: Vacancy | int, stage: str) -> None:
        pk = vacancy if isinstance(vacancy, int) else vacancy.pk
        self.vacancy: Vacancy = (
            Vacancy.objects.select_related("positive_action_plan")
            .prefetch_related("criteria")
            .get(pk=pk)
        )
        self.stage = ScoreStage(stage)
        self._population = _population(self.vacancy, self.stage)
        self._histogram = _histogram(self._population)
        totals = Counter[int]()
        for (total, _meets, _state), n in self._histogram.items():
            if total is not None:
                totals[total] += n
        groups = tie_groups_of(totals, self.vacancy.tie_band)
        self.standings: dict[int, Standing] = {}
        above = 0
        for total in sorted(totals, reverse=True):
            self.standings[total] = Standing(rank=above + 1, tie_group=groups.get(total))
            above += totals[total]
        #: tie group → the totals in it, highest first.
        self.tie_totals: dict[int, list[int]] = {}
        for total, standing in self.standings.items():
            if standing.tie_group is not None:
                self.tie_totals.setdefault(standing.tie_group, []).append(total)

    # --- Counts, from the histogram (no query) --------------------------------------------

    def count(self, only: RankingFilter | None = None) -> int:
        """How many applications the filter lists (no query, unless it names applications)."""
        only = only or RankingFilter()
        if only.applications is not None:
            return self._filtered(only).count()
        return sum(n for key, n in self._histogram.items() if self._matches(key, only))

    def state_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (_total, _meets, state), n in self._histogram.items():
            counts[state] += n
        return dict(counts)

    def undecided_ranked(self, up_to_rank: int) -> Counter[bool | None]:
        """The undecided applications ranked 1 to ``up_to_rank``, counted by whether they
        meet the minimum criteria (no query: from the histogram)."""
        counts: Counter[bool | None] = Counter()
        for (total, meets, state), n in self._histogram.items():
            if state != ApplicationState.SUBMITTED or total is None:
                continue
            if self.standings[total].rank <= up_to_rank:
                counts[None if meets is None else bool(meets)] += n
        return counts

    def last_rank_within(self, places: int) -> int | None:
        """The lowest rank R such that the undecided applications ranked 1 to R are at most
        ``places``: every tie taken whole. None when not even the first rank fits."""
        undecided = Counter[int]()
        for (total, _meets, state), n in self._histogram.items():
            if state == ApplicationState.SUBMITTED and total is not None:
                undecided[self.standings[total].rank] += n
        fits, taken = None, 0
        for rank in sorted(undecided):
            taken += undecided[rank]
            if taken > places:
                break
            fits = rank
        return fits

    @property
    def tie_group_numbers(self) -> list[int]:
        return sorted(self.tie_totals)

    def _matches(self, key: tuple[int | None, bool | None, str], only: RankingFilter) -> bool:
        total, meets, state = key
        if only.meets_minimum is not None and meets is not only.meets_minimum:
            return False
        if only.state is not None and state != only.state:
            return False
        return only.tie_group is None or (
            total is not None
            and (standing := self.standings.get(total)) is not None
            and standing.tie_group == only.tie_group
        )

    # --- Rows ------------------------------------------------------------------------------

    def rows(
        self, only: RankingFilter | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[RankedApplication]:
        """The ranked applications the filter lists, best first, from ``offset``: two
        queries (their ids and totals, then the applications)."""
        ordered = self._filtered(only or RankingFilter())
        window = ordered[offset : offset + limit] if limit is not None else ordered[offset:]
        return self._ranked(list(window.values_list("pk", "rank_total", "rank_meets")))

    def walk(self, only: RankingFilter | None = None) -> Iterator[RankedApplication]:
        """Every ranked application the filter lists, best first, ``CHUNK`` at a time (the
        CSV download and the whole list), never holding the whole campaign."""
        ordered = self._filtered(only or RankingFilter()).values_list(
            "pk", "rank_total", "rank_meets"
        )
        # One ordered query read through a cursor (server-side on PostgreSQL), its rows
        # loaded ``CHUNK`` at a time: a page by OFFSET would aggregate the campaign again
        # for every chunk.
        chunk: list[tuple[int, int | None, Any]] = []
        for row in ordered.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield from self._ranked(chunk)
                chunk = []
        if chunk:
            yield from self._ranked(chunk)

    def standing_of(self, application: Application) -> RankedApplication | None:
        """One application's row in this ranking, or None when it is not ranked here."""
        rows = self.rows(RankingFilter(applications=frozenset({application.pk})))
        return rows[0] if rows else None

    def _filtered(self, only: RankingFilter) -> Any:  # the annotated population, filtered
        rows = self._population
        if only.state is not None:
            rows = rows.filter(state=only.state)
        if only.applications is not None:
            rows = rows.filter(pk__in=only.applications)
        if only.meets_minimum is not None:
            rows = rows.filter(rank_meets=only.meets_minimum)
        if only.tie_group is not None:
            rows = rows.filter(rank_total__in=self.tie_totals.get(only.tie_group, []))
        return rows.order_by(F("rank_total").desc(nulls_last=True), "reference")

    def _ranked(self, page: Iterable[tuple[int, int | None, Any]]) -> list[RankedApplication]:
        page = list(page)
        loaded = Application.objects.filter(pk__in=[pk for pk, _, _ in page]).defer("statement")
        if self.stage == INTERVIEW:  # the only stage that reads the declaration (s.159)
            loaded = loaded.select_related("positive_action_declaration")
        by_pk = {a.pk: a for a in loaded}
        plan = has_positive_action_plan(self.vacancy)
        ranked = []
        for pk, total, meets in page:
            application = by_pk[pk]
            application.vacancy = self.vacancy
            standing = self.standings.get(total) if total is not None else None
            tie_group = standing.tie_group if standing else None
            ranked.append(
                RankedApplication(
                    application=application,
                    total=total,
                    meets_minimum_criteria=None if meets is None else bool(meets),
                    tie_group=tie_group,
                    positive_action_eligible=(
                        self.stage == INTERVIEW  # s.159 is used at the offer, never at the sift
                        # and only once the sift is complete (an offer waits for it)
                        and self.vacancy.sift_completed_at is not None
                        and tie_group is not None
                        and plan
                        and positive_action_declared(application)
                    ),
                    rank=standing.rank if standing else None,
                )
            )
        return ranked


def _population(vacancy: Vacancy, stage: str) -> Any:  # an annotated QuerySet[Application]
    """The applications ranked at ``stage``, each with ``rank_total`` (the sum of its agreed
    scores at the stage; NULL until every criterion has one) and ``rank_meets`` (the agreed
    shortlisting scores against the minimum criteria; NULL until every essential criterion
    has one), as aggregates over one join of the agreed assessments and their scores."""
    criteria = list(vacancy.criteria.all())
    essential = [c.pk for c in criteria if c.is_essential]
    at_stage = Q(agreed_assessments__stage=stage)
    essential_agreed = Q(
        agreed_assessments__stage=SHORTLISTING,
        agreed_assessments__scores__criterion_id__in=essential,
    )
    rows = (
        Application.objects.filter(
            vacancy=vacancy, furthest_stage__in=RANKED_STAGES[ScoreStage(stage)]
        )
        .exclude(state=ApplicationState.WITHDRAWN)
        .annotate(
            rank_n=Count("agreed_assessments__scores", filter=at_stage),
            rank_sum=Sum("agreed_assessments__scores__score", filter=at_stage),
            rank_en=Count("agreed_assessments__scores", filter=essential_agreed),
            rank_emin=Min("agreed_assessments__scores__score", filter=essential_agreed),
            rank_esum=Sum("agreed_assessments__scores__score", filter=essential_agreed),
        )
    )
    each, least_sum = minimum_thresholds(vacancy, len(essential))
    meets: Any = (
        Case(
            When(rank_en__lt=len(essential), then=Value(None)),
            When(Q(rank_emin__gte=each, rank_esum__gte=least_sum), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if essential
        else Value(None, output_field=BooleanField())
    )
    return rows.annotate(
        rank_total=Case(
            When(rank_n=len(criteria), then=F("rank_sum")),
            default=Value(None),
            output_field=IntegerField(),
        ),
        rank_meets=meets,
    )


def _histogram(population: Any) -> dict[tuple[int | None, bool | None, str], int]:
    """(total, meets the minimum, state) → how many applications: one GROUP BY over the
    per-application aggregates."""
    return {
        (total, None if meets is None else bool(meets), state): n
        for (total, meets, state), n in count_by(
            population, "rank_total", "rank_meets", "state"
        ).items()
    }
