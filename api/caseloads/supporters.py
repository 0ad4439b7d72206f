"""Supporters' profiles and workload in the API."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api.caseloads.serializers import (
    SupporterSerializer,
    SupporterUpdateSerializer,
    WorkloadSerializer,
)
from api.params import month_param
from api.permissions import signed_in
from caseloads import services, workload
from caseloads.models import (
    SupporterProfile,
)


class SupporterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Supporter profiles: the coordinator sees the supporters within reach, a supporter their own. The id
    is the supporter's user id (as used in ``allocate``). PUT replaces the profile (the supporter
    themself or the coordinator)."""

    serializer_class = SupporterSerializer
    lookup_field = "user"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9]{1,18}"  # beyond 64-bit ids the database would overflow; 404 instead

    def get_queryset(self) -> QuerySet[SupporterProfile]:
        user = self.request.user
        own = (
            SupporterProfile.objects.filter(user=user)
            if isinstance(user, User)
            else SupporterProfile.objects.none()
        )
        qs = services.supporters_for(user) | own
        return qs.select_related("user").order_by("user__last_name", "user__first_name", "id")

    @extend_schema(
        summary="Replace a supporter profile",
        request=SupporterUpdateSerializer,
        responses={200: SupporterSerializer},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        profile = self.get_object()
        data = SupporterUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.save_profile(signed_in(request), profile.user, **data.validated_data)
        return Response(SupporterSerializer(profile).data)

    @extend_schema(
        summary="A supporter's workload in a month",
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; default: the current month.")],
        responses={200: WorkloadSerializer},
    )
    @action(detail=True, methods=["get"])
    def workload(self, request: Request, id: str | None = None) -> Response:
        profile = self.get_object()
        month = month_param(request) or timezone.localdate()
        start, end = workload.month_bounds(month)
        load = workload.load_of(profile)
        worked = workload.worked([profile.user_id], start, end).get(profile.user_id, workload.Worked())
        return Response(
            WorkloadSerializer(
                {
                    "supporter": profile.user_id,
                    "month": start,
                    "contract_hours": load.contract,
                    "committed_hours": load.committed,
                    "free_hours": load.free,
                    "visit_minutes": worked.visit_minutes,
                    "preparation_minutes": worked.preparation_minutes,
                    "travel_minutes": worked.travel_minutes,
                    "worked_hours": worked.hours,
                }
            ).data
        )
