"""Reads: what a user may see of applications, scores, rankings and history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import rules
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django_fsm_log.models import StateLog

from recruitment import assessment
from recruitment.models import (
    AgreedAssessment,
    Application,
    ApplicationState,
    Score,
    ScoreStage,
    Stage,
)

if TYPE_CHECKING:
    from accounts.models import User
    from vacancies.models import Vacancy


RANKED_STAGES = {
    ScoreStage.SHORTLISTING: [s.value for s in Stage],
    ScoreStage.INTERVIEW: [Stage.INTERVIEWED, Stage.OFFERED, Stage.APPOINTED],
}


def ranking_population(vacancy: Vacancy, stage: str) -> list[Application]:
    """The applications ranked at a stage: everyone who reached it and has not withdrawn."""
    return list(
        Application.objects.with_assessment_data()
        .filter(vacancy=vacancy, furthest_stage__in=RANKED_STAGES[ScoreStage(stage)])
        .exclude(state=ApplicationState.WITHDRAWN)
    )


def vacancy_ranking(vacancy: Vacancy, stage: str) -> list[assessment.RankedApplication]:
    """The ranking of a vacancy's applications at a stage, in a fixed number of queries."""
    return assessment.rank(ranking_population(vacancy, stage), stage)


@dataclass
class ScoresView:
    stage: str
    mine: list[Score]
    others: list[Score] | None  # None while hidden: the caller has not submitted yet
    agreed: AgreedAssessment | None


def has_submitted(application: Application, user: User, stage: str) -> bool:
    """A panel member has submitted once they have scored every criterion at the stage."""
    scored = set(
        Score.objects.filter(application=application, stage=stage, scorer=user).values_list(
            "criterion_id", flat=True
        )
    )
    return all(c.pk in scored for c in application.vacancy.criteria.all())


def scores_visible_to(application: Application, user: User, stage: str) -> ScoresView:
    """Independent scoring: a panel member sees others' scores only after submitting their
    own. HR, who does not score, sees all. Everyone who may see scores sees the agreed ones."""
    scores = list(
        Score.objects.filter(application=application, stage=stage)
        .select_related("scorer", "criterion")
        .order_by("criterion__position", "criterion_id", "scorer__full_name")
    )
    mine = [s for s in scores if s.scorer_id == user.pk]
    if rules.has_perm("recruitment.view_all_scores", user, application) or has_submitted(
        application, user, stage
    ):
        others: list[Score] | None = [s for s in scores if s.scorer_id != user.pk]
    else:
        others = None
    return ScoresView(
        stage=stage,
        mine=mine,
        others=others,
        agreed=assessment.agreed_assessment(application, stage),
    )


def application_history(application: Application) -> QuerySet[StateLog]:
    return (
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=application.pk,
        )
        .select_related("by")
        .order_by("timestamp", "id")
    )
