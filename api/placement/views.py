"""Viewsets for the newcomer register. Querysets come from ``placement.queries`` (a wrong id answers 404);
every write calls one verb, whose domain error becomes the one JSON error shape (``api/errors.py``). The
default permission classes (authentication, second factor) stay in force: no viewset sets its own."""

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import Organisation
from api.permissions import signed_in
from api.placement import serializers as s
from api.schema import conflict
from core.errors import NotFound
from placement import queries, services
from placement.models import Group, Placement, PlacementRun, Report


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Newcomer-class locations in the caller's reach, with their groups' capacity and coordinates."""

    serializer_class = s.LocationSerializer
    queryset = Organisation.objects.none()

    def get_queryset(self) -> QuerySet[Organisation]:
        return queries.locations_for(self.request.user).order_by("name")


class GroupViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Groups of a newcomer-class location: stage, age band, capacity and intake days. Capacity may not drop below the places taken."""

    serializer_class = s.GroupSerializer
    queryset = Group.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Group]:
        return queries.groups_for(self.request.user).order_by("pk")

    def perform_create(self, serializer: BaseSerializer[Group]) -> None:
        data = dict(serializer.validated_data)
        data.pop("active", None)
        serializer.instance = services.create_group(signed_in(self.request), **data)

    def perform_update(self, serializer: BaseSerializer[Group]) -> None:
        # UpdateModelMixin.update built the serializer on self.get_object(): the instance is that group.
        group = cast(Group, serializer.instance)
        data = {
            k: serializer.validated_data.get(k, getattr(group, k))
            for k in ("capacity", "age_min", "age_max", "intake_days", "active")
        }
        serializer.instance = services.update_group(signed_in(self.request), group, **data)


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reports of newcomer children by schools, with eligibility and its reason. Parents' contact is shown to the placement officer and the child's newcomer-class staff only."""

    serializer_class = s.ReportSerializer
    queryset = Report.objects.none()

    def get_queryset(self) -> QuerySet[Report]:
        return (
            queries.reports_for(self.request.user)
            .filter(anonymised_at__isnull=True)
            .prefetch_related("siblings")
            .order_by("pk")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = queries.report_or_404(request.user, kwargs["pk"], "api.placement.report")
        return Response(self.get_serializer(report).data)

    def perform_create(self, serializer: BaseSerializer[Report]) -> None:
        serializer.instance = services.file_report(signed_in(self.request), **serializer.validated_data)

    @extend_schema(
        summary="Place a child by hand",
        request=s.PlaceByHandSerializer,
        responses={200: s.PlacementSerializer, **conflict("group_full", "not_waiting", "already_placed")},
    )
    @action(detail=True, methods=["post"])
    def place(self, request: Request, pk: str | None = None) -> Response:
        """Give a waiting child a place in a group chosen by hand; the group row is locked first."""
        report = queries.report_or_404(request.user, self.kwargs["pk"], "api.placement.place")
        body = s.PlaceByHandSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        group = queries.groups_for(request.user).filter(pk=body.validated_data["group"]).first()
        if group is None:
            raise NotFound(field="group")
        placement = services.place_by_hand(signed_in(request), report, group)
        return Response(s.PlacementSerializer(placement).data)


class RunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Placement runs: an exact proposal for the waiting list, computed in the background; poll a run for its progress."""

    serializer_class = s.RunSerializer
    queryset = PlacementRun.objects.none()

    def get_queryset(self) -> QuerySet[PlacementRun]:
        return queries.runs_for(self.request.user)

    def perform_create(self, serializer: BaseSerializer[PlacementRun]) -> None:
        serializer.instance = services.start_run(signed_in(self.request), serializer.validated_data["region"])


class PlacementViewSet(viewsets.ReadOnlyModelViewSet):
    """Places in newcomer-class groups: proposals, approvals, starts, progress and outflow."""

    serializer_class = s.PlacementSerializer
    queryset = Placement.objects.none()

    def get_queryset(self) -> QuerySet[Placement]:
        return queries.placements_for(self.request.user).order_by("pk")

    def _done(self, placement: Placement) -> Response:
        return Response(s.PlacementSerializer(placement).data)

    @extend_schema(
        summary="Approve a proposed place",
        request=None,
        responses={200: s.PlacementSerializer, **conflict("group_full", "not_proposed", "already_placed")},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a proposal: the group row is locked and the place taken only while one is free."""
        return self._done(services.approve(signed_in(request), self.get_object()))

    @extend_schema(
        summary="Reject a proposed place",
        request=None,
        responses={200: s.PlacementSerializer, **conflict("not_proposed")},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a proposal; the child keeps waiting and is proposed again in a later run."""
        return self._done(services.reject(signed_in(request), self.get_object()))

    @extend_schema(
        summary="Record the start in the group",
        request=s.StartSerializer,
        responses={200: s.PlacementSerializer, **conflict("not_approved")},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Record the day the child started in the group (report-to-start counts to this day)."""
        placement = self.get_object()
        body = s.StartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.start(signed_in(request), placement, body.validated_data["start_date"]))

    @extend_schema(
        summary="Record progress",
        request=s.ProgressSerializer,
        responses={200: s.PlacementSerializer, **conflict("not_started")},
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Record the child's Dutch level and a note (newcomer-class staff of the child's location)."""
        placement = self.get_object()
        body = s.ProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._done(
            services.record_progress(signed_in(request), placement, data["progress"], data["on"])
        )

    @extend_schema(
        summary="Plan the outflow",
        request=s.OutflowSerializer,
        responses={200: s.PlacementSerializer, **conflict("not_started")},
    )
    @action(detail=True, methods=["post"])
    def outflow(self, request: Request, pk: str | None = None) -> Response:
        """Plan the move to a regular school: date, advised grade and receiving school."""
        placement = self.get_object()
        body = s.OutflowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.plan_outflow(signed_in(request), placement, **body.validated_data))

    @extend_schema(
        summary="Confirm the outflow",
        request=None,
        responses={200: s.PlacementSerializer, **conflict("not_planned")},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the planned outflow: the pupil record is written for buddy matching, an aftercare request
        goes to the support service, and the place is freed."""
        return self._done(services.confirm_outflow(signed_in(request), self.get_object()))
