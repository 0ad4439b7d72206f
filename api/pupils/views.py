"""Viewsets of the pupils API: the pupil records of buddy matching. Listing or reading them writes the
access log."""

from typing import Any, cast

from django.db.models import Q, QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.serializers import BaseSerializer

from accounts import scoping
from accounts.roles import Capability
from api.matching.views import ImportMixin, acting_user
from api.params import int_param
from api.pupils.serializers import PupilSerializer
from matching.models import (
    ImportKind,
    MatchStatus,
)
from pupils import access
from pupils import services as pupil_services
from pupils.languages import LANGUAGES
from pupils.models import AccessAction, Pupil

PUPIL_FILTERS = [
    OpenApiParameter("school", int),
    OpenApiParameter("grade", int),
    OpenApiParameter("language", str, description="ISO 639 code, home or other language"),
    OpenApiParameter("waiting", bool, description="only pupils without an approved match"),
]


@extend_schema_view(list=extend_schema(parameters=PUPIL_FILTERS))
class PupilViewSet(ImportMixin, viewsets.ModelViewSet):
    serializer_class = PupilSerializer
    import_kind = ImportKind.PUPILS

    def get_queryset(self) -> QuerySet[Pupil]:
        qs = scoping.scope(
            Pupil.objects.filter(anonymised_at__isnull=True).prefetch_related("interests"),
            self.request.user,
            Capability.VIEW_PUPILS,
            field="school",
        )
        params = self.request.query_params
        if (school := int_param(self.request, "school")) is not None:
            qs = qs.filter(school_id=school)
        if (grade := int_param(self.request, "grade")) is not None:
            qs = qs.filter(grade=grade)
        if (language := params.get("language", "").strip().lower()) in LANGUAGES:
            code = f'"{language}"'  # JSON lists: match the quoted code, on SQLite and PostgreSQL
            qs = qs.filter(Q(home_languages__icontains=code) | Q(other_languages__icontains=code))
        if params.get("waiting") in {"1", "true"}:
            qs = qs.exclude(matches__status=MatchStatus.APPROVED)
        return qs.order_by("transition_date", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        access.record(request.user, [p.pk for p in page], AccessAction.LIST, context="api.pupils")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pupil = self.get_object()
        access.record(request.user, [pupil.pk], AccessAction.VIEW, context="api.pupil")
        return Response(self.get_serializer(pupil).data)

    def perform_create(self, serializer: BaseSerializer[Pupil]) -> None:
        serializer.instance = pupil_services.create_pupil(
            acting_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Pupil]) -> None:
        # UpdateModelMixin.update built the serializer on self.get_object(): it has its instance.
        pupil = cast(Pupil, serializer.instance)
        serializer.instance = pupil_services.update_pupil(
            acting_user(self.request), pupil, **serializer.validated_data
        )

    def perform_destroy(self, instance: Pupil) -> None:
        pupil_services.erase_pupil(acting_user(self.request), instance.pk, reason="api")


def register(router: BaseRouter) -> None:
    """Add this domain's viewsets to the v1 router."""
    router.register("pupils", PupilViewSet, basename="pupil")
