"""Scoring: each panel member's scores, given independently, and the chair's agreed scores.
A score changed after the scores were agreed reopens the agreement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction

from kernel.audit import acting_as
from kernel.errors import ActionForbidden, DomainError
from recruitment import tasks
from recruitment.applications.services import locked
from recruitment.models import (
    SCORING_OPEN,
    AgreedAssessment,
    AgreedScore,
    Application,
    Score,
    ScoreStage,
)

if TYPE_CHECKING:
    from accounts.models import User

# --- Scoring --------------------------------------------------------------------------------


@dataclass
class ScoreInput:
    criterion: int
    score: int
    note: str = ""


def scoring_open(application: Application, stage: str) -> bool:
    """Whether scores of ``stage`` may still change for this application."""
    return application.state in SCORING_OPEN[ScoreStage(stage)]


def _check_scores(application: Application, stage: str, scores: Sequence[ScoreInput | Any]) -> None:
    if not scoring_open(application, stage):
        raise DomainError(
            "invalid_transition",
            f"{ScoreStage(stage).label} scores cannot change once the application is "
            f"{application.get_state_display().lower()}.",
        )
    criterion_ids = {c.pk for c in application.vacancy.criteria.all()}
    errors = []
    seen: set[int] = set()
    for item in scores:
        if item.criterion not in criterion_ids:
            errors.append(f"Criterion {item.criterion} is not a criterion of this vacancy.")
        elif item.criterion in seen:
            errors.append(f"Criterion {item.criterion} is scored twice.")
        seen.add(item.criterion)
    if errors:
        raise ValidationError({"scores": errors})


def scores_submit(
    *, application_id: Any, by: User, stage: str, scores: Sequence[ScoreInput]
) -> None:
    """Record the caller's own scores (insert or replace, criterion by criterion)."""
    with transaction.atomic(), acting_as(by):
        application = locked(application_id)
        if not rules.has_perm("recruitment.score_application", by, application):
            raise ActionForbidden("Only the vacancy's panel and hiring manager score.")
        _check_scores(application, stage, scores)
        mine = {
            s.criterion_id: s
            for s in Score.objects.filter(application=application, stage=stage, scorer=by)
        }
        changed = False
        for item in scores:
            before = mine.get(item.criterion)
            if before is not None and (before.score, before.note) == (item.score, item.note):
                continue  # the same again: nothing changes, nothing is recorded
            changed = True
            Score.objects.update_or_create(
                application=application,
                criterion_id=item.criterion,
                stage=stage,
                scorer=by,
                defaults={"score": item.score, "note": item.note},
            )
        if changed:
            _reopen_agreement(application, stage)


def _reopen_agreement(application: Application, stage: str) -> None:
    """A score given or changed after the stage's scores were agreed: the agreement is marked
    out of date (it stays in the record, but supports no offer until agreed again) and the
    chair is told once, after commit."""
    reopened = AgreedAssessment.objects.filter(
        application=application, stage=stage, out_of_date=False
    ).update(out_of_date=True)
    if reopened:
        transaction.on_commit(lambda: tasks.send_agreement_reopened.delay(application.pk, stage))


def agreed_scores_set(
    *, application_id: Any, by: User, stage: str, scores: Sequence[ScoreInput], note: str = ""
) -> AgreedAssessment:
    """Record the moderated, agreed scores (insert or replace, criterion by criterion)."""
    with transaction.atomic(), acting_as(by):
        application = locked(application_id)
        if not rules.has_perm("recruitment.agree_scores", by, application):
            raise ActionForbidden("Only the hiring manager and HR agree scores.")
        _check_scores(application, stage, scores)
        agreed, _ = AgreedAssessment.objects.update_or_create(
            application=application,
            stage=stage,
            defaults={"agreed_by": by, "note": note, "out_of_date": False},
        )
        for item in scores:
            AgreedScore.objects.update_or_create(
                assessment=agreed, criterion_id=item.criterion, defaults={"score": item.score}
            )
    return agreed
