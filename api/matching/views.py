"""Viewsets of the buddy-matching API: buddies, CSV imports, match runs, matches and check-ins.

Every queryset is scoped by reach (a wrong id answers 404); viewsets validate, call one service and map
its errors.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.serializers import BaseSerializer

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from api import examples
from api.matching.serializers import (
    BuddySerializer,
    BulkApproveResult,
    BulkApproveSerializer,
    CheckInSerializer,
    EndSerializer,
    FitSerializer,
    ImportErrorsSerializer,
    ImportFileSerializer,
    ImportJobSerializer,
    ImportResult,
    MatchRunSerializer,
    MatchSerializer,
    OutcomeSerializer,
    StartRunSerializer,
    SwapSerializer,
)
from api.params import int_param, pk_or_404
from api.permissions import capability, require
from api.schema import conflict
from core.errors import ServiceError
from matching import services
from matching.explanations import interest_names
from matching.models import (
    Buddy,
    BuddyKind,
    ImportJob,
    ImportKind,
    Match,
    MatchRun,
    MatchStatus,
)
from matching.services import followup, imports, review, runs
from pupils import access
from pupils.models import AccessAction

urlpatterns: list[object] = []


def acting_user(request: Request) -> User:
    """The signed-in user of a view whose ``permission_classes`` come from ``api.permissions.require``: its
    first default, ``IsAuthenticated``, has refused everyone else before the view runs."""
    return cast(User, request.user)


class ImportMixin:
    """Pupils and buddies alike: readable with VIEW_PUPILS, written and imported with MANAGE_PUPILS."""

    import_kind: str
    permission_classes: "Sequence[_PermissionClass]" = require(
        capability(
            Capability.MANAGE_PUPILS, actions={"create", "update", "partial_update", "destroy", "import_csv"}
        )
    )

    @extend_schema(
        summary="Import a CSV file",
        request={"multipart/form-data": ImportFileSerializer},
        responses={201: ImportResult, 202: ImportResult, 400: ImportErrorsSerializer},
        description="Import a CSV file (validated whole, imported all-or-nothing). Columns: see the template.",
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_csv(self, request: Request) -> Response:
        try:
            text = imports.read_upload(request.FILES.get("file"))
            outcome = imports.import_csv(acting_user(request), self.import_kind, text)
        except ServiceError as exc:
            rows = exc.rows if isinstance(exc, imports.ImportInvalid) else []
            return Response(
                {
                    "detail": exc.message,
                    "code": exc.code,
                    "fields": {exc.field or "file": [exc.message]},
                    "rows": [e.as_dict() for e in rows],
                },
                status=exc.status,
            )
        if outcome.job is not None:
            job = outcome.job
            return Response(
                {"created": 0, "job": job.pk, "status": job.status, "rows_total": job.rows_total},
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(
            {"created": outcome.created, "job": None, "status": "done", "rows_total": outcome.created},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("school", int), OpenApiParameter("kind", str, enum=BuddyKind.values)]
    )
)
class BuddyViewSet(ImportMixin, viewsets.ModelViewSet):
    serializer_class = BuddySerializer
    import_kind = ImportKind.BUDDIES

    def get_queryset(self) -> QuerySet[Buddy]:
        qs = scoping.scope(
            Buddy.objects.filter(anonymised_at__isnull=True).prefetch_related("interests"),
            self.request.user,
            Capability.VIEW_PUPILS,
            field="school",
        )
        if (school := int_param(self.request, "school")) is not None:
            qs = qs.filter(school_id=school)
        if (kind := self.request.query_params.get("kind")) in BuddyKind.values:
            qs = qs.filter(kind=kind)
        return qs.order_by("school_id", "first_name", "id")

    def perform_create(self, serializer: BaseSerializer[Buddy]) -> None:
        serializer.instance = services.create_buddy(acting_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Buddy]) -> None:
        # UpdateModelMixin.update built the serializer on self.get_object(): it has its instance.
        buddy = cast(Buddy, serializer.instance)
        serializer.instance = services.update_buddy(
            acting_user(self.request), buddy, **serializer.validated_data
        )

    def perform_destroy(self, instance: Buddy) -> None:
        services.delete_buddy(acting_user(self.request), instance)


class ImportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background CSV imports (large files): poll ``status`` and ``rows_done`` until ``done`` or ``failed``."""

    serializer_class = ImportJobSerializer

    def get_queryset(self) -> QuerySet[ImportJob]:
        if not self.request.user.is_authenticated:
            return ImportJob.objects.none()
        return ImportJob.objects.filter(created_by=self.request.user)


@extend_schema_view(retrieve=extend_schema(examples=[examples.MATCH_RUN]))
class MatchRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Matching runs for a school, municipality or region within the caller's reach, with their progress."""

    serializer_class = MatchRunSerializer
    permission_classes = require(capability(Capability.RUN_MATCHING))

    def get_queryset(self) -> QuerySet[MatchRun]:
        return scoping.scope(
            MatchRun.objects.all(), self.request.user, Capability.RUN_MATCHING, field="scope"
        )

    @extend_schema(
        summary="Start a match run",
        request=StartRunSerializer,
        examples=[examples.START_RUN, examples.MATCH_RUN],
        responses={202: MatchRunSerializer, **conflict("run_active")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a run in the background for ``scope`` (an organisation id) and ``buddy_kind``; poll the returned
        run until ``status`` is ``done``. Answers 409 ``run_active`` while a run for the same scope and kind is going."""
        data = StartRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = runs.start_run(
            acting_user(request), data.validated_data["scope"], data.validated_data["buddy_kind"]
        )
        run.refresh_from_db()
        return Response(MatchRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("run", int),
            OpenApiParameter("status", str, enum=MatchStatus.values),
            OpenApiParameter("school", int),
        ]
    ),
    retrieve=extend_schema(examples=[examples.MATCH]),
)
class MatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposed, approved and ended matches at schools within reach, each explained pair by pair.
    Coordinators review proposals (approve, reject, lock, swap) and follow approved matches up."""

    serializer_class = MatchSerializer
    permission_classes = require(
        capability(
            Capability.RUN_MATCHING,
            actions={"approve", "bulk_approve", "reject", "lock", "swap", "end", "fit"},
        ),
        capability(Capability.RUN_MATCHING, actions={"check_ins"}, methods={"POST"}),
    )

    def get_queryset(self) -> QuerySet[Match]:
        qs = scoping.scope(
            Match.objects.select_related("pupil", "buddy"),
            self.request.user,
            Capability.VIEW_PUPILS,
            field="school",
        )
        for name in ("run", "school"):
            if (value := int_param(self.request, name)) is not None:
                qs = qs.filter(**{f"{name}_id": value})
        if (state := self.request.query_params.get("status")) in MatchStatus.values:
            qs = qs.filter(status=state)
        return qs.order_by("-created_at", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        # Lazy: read once when an explanation needs it, never for the schema or an empty page.
        return {**super().get_serializer_context(), "interest_names": SimpleLazyObject(interest_names)}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        access.record(request.user, [m.pupil_id for m in page], AccessAction.LIST, context="api.matches")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        match = self.get_object()
        access.record(request.user, [match.pupil_id], AccessAction.VIEW, context="api.match")
        return Response(self.get_serializer(match).data)

    def _answer(self, match: Match) -> Response:
        match = self.get_queryset().get(pk=match.pk)
        return Response(self.get_serializer(match).data)

    @extend_schema(
        summary="Approve a proposed match",
        request=None,
        responses={200: MatchSerializer, **conflict("pupil_matched")},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve a proposal: the pair becomes an active match with check-ins scheduled."""
        return self._answer(review.approve(acting_user(request), pk_or_404(pk)))

    @extend_schema(
        summary="Approve many proposed matches",
        operation_id="matches_bulk_approve",
        request=BulkApproveSerializer,
        responses={200: BulkApproveResult},
    )
    @action(detail=False, methods=["post"], url_path="approve")
    def bulk_approve(self, request: Request) -> Response:
        """Approve up to 1,000 proposals at once; ``refused`` gives the reason per id that could not be approved."""
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = review.approve_many(acting_user(request), data.validated_data["ids"])
        return Response(
            {"approved": result.approved, "refused": {str(k): v for k, v in result.refused.items()}}
        )

    @extend_schema(summary="Reject a proposed match", request=None, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject a proposal: this pair is never proposed again."""
        return self._answer(review.reject(acting_user(request), pk_or_404(pk)))

    @extend_schema(summary="Lock a proposed match", request=None, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def lock(self, request: Request, pk: str) -> Response:
        """Lock a proposal so later runs keep it as it is."""
        return self._answer(review.lock(acting_user(request), pk_or_404(pk)))

    @extend_schema(
        summary="Swap the buddy of a proposed match", request=SwapSerializer, responses={200: MatchSerializer}
    )
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, pk: str) -> Response:
        """Replace the buddy of a proposal with another buddy at the same school."""
        data = SwapSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(review.swap(acting_user(request), pk_or_404(pk), data.validated_data["buddy"]))

    @extend_schema(summary="End a match", request=EndSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End an active match with a reason."""
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            followup.end_match(acting_user(request), pk_or_404(pk), data.validated_data["reason"])
        )

    @extend_schema(
        summary="Record the fit after the first meeting",
        request=FitSerializer,
        responses={200: MatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def fit(self, request: Request, pk: str) -> Response:
        """Record how well the pair fits after the first meeting."""
        data = FitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            followup.record_fit(acting_user(request), pk_or_404(pk), data.validated_data["fit"])
        )

    @extend_schema(
        summary="List a match's check-ins",
        methods=["GET"],
        request=None,
        responses={200: CheckInSerializer(many=True)},
    )
    @extend_schema(
        summary="Record a check-in",
        methods=["POST"],
        request=OutcomeSerializer,
        responses={201: CheckInSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="check-ins", pagination_class=None)
    def check_ins(self, request: Request, pk: str) -> Response:
        """GET the check-ins of a match; POST an outcome to record the next check-in."""
        match = self.get_object()
        if request.method == "GET":
            return Response(CheckInSerializer(match.check_ins.all(), many=True).data)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = followup.record_check_in(acting_user(request), match.pk, data.validated_data["outcome"])
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this domain's viewsets to the v1 router."""
    router.register("buddies", BuddyViewSet, basename="buddy")
    router.register("import-jobs", ImportJobViewSet, basename="import-job")
    router.register("match-runs", MatchRunViewSet, basename="match-run")
    router.register("matches", MatchViewSet, basename="match")
