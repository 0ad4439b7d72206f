"""Support requests in the API: file, triage, decline, rank supporters, allocate one or the whole open queue."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from api import examples
from api.caseloads.serializers import (
    AllocateOpenSerializer,
    AllocateSerializer,
    CaseSerializer,
    DeclineSerializer,
    ProposalSerializer,
    RankedSerializer,
    SupportRequestSerializer,
)
from api.permissions import signed_in
from api.schema import conflict
from caseloads import reach, services
from caseloads.models import (
    RequestStatus,
    SupportRequest,
)
from core.errors import Forbidden, ServiceError


@extend_schema_view(create=extend_schema(examples=[examples.SUPPORT_REQUEST]))
class SupportRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Requests within reach: a school sees its own, the regional coordinator the region's, a supporter the
    requests behind their cases."""

    serializer_class = SupportRequestSerializer

    def get_queryset(self) -> QuerySet[SupportRequest]:
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

    def perform_create(self, serializer: BaseSerializer[SupportRequest]) -> None:
        serializer.instance = services.file_request(signed_in(self.request), **serializer.validated_data)

    @extend_schema(
        summary="Take a request into triage",
        request=None,
        responses={200: SupportRequestSerializer, **conflict("not_new")},
    )
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        obj = services.start_triage(signed_in(request), self.get_object())
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
        obj = services.decline_request(signed_in(request), self.get_object(), data.validated_data["reason"])
        return Response(SupportRequestSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(summary="Rank supporters for a request", responses={200: RankedSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def supporters(self, request: Request, pk: str | None = None) -> Response:
        """Supporters ranked for this request, with reasons (expertise, language, municipality, free hours)."""
        ranked = services.ranking(signed_in(request), self.get_object())
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
            signed_in(request),
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
        user = signed_in(request)
        if not scoping.can(user, Capability.ALLOCATE_SUPPORT):
            raise Forbidden(_("You cannot allocate requests."))
        if data.validated_data["confirm"]:
            pairs = [(p["request"], p["supporter"]) for p in data.validated_data["pairs"]]
            cases = services.confirm_open(user, pairs, data.validated_data["fingerprint"])
            return Response({"cases": [c.pk for c in cases]}, status=201)
        proposal = services.propose_open(user)
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
