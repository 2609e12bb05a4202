"""The API of staff network reviewers' grants (HR only): list and grant
(``/network-reviewers/``), withdraw (``/network-reviewers/{id}/withdraw/``) and what the
reviewer read under a grant (``/network-reviewers/{id}/views/``). The same services as HR's
pages (``accounts.services``); an id is a grant's."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import ReviewerGrant, StatisticsView, User
from kernel.api import JSONInput, acting_user
from kernel.errors import ActionForbidden

STATUSES = ["live", "expired", "withdrawn"]


def _hr(request: Request) -> User:
    user = acting_user(request)
    if not rules.has_perm("accounts.manage_staff", user):
        raise ActionForbidden("Only HR manages network reviewers.")
    return user


class PersonOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email"]


class ByOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class GrantOutput(serializers.ModelSerializer[ReviewerGrant]):
    user = PersonOutput()
    granted_by = ByOutput()
    withdrawn_by = ByOutput(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES, help_text="live, expired or withdrawn.")
    last_day = serializers.DateField(help_text="The last day of access granted.")

    class Meta:
        model = ReviewerGrant
        fields = [
            "id",
            "user",
            "network",
            "status",
            "granted_by",
            "granted_at",
            "last_day",
            "expires_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_reason",
        ]


class GrantInput(JSONInput):
    full_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Required for a new account; ignored when the address is a network "
        "reviewer's already (a renewal).",
    )
    email = serializers.CharField(max_length=254)
    network = serializers.CharField(
        max_length=200,
        allow_blank=True,
        help_text="The staff network, e.g. Disabled staff network.",
    )
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day of access: in the future, at most NETWORK_REVIEWER_MAX_DAYS "
        "(365) days away; default NETWORK_REVIEWER_DEFAULT_DAYS (90) days from today.",
    )


class WithdrawInput(JSONInput):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class StatusQuery(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=STATUSES, required=False)


class ViewOutput(serializers.ModelSerializer[StatisticsView]):
    what_label = serializers.CharField(source="get_what_display")

    class Meta:
        model = StatisticsView
        fields = ["id", "what", "what_label", "params", "at"]


class GrantList(generics.ListAPIView[ReviewerGrant]):
    """Network reviewers' grants, newest first (``status``: live, expired or withdrawn); a
    POST grants access (a new account invited, or a reviewer's renewed)."""

    serializer_class = GrantOutput
    queryset = ReviewerGrant.objects.none()

    def get_queryset(self) -> QuerySet[ReviewerGrant]:
        query = StatusQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        grants = ReviewerGrant.objects.select_related("user", "granted_by", "withdrawn_by")
        wanted = query.validated_data.get("status")
        if wanted:
            grants = getattr(grants, wanted)()
        return grants.order_by("-granted_at", "-pk")

    @extend_schema(parameters=[StatusQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _hr(request)
        return super().get(request, *args, **kwargs)

    @extend_schema(request=GrantInput, responses={201: GrantOutput})
    def post(self, request: Request) -> Response:
        by = _hr(request)
        data = GrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        grant = services.reviewer_grant(
            by=by,
            full_name=given.get("full_name", ""),
            email=given["email"],
            network=given["network"],
            expires_on=given.get("expires_on"),
        )
        return Response(GrantOutput(grant).data, status=status.HTTP_201_CREATED)


class GrantWithdraw(APIView):
    """End a live grant now, with the reason (409 ``invalid_transition`` when it is withdrawn
    or expired already)."""

    may_conflict = True

    @extend_schema(request=WithdrawInput, responses={200: GrantOutput})
    def post(self, request: Request, pk: int) -> Response:
        by = _hr(request)
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.reviewer_withdraw(by=by, grant_id=pk, reason=data.validated_data["reason"])
        return Response(GrantOutput(grant).data)


class GrantViews(generics.ListAPIView[StatisticsView]):
    """What the reviewer read under this grant, newest first: each page, API answer or PDF,
    with the selection asked for (``params``: period, unit, characteristic, ...)."""

    serializer_class = ViewOutput
    queryset = StatisticsView.objects.none()

    def get_queryset(self) -> QuerySet[StatisticsView]:
        grant = get_object_or_404(ReviewerGrant, pk=self.kwargs["pk"])
        return StatisticsView.objects.filter(grant=grant).order_by("-at", "-pk")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _hr(request)
        return super().get(request, *args, **kwargs)
