"""Grants awaiting a second person's approval: list the ones the caller may decide, approve or refuse.

Default permission classes (api/permissions.py, second factor included); rows scoped by
``accounts.grants.approvable``, so a grant out of reach answers 404."""

from typing import Protocol

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from accounts import grants
from accounts.models import GrantRequest, User
from api.permissions import signed_in


class Decide(Protocol):
    """``accounts.grants.approve`` and ``refuse``."""

    def __call__(self, actor: User, grant: GrantRequest, *, reason: str) -> GrantRequest: ...


class GrantSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    requested_by_email = serializers.EmailField(source="requested_by.email", read_only=True, default="")

    class Meta:
        model = GrantRequest
        fields = ["id", "user", "email", "organisation", "role", "requested_by_email", "status", "created_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class GrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grants of pupil-data roles waiting for a second person, in the approver's reach."""

    serializer_class = GrantSerializer

    def get_queryset(self) -> QuerySet[GrantRequest]:
        return grants.approvable(self.request.user)  # none for nobody signed in (schema generation)

    def _decide(self, request: Request, verb: Decide) -> Response:
        grant = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = verb(signed_in(request), grant, reason=data.validated_data["reason"])
        return Response(GrantSerializer(decided).data)

    @extend_schema(summary="Approve a grant", request=DecisionSerializer, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve the grant (never by its inviter or invitee): the membership takes effect and both are told."""
        return self._decide(request, grants.approve)

    @extend_schema(summary="Refuse a grant", request=DecisionSerializer, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        """Refuse the grant with a reason; no membership is made and both are told."""
        return self._decide(request, grants.refuse)


def register(router: BaseRouter) -> None:
    router.register("grants", GrantViewSet, basename="grant")
