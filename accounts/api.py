"""Accounts API: register, token, me, staff users."""

from typing import Any

import rules
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import LoginLockedOut, token_issued
from accounts.models import STAFF_ROLES, Role, User
from accounts.services import user_create
from kernel.api import JSONInput, acting_user
from kernel.errors import ActionForbidden


class UserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "role"]


class StaffUserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role"]


class RegisterInput(JSONInput):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200)


class RegisterView(APIView):
    """Create a candidate account. Staff accounts are made with `manage.py add_user`."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data, role=Role.CANDIDATE)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenInput(JSONInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=TokenInput,
        responses={200: inline_serializer("TokenOutput", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        TokenInput(data=request.data).is_valid(raise_exception=True)
        data = AuthTokenSerializer(data=request.data, context={"request": request})
        # django-axes marks the request when this (username, IP) is locked out: 429, not 400.
        if not data.is_valid() and getattr(request, "axes_locked_out", False):
            raise LoginLockedOut(request, data.initial_data)
        data.is_valid(raise_exception=True)
        token_issued(request, data.validated_data["user"])  # clears the failed attempts
        token, _ = Token.objects.get_or_create(user=data.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses={200: UserOutput})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(acting_user(request)).data)


class StaffRoleFilter(serializers.Serializer[dict[str, Any]]):
    role = serializers.ChoiceField(choices=sorted(STAFF_ROLES), required=False)


class StaffUserList(generics.ListAPIView[User]):
    """Staff users, to fill a vacancy's hiring manager and panel (hr, hiring managers)."""

    serializer_class = StaffUserOutput

    queryset = User.objects.none()

    def get_queryset(self) -> QuerySet[User]:
        params = StaffRoleFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        users = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
            "full_name", "id"
        )
        if role := params.validated_data.get("role"):
            users = users.filter(role=role)
        return users

    @extend_schema(parameters=[StaffRoleFilter])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not rules.has_perm("accounts.list_staff", request.user):
            raise ActionForbidden("Only HR and hiring managers can list staff.")
        return super().get(request, *args, **kwargs)
