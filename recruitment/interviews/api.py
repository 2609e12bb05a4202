"""Interview slots in the API: the chair and HR publish and remove a vacancy's slots and
see them with their bookings (the panel sees them too); a candidate sees the slots offered
to them, shaped by their agreed adjustments, and books one with the application's
``book_interview`` action."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.api import JSONInput, acting_user
from kernel.errors import ActionForbidden
from recruitment.applications.services import INTERVIEW_MINUTES
from recruitment.interviews import booking, services
from recruitment.interviews.models import InterviewBooking, InterviewSlot
from recruitment.models import Application, InterviewFormat
from vacancies.models import Vacancy


class SlotRunInput(JSONInput):
    starts_at = serializers.DateTimeField(help_text="When the first slot starts.")
    minutes = serializers.IntegerField(
        min_value=INTERVIEW_MINUTES[0], max_value=INTERVIEW_MINUTES[1]
    )
    format = serializers.ChoiceField(choices=InterviewFormat.choices)
    place = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="",
        help_text="The address and room, the video link, or how the call is made.",
    )  # fmt: skip
    accessible = serializers.BooleanField(
        required=False, default=False, help_text="In person only: a step-free, accessible venue."
    )
    panel = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=20,
        help_text="User ids: the vacancy's chair and panel members who sit on these slots.",
    )  # fmt: skip
    count = serializers.IntegerField(min_value=1, max_value=services.MAX_RUN, default=1)
    gap = serializers.IntegerField(
        min_value=0, max_value=services.MAX_GAP, default=0,
        help_text="Minutes between one slot's end and the next one's start.",
    )  # fmt: skip


class BookingOutput(serializers.ModelSerializer[InterviewBooking]):
    application_reference = serializers.CharField(source="application.reference")

    class Meta:
        model = InterviewBooking
        fields = ["application", "application_reference", "minutes", "ends_at", "booked_at"]


class SlotOutput(serializers.ModelSerializer[InterviewSlot]):
    panel = serializers.SerializerMethodField()
    booking = serializers.SerializerMethodField()

    class Meta:
        model = InterviewSlot
        fields = ["id", "starts_at", "minutes", "format", "place", "accessible", "panel", "booking"]

    def get_panel(self, slot: InterviewSlot) -> list[int]:
        return sorted(p.pk for p in slot.panel.all())

    @extend_schema(responses=BookingOutput(allow_null=True))
    def get_booking(self, slot: InterviewSlot) -> dict[str, Any] | None:
        live = slot.live_bookings  # type: ignore[attr-defined]
        return BookingOutput(live[0]).data if live else None


class OfferedSlotOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="slot.pk")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    minutes = serializers.IntegerField(help_text="With the candidate's agreed extra time.")
    ends_at = serializers.DateTimeField()
    format = serializers.CharField(source="slot.format")
    place = serializers.CharField(source="slot.place")
    accessible = serializers.BooleanField(source="slot.accessible")


class OfferedSlotsOutput(serializers.Serializer[Any]):
    slots = OfferedSlotOutput(many=True)
    shaped_by = serializers.ListField(
        child=serializers.CharField(), help_text="How the agreed adjustments shaped the choice."
    )
    access_to_work = serializers.BooleanField(
        help_text="Communication support is agreed: apply to Access to Work before the interview."
    )
    booked_slot = serializers.IntegerField(allow_null=True)


def slots_of(vacancy: Vacancy) -> QuerySet[InterviewSlot]:
    return (
        InterviewSlot.objects.published()
        .filter(vacancy=vacancy)
        .prefetch_related(
            "panel",
            Prefetch(
                "bookings",
                InterviewBooking.objects.live().select_related("application"),
                to_attr="live_bookings",
            ),
        )
        .order_by("starts_at", "pk")
    )


class VacancySlotsView(generics.GenericAPIView[InterviewSlot]):
    """A vacancy's interview slots, in time order, with who has booked each (by reference):
    the vacancy's chair, panel and HR (anyone else 404). The chair and HR publish more."""

    serializer_class = SlotOutput
    queryset = InterviewSlot.objects.none()  # the schema's model; the rows are ``slots_of``

    def vacancy(self) -> Vacancy:
        vacancy = get_object_or_404(
            Vacancy.objects.worked_on_by(self.request.user), pk=self.kwargs["pk"]
        )
        return vacancy

    @extend_schema(
        operation_id="vacancies_interview_slots_list", responses={200: SlotOutput(many=True)}
    )
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(slots_of(self.vacancy()))
        return self.get_paginated_response(SlotOutput(page, many=True).data)

    @extend_schema(
        operation_id="vacancies_interview_slots_create",
        request=SlotRunInput,
        responses={201: SlotOutput(many=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        vacancy = self.vacancy()
        data = SlotRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.slots_publish(
            vacancy_id=vacancy.pk,
            by=acting_user(request),
            run=services.SlotRun(**data.validated_data),
        )
        slots = slots_of(vacancy).filter(pk__in=[s.pk for s in made])
        return Response(SlotOutput(slots, many=True).data, status=status.HTTP_201_CREATED)


class SlotView(generics.GenericAPIView[InterviewSlot]):
    """Remove a slot nobody holds (the chair and HR)."""

    serializer_class = SlotOutput

    def get_queryset(self) -> QuerySet[InterviewSlot]:
        return InterviewSlot.objects.published().filter(
            vacancy__in=Vacancy.objects.worked_on_by(self.request.user)
        )

    @extend_schema(operation_id="interview_slots_destroy", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        slot = self.get_object()
        services.slot_remove(slot_id=slot.pk, by=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class OfferedSlotsView(generics.GenericAPIView[Application]):
    """The slots this candidate may book now (their own application; anyone else's 404),
    each lengthened by any agreed extra time, and how their adjustments shaped the choice."""

    serializer_class = OfferedSlotsOutput

    def get_queryset(self) -> QuerySet[Application]:
        return Application.objects.visible_to(self.request.user).select_related("vacancy")

    @extend_schema(operation_id="applications_interview_slots", responses={200: OfferedSlotsOutput})
    def get(self, request: Request, pk: int) -> Response:
        application = self.get_object()
        if not rules.has_perm("recruitment.book_interview", request.user, application):
            raise ActionForbidden("Only the candidate books their interview.")
        return Response(OfferedSlotsOutput(booking.offer_for(application)).data)
