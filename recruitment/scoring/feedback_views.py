"""The candidate's "Feedback on your application" page and ``GET
/api/v1/applications/{id}/feedback/``: one computation (``feedback.feedback_for``) for both.
Only the candidate sees it: to anyone else, staff included, it does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api import acting_user
from kernel.errors import DomainError
from recruitment.applications.forms import SCORE_MEANINGS
from recruitment.monitoring import disclosure
from recruitment.scoring import feedback

# --- The page ----------------------------------------------------------------------------

#: The chart's geometry (SVG user units): score labels, bars, then the figure and "your
#: score" after each bar, wide enough that no label is cut off.
LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 200, 300, 200
ROW, BAR, TOP = 30, 20, 10


def _chart(criterion: feedback.CriterionFeedback) -> dict[str, Any] | None:
    """Bars from the released counts only (a withheld count has no bar)."""
    if criterion.cells is None:
        return None
    longest = max((cell.count or 0 for cell in criterion.cells), default=0) or 1
    bars = []
    for i, cell in enumerate(criterion.cells):
        value = "not shown" if cell.count is None else f"about {cell.count:,}"
        width = round(BAR_WIDTH * (cell.count or 0) / longest)
        bars.append(
            {
                "y": TOP + i * ROW,
                "text_y": TOP + i * ROW + 15,
                "width": width,
                "value_x": LABEL_WIDTH + width + 8,
                "label": f"{cell.score}: {cell.meaning}",
                "value": value + (" (your score)" if cell.yours else ""),
                "yours": cell.yours,
            }
        )
    return {
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": 2 * TOP + len(bars) * ROW,
        "label_width": LABEL_WIDTH,
        "bar": BAR,
        "bars": bars,
    }


@login_required
def feedback_page(request: HttpRequest, pk: int) -> HttpResponse:
    application = feedback.own_application(acting_user(request), pk)
    if application is None:
        raise Http404
    context: dict[str, Any] = {
        "application": application,
        "meanings": SCORE_MEANINGS.items(),
        "minimum": feedback.minimum_cohort(),
        "share_minimum": disclosure.minimum(),
    }
    try:
        given = feedback.feedback_for(application)
    except DomainError as exc:
        context |= {"refusal": exc.code, "detail": exc.detail}
    else:
        context |= {
            "feedback": given,
            "stages": [
                (
                    stage,
                    [
                        {"item": c, "chart": _chart(c), "ident": f"{s}-{i}"}
                        for i, c in enumerate(stage.criteria, 1)
                    ],
                )
                for s, stage in enumerate(given.stages, 1)
            ],
        }
    return render(request, "recruitment/feedback.html", context)


# --- The API -----------------------------------------------------------------------------


class CellOutput(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    meaning = serializers.CharField()
    count = serializers.IntegerField(
        allow_null=True, help_text="Adjusted (cell key method); null: below 10, not shown."
    )
    share = serializers.FloatField(
        allow_null=True,
        help_text="count / cohort_size, from released figures; null where either is under 20.",
    )
    yours = serializers.BooleanField(help_text="The candidate's own agreed score.")


class CriterionFeedbackOutput(serializers.Serializer[Any]):
    criterion = serializers.IntegerField(source="criterion.pk")
    text = serializers.CharField(source="criterion.text")
    kind = serializers.CharField(source="criterion.kind")
    score = serializers.IntegerField(allow_null=True, help_text="Your agreed score, 0 to 4.")
    meaning = serializers.CharField(help_text="What the score means; empty without one.")
    distribution = CellOutput(
        source="cells", many=True, allow_null=True, help_text="null: not shown (see withheld)."
    )
    withheld = serializers.CharField(help_text="Why the distribution is not shown, or empty.")
    summary = serializers.CharField()


class StageFeedbackOutput(serializers.Serializer[Any]):
    stage = serializers.CharField()
    heading = serializers.CharField()
    cohort_size = serializers.IntegerField(
        allow_null=True, help_text="Adjusted; null when the cohort is too small to show."
    )
    withheld = serializers.CharField()
    criteria = CriterionFeedbackOutput(many=True)


class FeedbackOutput(serializers.Serializer[Any]):
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference")
    stages = StageFeedbackOutput(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class FeedbackView(APIView):
    """The candidate's feedback from their agreed scores, beside the cohort's (adjusted)
    spread: 409 ``feedback_not_offered`` when the vacancy gives none, ``feedback_not_ready``
    when nothing can be shown yet; anyone but the candidate gets 404."""

    may_conflict = True

    @extend_schema(responses={200: FeedbackOutput}, operation_id="applications_feedback")
    def get(self, request: Request, pk: int) -> Response:
        application = feedback.own_application(acting_user(request), pk)
        if application is None:
            raise NotFound()
        return Response(FeedbackOutput(feedback.feedback_for(application)).data)
