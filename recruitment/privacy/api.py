"""The privacy endpoints: the tribunal decision record (HR) and subject access (a person's
own data)."""

from __future__ import annotations

import logging

import rules
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api import acting_user
from kernel.errors import ActionForbidden
from recruitment.privacy import decision_record, subject_access
from vacancies.models import Vacancy

logger = logging.getLogger(__name__)


class DecisionRecordView(APIView):
    """A campaign's complete decision record in one JSON file (HR only): the vacancy's
    rules, each application's scores, agreed scores, score history, transitions with
    reasons, declarations and offer decision, and the legal holds placed and released.
    Never equality answers. Every download is logged with who asked."""

    renderer_classes = [JSONRenderer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        vacancy = get_object_or_404(Vacancy.objects.visible_to(user), pk=pk)
        if not rules.has_perm("recruitment.export_decision_record", user, vacancy):
            raise ActionForbidden("Only HR downloads a campaign's decision record.")
        record = decision_record.decision_record(vacancy, by=user)
        logger.info("decision record of vacancy %s downloaded by user %s", vacancy.pk, user.pk)
        response = Response(record)
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
