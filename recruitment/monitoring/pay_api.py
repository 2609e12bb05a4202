"""Starting pay by group through the API (``GET /api/v1/monitoring/starting-pay/``, JSON or
CSV): the monitoring API's selection, permission and record of reads (``MonitoringView``),
the figures from recruitment/monitoring/pay.py."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import StatisticsView
from recruitment.monitoring import pay
from recruitment.monitoring.api import FORMAT, MonitoringQuery, MonitoringView, UnitOutput


class PayRowOutput(serializers.Serializer[Any]):
    group = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    appointed = serializers.IntegerField(
        allow_null=True, help_text="Appointees with a starting salary recorded; null below 10."
    )
    above_bottom = serializers.IntegerField(allow_null=True)
    above_bottom_share = serializers.FloatField(allow_null=True)
    median_position = serializers.FloatField(
        allow_null=True, help_text="0 is the bottom of the range, 1 the top."
    )
    median_step = serializers.IntegerField(allow_null=True)
    median_from_step = serializers.IntegerField(
        allow_null=True, help_text="Where the median is a span of steps: the step it is above."
    )
    median_words = serializers.CharField(allow_null=True)
    median_pounds = serializers.IntegerField(allow_null=True)
    gap_points = serializers.FloatField(
        allow_null=True, help_text="Points of the range below the reference group's median."
    )
    above_bottom_gap_points = serializers.FloatField(
        allow_null=True,
        help_text="Percentage points below the reference group's share above the bottom.",
    )


class StartingPayOutput(serializers.Serializer[Any]):
    characteristic = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = UnitOutput()
    reference = serializers.CharField()
    typical_range = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    rows = PayRowOutput(many=True)
    not_stated = PayRowOutput()
    all = PayRowOutput()
    minimum = serializers.IntegerField()
    withheld = serializers.CharField(allow_null=True)


class StartingPayView(MonitoringView):
    """Starting pay by group (recruitment/monitoring/pay.py): appointees with a salary
    recorded, the share above the bottom of the range, and the median's place in the range
    (in pounds for a grade band), all from released counts; ``null`` where withheld."""

    csv_name = "starting-pay"
    released_as = StatisticsView.What.STARTING_PAY

    @extend_schema(parameters=[MonitoringQuery, *FORMAT], responses={200: StartingPayOutput})
    def get(self, request: Request) -> Response:
        data = self.query(request)
        return Response(pay.pay_figures(data["characteristic"], data["selection"]))

    def csv_rows(self, data: Any) -> Any:
        return pay.csv_rows(data, self._symbol)
