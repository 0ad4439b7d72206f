"""API for the caseloads domain: support requests, allocation, cases, visits, transfers, supporters' workload.

Every queryset comes from ``caseloads.reach`` (a wrong id answers 404); every write calls one service, whose
``ServiceError`` becomes the one JSON error shape (``api/errors.py``).
"""

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from api import examples
from api.caseloads.serializers import (
    AllocateOpenSerializer,
    AllocateSerializer,
    AnswerSerializer,
    CaseSerializer,
    CaseStatusSerializer,
    DeclineSerializer,
    OfferTransferSerializer,
    ProposalSerializer,
    RankedSerializer,
    ShareSerializer,
    SupporterSerializer,
    SupporterUpdateSerializer,
    SupportRequestSerializer,
    TransferSerializer,
    VisitSerializer,
    WorkloadSerializer,
)
from api.params import id_or_none, month_param
from api.schema import conflict
from caseloads import reach, services, workload
from caseloads.models import (
    CaseStatus,
    NextStep,
    RequestStatus,
    SupporterProfile,
    SupportRequest,
    Transfer,
    Visit,
)
from core.errors import Forbidden, ServiceError
from pupils import access
from pupils.models import AccessAction

urlpatterns: list = []


@extend_schema_view(create=extend_schema(examples=[examples.SUPPORT_REQUEST]))
class SupportRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Requests within reach: a school sees its own, the regional coordinator the region's, a supporter the
    requests behind their cases."""

    serializer_class = SupportRequestSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = (
            reach.requests_for(self.request.user)
            .select_related("school", "case__supporter")
            .prefetch_related("pupils")
            .order_by("-created_at", "-id")
        )
        status_filter = self.request.query_params.get("status")
        if status_filter in RequestStatus.values:
            qs = qs.filter(status=status_filter)
        return qs

    def perform_create(self, serializer: SupportRequestSerializer) -> None:
        serializer.instance = services.file_request(self.request.user, **serializer.validated_data)

    @extend_schema(
        summary="Take a request into triage",
        request=None,
        responses={200: SupportRequestSerializer, **conflict("not_new")},
    )
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        obj = services.start_triage(request.user, self.get_object())
        return Response(SupportRequestSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Decline a request",
        request=DeclineSerializer,
        responses={200: SupportRequestSerializer, **conflict("decided")},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.decline_request(request.user, self.get_object(), data.validated_data["reason"])
        return Response(SupportRequestSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(summary="Rank supporters for a request", responses={200: RankedSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def supporters(self, request: Request, pk: str | None = None) -> Response:
        """Supporters ranked for this request, with reasons (expertise, language, municipality, free hours)."""
        ranked = services.ranking(request.user, self.get_object())
        return Response(RankedSerializer(ranked, many=True).data)

    @extend_schema(
        summary="Allocate a request to a supporter",
        request=AllocateSerializer,
        responses={201: CaseSerializer, **conflict("decided")},
        description="Allocate to one supporter. Without free hours this answers 400 with code "
        "`no_free_hours` (a warning); repeat with `override: true` to allocate anyway.",
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        data = AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        supporter = User.objects.filter(pk=data.validated_data["supporter"]).first()
        if supporter is None:
            raise ServiceError(_("Choose a supporter of your support service."), field="supporter")
        case = services.allocate(
            request.user,
            obj,
            supporter,
            override=data.validated_data["override"],
            goals=data.validated_data["goals"],
        )
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="Propose or confirm allocation of all open requests",
        request=AllocateOpenSerializer,
        responses={
            200: ProposalSerializer,
            201: inline_serializer(
                "AllocatedCases", {"cases": serializers.ListField(child=serializers.IntegerField())}
            ),
            **conflict("stale_proposal", "decided"),
        },
        description="Without `confirm`: the optimal proposal for all open requests (nothing changes). "
        "With `confirm: true` and the proposal's `fingerprint` and `pairs`: carry it out, all or nothing; "
        "409 `stale_proposal` when requests or hours changed meanwhile.",
    )
    @action(detail=False, methods=["post"], url_path="allocate-open")
    def allocate_open(self, request: Request) -> Response:
        data = AllocateOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
            raise Forbidden(_("You cannot allocate requests."))
        if data.validated_data["confirm"]:
            pairs = [(p["request"], p["supporter"]) for p in data.validated_data["pairs"]]
            cases = services.confirm_open(request.user, pairs, data.validated_data["fingerprint"])
            return Response({"cases": [c.pk for c in cases]}, status=201)
        proposal = services.propose_open(request.user)
        hours = {
            r.pk: r.estimated_hours
            for r in SupportRequest.objects.filter(pk__in=[r for r, _u in proposal.pairs])
        }
        return Response(
            {
                "fingerprint": proposal.fingerprint,
                "pairs": [
                    {"request": r, "supporter": u, "hours": hours[r], "reasons": proposal.reasons[r]}
                    for r, u in proposal.pairs
                ],
                "unassigned": proposal.unassigned,
                "cost": proposal.cost,
                "optimal": proposal.optimal,
                "missing_at_most": proposal.missing_at_most,
                "cost_gap": proposal.cost_gap,
            }
        )


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

    def get_queryset(self):  # type: ignore[no-untyped-def]
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
        if reach.can_see_pupils(request.user, case):
            access.record(
                request.user,
                [p.pk for p in case.pupils.all()],
                AccessAction.VIEW,
                context="api.cases.retrieve",
            )
        context = {**self.get_serializer_context(), "with_pupils": True}
        return Response(CaseSerializer(case, context=context).data)

    def perform_update(self, serializer: CaseSerializer) -> None:
        data = serializer.validated_data
        case = serializer.instance
        serializer.instance = services.update_case(
            self.request.user,
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
            request.user,
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
        transfer = services.offer_transfer(
            request.user, self.get_object(), to, data.validated_data["message"]
        )  # type: ignore[arg-type]
        return Response(TransferSerializer(transfer).data, status=201)

    @extend_schema(
        summary="Share a case with an advisor", request=ShareSerializer, responses={200: CaseSerializer}
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.share_case(
            request.user, self.get_object(), _colleague(data.validated_data["advisor"], "advisor")
        )
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)


class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Visits of cases within reach; filter with ``?case=<id>``."""

    serializer_class = VisitSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
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

    def perform_create(self, serializer: VisitSerializer) -> None:
        d = serializer.validated_data
        serializer.instance = services.log_visit(
            self.request.user,
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
        visit = services.mark_visit_done(request.user, self.get_object())
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data)


class TransferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Transfers offered to the caller or by the caller."""

    serializer_class = TransferSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = getattr(self.request, "user", None)
        if not getattr(user, "is_authenticated", False):  # schema generation
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
            request.user, self.get_object(), accept=data.validated_data["accept"]
        )
        return Response(TransferSerializer(transfer).data)


class SupporterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Supporter profiles: the coordinator sees the supporters within reach, a supporter their own. The id
    is the supporter's user id (as used in ``allocate``). PUT replaces the profile (the supporter
    themself or the coordinator)."""

    serializer_class = SupporterSerializer
    lookup_field = "user"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9]{1,18}"  # beyond 64-bit ids the database would overflow; 404 instead

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = self.request.user
        qs = services.supporters_for(user) | SupporterProfile.objects.filter(user=user)
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
        profile = services.save_profile(request.user, profile.user, **data.validated_data)
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


def register(router: BaseRouter) -> None:
    """Add this domain's viewsets to the v1 router."""
    router.register("support-requests", SupportRequestViewSet, basename="support-request")
    router.register("cases", CaseViewSet, basename="case")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("transfers", TransferViewSet, basename="transfer")
    router.register("supporters", SupporterViewSet, basename="supporter")
