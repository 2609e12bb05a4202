"""The privacy endpoints: the tribunal decision record (HR) and subject access (a person's
own data)."""

from __future__ import annotations

import logging

import rules
from django.http import HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api import CSVRenderer, acting_user, streamed_csv
from kernel.errors import ActionForbidden
from recruitment.privacy import decision_record, subject_access
from vacancies.models import Vacancy

logger = logging.getLogger(__name__)


class DecisionRecordView(APIView):
    """A campaign's complete decision record in one file (HR only): the vacancy's rules,
    each application's scores, agreed scores, score history, transitions with reasons,
    declarations and offer decision, and the legal holds placed and released. Never
    equality answers. JSON by default; ``?format=csv`` gives one row an application. Both
    are streamed a batch of applications at a time, so a campaign of any size downloads in
    constant memory. Every download is logged with who asked."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", enum=["json", "csv"], default="json")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        user = acting_user(request)
        vacancy = get_object_or_404(Vacancy.objects.visible_to(user), pk=pk)
        if not rules.has_perm("recruitment.export_decision_record", user, vacancy):
            raise ActionForbidden("Only HR downloads a campaign's decision record.")
        as_csv = request.accepted_renderer.format == "csv"
        logger.info(
            "decision record of vacancy %s downloaded by user %s (%s)",
            vacancy.pk,
            user.pk,
            "csv" if as_csv else "json",
        )
        if as_csv:
            return streamed_csv(
                decision_record.decision_record_rows(vacancy),
                f"decision-record-{vacancy.reference}.csv",
            )
        response = StreamingHttpResponse(
            (piece.encode() for piece in decision_record.decision_record_json(vacancy, by=user)),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="decision-record-{vacancy.reference}.json"'
        )
        return response


class SubjectAccessView(APIView):
    """Everything the service holds about you (UK GDPR Art. 15), as a JSON download: your
    account and, for each application, what you sent, your declarations, your equality
    answers, your adjustment requests, the panel's scores and notes, and the history."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="auth_me_data")
    def get(self, request: Request) -> Response:
        response = Response(subject_access.personal_data(acting_user(request)))
        response["Content-Disposition"] = 'attachment; filename="your-recruitment-data.json"'
        response["Cache-Control"] = "no-store"
        return response
