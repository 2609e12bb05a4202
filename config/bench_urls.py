"""The production URLs plus ``/bench/floor/``, used only by the load test's gunicorn
(config/bench_settings.py): a bare DRF view, no authentication, no database, to measure what
the framework and the server cost on their own."""

from typing import cast

from django.urls import URLPattern, URLResolver, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as production_urlpatterns


class FloorView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/floor/", FloorView.as_view(), name="bench-floor"),
    *cast(list[URLPattern | URLResolver], production_urlpatterns),
]
