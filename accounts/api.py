"""Accounts API: register, token, me, staff users."""

from typing import Any

import rules
from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import generics, permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import second_factor, services, throttle
from accounts.forms import USERNAME
from accounts.lockout import LoginLockedOut, token_issued
from accounts.models import STAFF_ROLES, User
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
    username = serializers.RegexField(
        USERNAME,
        max_length=150,
        error_messages={
            "invalid": "Use only letters, numbers and . + - _ (not an e-mail address)."
        },
    )
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200)


class RegisterView(APIView):
    """Create a candidate account (its address unconfirmed: a link to confirm it is sent, or,
    if another account has confirmed the address, a note to its owner; the answer is the
    same). Throttled per client. Staff accounts are invited by HR."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        if wait := throttle.attempt(request, "register"):
            raise throttle.TooManyAttempts(wait)
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.candidate_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class PasswordResetInput(JSONInput):
    email = serializers.EmailField(max_length=254)


class PasswordResetView(APIView):
    """Ask for a link to reset a forgotten password: 202 with the same words whether or not
    the address has an account. Throttled per client."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=PasswordResetInput,
        responses={
            202: inline_serializer("PasswordResetOutput", {"detail": serializers.CharField()})
        },
    )
    def post(self, request: Request) -> Response:
        if wait := throttle.attempt(request, "reset"):
            raise throttle.TooManyAttempts(wait)
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response(
            {"detail": "If this is the email address of an account, we have sent a link to it "
                       "to reset the password."},
            status=status.HTTP_202_ACCEPTED,
        )  # fmt: skip


class TokenInput(JSONInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^\d{6}\Z",
        required=False,
        help_text="Staff with a second factor (required in production): the 6-digit code "
        "their authenticator app shows now.",
    )


class TokenView(APIView):
    """A new API token for a username and password: stored as a digest, it expires after
    ``API_TOKEN_DAYS`` (``expiry``) and ends with ``/auth/logout/``."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=TokenInput,
        responses={
            200: inline_serializer(
                "TokenOutput",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        given = TokenInput(data=request.data)
        given.is_valid(raise_exception=True)
        credentials = {k: given.validated_data[k] for k in ("username", "password")}
        data = AuthTokenSerializer(data=credentials, context={"request": request})
        # django-axes marks the request when this (username, IP) is locked out: 429, not 400.
        if not data.is_valid() and getattr(request, "axes_locked_out", False):
            raise LoginLockedOut(request, data.initial_data)
        data.is_valid(raise_exception=True)
        user = data.validated_data["user"]
        if settings.STAFF_SECOND_FACTOR and user.is_recruitment_staff:
            device = second_factor.confirmed_device(user)
            if device is None:
                raise ActionForbidden(
                    "Set up your second factor on the web first (sign in at /accounts/login/)."
                )
            code = given.validated_data.get("otp")
            if code is None:
                raise ValidationError(
                    {"otp": ["Enter the 6-digit code your authenticator app shows now."]}
                )
            if not device.verify_token(code):
                raise ValidationError(
                    {"otp": ["The code is not right, or was used already: send the code the "
                             "app shows now."]}
                )  # fmt: skip
        token_issued(request, user)  # clears the failed attempts
        instance, token = AuthToken.objects.create(user, expiry=knox_settings.TOKEN_TTL)
        return Response({"token": token, "expiry": instance.expiry})


class LogoutView(APIView):
    """Revoke the token this request was made with (204). ``/auth/logout-all/`` revokes
    every token of the caller's."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        AuthToken.objects.filter(user=acting_user(request)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


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
