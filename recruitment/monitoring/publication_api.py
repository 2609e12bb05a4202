"""The API of comments on a reporting year's draft equality report
(``/monitoring/publication/{year}/comments/``): a live staff network reviewer lists their own
and comments (201; 409 ``already_published`` once published); HR lists every comment of the
year, those still to answer first, and answers each once (``.../{id}/answer/``; a second
answer 409 ``invalid_transition``). Anyone else: 403. The same functions as the year's page
(``comments.py``)."""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.reviewer_api import ByOutput
from kernel.api import JSONInput, acting_user
from kernel.errors import ActionForbidden
from recruitment.models import PackComment
from recruitment.monitoring import comments
from recruitment.monitoring.access import released_statistics_reader
from recruitment.monitoring.publication import year_of


class CommentOutput(serializers.ModelSerializer[PackComment]):
    author = ByOutput()
    answered_by = ByOutput(allow_null=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = PackComment
        fields = ["id", "year", "author", "body", "created_at", "answer", "answered_by",
                  "answered_at"]  # fmt: skip

    def get_answer(self, comment: PackComment) -> str | None:
        """HR's answer, or null until answered."""
        return comment.answer if comment.answered_at is not None else None


class CommentInput(JSONInput):
    body = serializers.CharField(max_length=comments.LONGEST, allow_blank=True)


class AnswerInput(JSONInput):
    answer = serializers.CharField(max_length=comments.LONGEST, allow_blank=True)


def _may(user: User, permission: str, refused: str) -> None:
    """Refused before the input is read (the service asks the same rule again)."""
    if not rules.has_perm(permission, user):
        raise ActionForbidden(refused)


def _year_key(year: str) -> str:
    """The year in the path: a reporting year, else 404 (the path names no report)."""
    try:
        return year_of(year).key
    except ValidationError:
        raise Http404 from None


class CommentList(generics.ListAPIView[PackComment]):
    """The comments on a year's report the caller reads: a network reviewer's own, or (HR)
    every one, unanswered first. A POST is a live network reviewer's comment on the draft."""

    serializer_class = CommentOutput
    queryset = PackComment.objects.none()
    may_conflict = True

    def get_queryset(self) -> QuerySet[PackComment]:
        return comments.comments_for(acting_user(self.request), _year_key(self.kwargs["year"]))

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        released_statistics_reader(request, api=True)
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CommentInput, responses={201: CommentOutput})
    def post(self, request: Request, year: str) -> Response:
        reader = released_statistics_reader(request, api=True)
        _may(
            reader.user, "recruitment.comment_on_report", "Only a staff network reviewer comments."
        )
        key = _year_key(year)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comments.comment_add(by=reader.user, year=key, body=data.validated_data["body"])
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class CommentAnswer(APIView):
    """HR's one answer to a comment (409 ``invalid_transition`` once answered)."""

    may_conflict = True

    @extend_schema(request=AnswerInput, responses={200: CommentOutput})
    def post(self, request: Request, year: str, pk: int) -> Response:
        reader = released_statistics_reader(request, api=True)
        _may(reader.user, "recruitment.answer_report_comment", "Only HR answers comments.")
        key = _year_key(year)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comments.comment_answer(
            by=reader.user, year=key, comment_id=pk, answer=data.validated_data["answer"]
        )
        return Response(CommentOutput(comment).data)
