"""The scoring answers of the API: scores given, scores agreed and their history."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from kernel.api import JSONInput
from recruitment.models import (
    AgreedAssessment,
    Score,
    ScoreStage,
)
from recruitment.scoring import assessment, selectors


class ScoreItemInput(JSONInput):
    criterion = serializers.IntegerField(min_value=1, max_value=2**53)
    score = serializers.IntegerField(min_value=0, max_value=4)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ScoresInput(JSONInput):
    stage = serializers.ChoiceField(choices=ScoreStage.choices)
    scores = serializers.ListField(child=ScoreItemInput(), min_length=1, max_length=50)


class AgreedScoreItemInput(JSONInput):
    criterion = serializers.IntegerField(min_value=1, max_value=2**53)
    score = serializers.IntegerField(min_value=0, max_value=4)


class AgreedScoresInput(JSONInput):
    stage = serializers.ChoiceField(choices=ScoreStage.choices)
    scores = serializers.ListField(child=AgreedScoreItemInput(), min_length=1, max_length=50)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class StageQuery(serializers.Serializer[dict[str, Any]]):
    stage = serializers.ChoiceField(choices=ScoreStage.choices, default=ScoreStage.SHORTLISTING)


class ScoreChangeOutput(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    stage = serializers.ChoiceField(choices=ScoreStage.values)
    criterion = serializers.CharField()
    scorer = serializers.CharField()
    before = serializers.IntegerField(allow_null=True, help_text="Null: the first score.")
    after = serializers.IntegerField(allow_null=True)
    note_changed = serializers.BooleanField()
    after_agreement = serializers.BooleanField()


class AgreedOutput(serializers.ModelSerializer[AgreedAssessment]):
    scores = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = AgreedAssessment
        fields = ["scores", "total", "note", "agreed_at", "out_of_date"]

    def get_scores(self, agreed: AgreedAssessment) -> list[dict[str, int]]:
        return [{"criterion": s.criterion_id, "score": s.score} for s in agreed.scores.all()]

    def get_total(self, agreed: AgreedAssessment) -> int | None:
        return assessment.agreed_total(agreed.application, agreed.stage)


class ScoreOutput(serializers.ModelSerializer[Score]):
    class Meta:
        model = Score
        fields = ["criterion", "score", "note", "updated_at"]


class OtherScoreOutput(ScoreOutput):
    scorer = serializers.SerializerMethodField()

    class Meta(ScoreOutput.Meta):
        fields = ["scorer", *ScoreOutput.Meta.fields]

    @extend_schema_field(
        inline_serializer(
            "Scorer", {"id": serializers.IntegerField(), "full_name": serializers.CharField()}
        )
    )
    def get_scorer(self, score: Score) -> dict[str, Any]:
        return {"id": score.scorer_id, "full_name": score.scorer.full_name}


class ScoresOutput(serializers.Serializer[Any]):
    stage = serializers.CharField()
    mine = ScoreOutput(many=True)
    others = OtherScoreOutput(many=True, allow_null=True)
    others_hidden = serializers.SerializerMethodField()
    agreed = AgreedOutput(allow_null=True)

    def get_others_hidden(self, view: selectors.ScoresView) -> bool:
        return view.others is None
