"""Cases in the API, with their visits and transfers."""

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import User
from api.caseloads.serializers import (
    AnswerSerializer,
    CaseSerializer,
    CaseStatusSerializer,
    OfferTransferSerializer,
    ShareSerializer,
    TransferSerializer,
    VisitSerializer,
)
from api.params import id_or_none
from api.permissions import signed_in
from api.schema import conflict
from caseloads import reach, services
from caseloads.models import (
    Case,
    CaseStatus,
    NextStep,
    Transfer,
    Visit,
)
from core.errors import ServiceError
from pupils import access
from pupils.models import AccessAction


def _colleague(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ServiceError(_("Choose a colleague from your support service."), field=field)
    return user


class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Cases within reach: a supporter's own (and those shared with them), the region's for its coordinator."""

    serializer_class = CaseSerializer
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Case]:
        qs = (
            reach.cases_for(self.request.user)
            .select_related("school", "supporter")
            .prefetch_related("pupils")
            .order_by("-opened_at", "-id")
        )
        status_filter = self.request.query_params.get("status")
        if status_filter in CaseStatus.values:
            qs = qs.filter(status=status_filter)
        return qs

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        user = signed_in(request)
        if reach.can_see_pupils(user, case):
            access.record(
                user,
                [p.pk for p in case.pupils.all()],
                AccessAction.VIEW,
                context="api.cases.retrieve",
            )
        context = {**self.get_serializer_context(), "with_pupils": True}
        return Response(CaseSerializer(case, context=context).data)

    def perform_update(self, serializer: BaseSerializer[Case]) -> None:
        data = serializer.validated_data
        # UpdateModelMixin.update built the serializer on self.get_object(): the instance is that case.
        case = cast(Case, serializer.instance)
        serializer.instance = services.update_case(
            signed_in(self.request),
            case,
            goals=data.get("goals", case.goals) or "",
            planned_hours_per_month=data.get("planned_hours_per_month"),
        )

    @extend_schema(
        summary="Change a case's status", request=CaseStatusSerializer, responses={200: CaseSerializer}
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        data = CaseStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.set_case_status(
            signed_in(request),
            self.get_object(),
            data.validated_data["status"],
            summary=data.validated_data["summary"],
        )
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Offer a case to a colleague",
        request=OfferTransferSerializer,
        responses={201: TransferSerializer, **conflict("transfer_pending")},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str | None = None) -> Response:
        data = OfferTransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to = _colleague(data.validated_data["supporter"], "supporter")
        if to is None:  # the serializer requires a supporter
            raise ServiceError(_("Choose a colleague from your support service."), field="supporter")
        transfer = services.offer_transfer(
            signed_in(request), self.get_object(), to, data.validated_data["message"]
        )
        return Response(TransferSerializer(transfer).data, status=201)

    @extend_schema(
        summary="Share a case with an advisor", request=ShareSerializer, responses={200: CaseSerializer}
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.share_case(
            signed_in(request), self.get_object(), _colleague(data.validated_data["advisor"], "advisor")
        )
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)


class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Visits of cases within reach; filter with ``?case=<id>``."""

    serializer_class = VisitSerializer

    def get_queryset(self) -> QuerySet[Visit]:
        qs = (
            Visit.objects.filter(case__in=reach.cases_for(self.request.user).values("pk"))
            .select_related("case__school")
            .prefetch_related(Prefetch("steps", queryset=NextStep.objects.order_by("due_date", "id")))
            .order_by("-date", "-id")
        )
        case = self.request.query_params.get("case")
        if case is not None:
            qs = qs.filter(case_id=case_id) if (case_id := id_or_none(case)) is not None else qs.none()
        return qs

    @extend_schema(parameters=[OpenApiParameter("case", int, description="Only visits of this case.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[Visit]) -> None:
        d = serializer.validated_data
        serializer.instance = services.log_visit(
            signed_in(self.request),
            d["case"],
            date=d["date"],
            kind=d["kind"],
            duration_minutes=d["duration_minutes"],
            preparation_minutes=d.get("preparation_minutes", 0),
            travel_minutes=d.get("travel_minutes", 0),
            notes=d.get("notes") or "",
            next_visit_date=d.get("next_visit_date"),
            done=d.get("done", False),
            steps=d.get("steps", []),
        )

    @extend_schema(summary="Mark a visit done", request=None, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        visit = services.mark_visit_done(signed_in(request), self.get_object())
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data)


class TransferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Transfers offered to the caller or by the caller."""

    serializer_class = TransferSerializer

    def get_queryset(self) -> QuerySet[Transfer]:
        user = getattr(self.request, "user", None)
        if not isinstance(user, User):  # schema generation
            return Transfer.objects.none()
        return (
            Transfer.objects.filter(to_supporter=user) | Transfer.objects.filter(from_supporter=user)
        ).order_by("-created_at", "-id")

    @extend_schema(
        summary="Answer a transfer",
        request=AnswerSerializer,
        responses={200: TransferSerializer, **conflict("transfer_decided")},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.answer_transfer(
            signed_in(request), self.get_object(), accept=data.validated_data["accept"]
        )
        return Response(TransferSerializer(transfer).data)
