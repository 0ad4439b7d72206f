from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import scoping, services
from accounts.http import Viewer
from accounts.models import Invitation, Membership, Organisation
from accounts.roles import CAPABILITIES, Capability, OrganisationKind, Role
from api import examples
from api.fields import limit_choices
from api.permissions import capability, require, signed_in


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=512)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """Exchange e-mail and password for an API token; DELETE revokes the caller's token."""

    public_endpoint = True  # the way in: api.permissions.enforce_defaults lets only this view go without them
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        summary="Get an API token",
        description="Exchange e-mail and password for a token (no sign-in needed; limited to 10 a minute). "
        "Send it as `Authorization: Token <token>`; people in pupil-data roles need a second factor set up "
        "before the token is accepted (`403 mfa_required`).",
        auth=[],
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        examples=[examples.TOKEN_REQUEST, examples.TOKEN],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, email=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("E-mail address or password is wrong.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(summary="Revoke your API token", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response({"detail": _("Not signed in."), "code": "not_authenticated"}, status=401)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_permissions(self) -> list:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "parent", "brin", "stage", "allow_cross_school_matching"]
        read_only_fields = ["id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "parent" in self.fields:
            reach = scoping.reach(request.user, Capability.MANAGE_ORGANISATIONS)
            limit_choices(self.fields["parent"], reach.organisations())


def _organisation_reach(user: Viewer) -> scoping.Reach:
    manage = scoping.reach(user, Capability.MANAGE_ORGANISATIONS)
    return manage if not manage.empty else scoping.reach(user, Capability.VIEW_MEMBERS)


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Organisations within reach (region > municipality > school); coordinators who manage organisations
    create them under an organisation in their reach."""

    serializer_class = OrganisationSerializer
    permission_classes = require(capability(Capability.MANAGE_ORGANISATIONS, actions={"create"}))
    filterset_fields = ["kind"]

    def get_queryset(self) -> QuerySet[Organisation]:
        qs = _organisation_reach(self.request.user).organisations().order_by("path")
        kind = self.request.query_params.get("kind")
        if kind in OrganisationKind.values:
            qs = qs.filter(kind=kind)
        parent = self.request.query_params.get("parent")
        if parent and parent.isdigit():
            qs = qs.filter(parent_id=int(parent))
        return qs

    def perform_create(self, serializer: serializers.BaseSerializer[Organisation]) -> None:
        serializer.instance = services.create_organisation(
            signed_in(self.request), **serializer.validated_data
        )


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "name", "organisation", "role", "capabilities"]
        read_only_fields = fields

    def get_capabilities(self, obj: Membership) -> list[str]:
        return sorted(c.value for c in CAPABILITIES.get(obj.role, frozenset()))


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Memberships within reach (VIEW_MEMBERS), and always the caller's own."""

    serializer_class = MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        user = self.request.user
        if not user.is_authenticated:  # schema generation
            return Membership.objects.none()
        in_reach = scoping.scope(Membership.objects.all(), user, Capability.VIEW_MEMBERS)
        qs = (
            (in_reach | Membership.objects.filter(user=user))
            .select_related("user", "organisation")
            .distinct()
        )
        organisation = self.request.query_params.get("organisation")
        if organisation and organisation.isdigit():
            qs = qs.filter(organisation_id=int(organisation))
        return qs.order_by("organisation__name", "user__email")

    def perform_destroy(self, instance: Membership) -> None:
        services.end_membership(signed_in(self.request), instance)


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "organisation",
            "role",
            "language",
            "created_at",
            "expires_at",
            "sent_at",
            "accepted_at",
        ]
        read_only_fields = ["id", "created_at", "expires_at", "sent_at", "accepted_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "organisation" in self.fields:
            reach = scoping.reach(request.user, Capability.INVITE_MEMBERS)
            limit_choices(self.fields["organisation"], reach.organisations())


class InvitationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Invitations to organisations within reach: the invitee receives an e-mail with a link to accept.
    Who may invite whom follows the role table."""

    serializer_class = InvitationSerializer
    permission_classes = require(capability(Capability.INVITE_MEMBERS))

    def get_queryset(self) -> QuerySet[Invitation]:
        return scoping.scope(
            Invitation.objects.select_related("organisation"), self.request.user, Capability.INVITE_MEMBERS
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Invitation]) -> None:
        serializer.instance = services.invite(signed_in(self.request), **serializer.validated_data)


class MeView(APIView):
    @extend_schema(
        summary="Who am I",
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "email": serializers.EmailField(),
                "name": serializers.CharField(),
                "language": serializers.CharField(),
                "memberships": MembershipSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        """The caller: name, e-mail, language and memberships with their capabilities."""
        user = signed_in(request)
        memberships = Membership.objects.filter(user=user).select_related("user", "organisation")
        return Response(
            {
                "id": user.pk,
                "email": user.email,
                "name": user.get_full_name(),
                "language": user.language,
                "memberships": MembershipSerializer(memberships, many=True).data,
            }
        )
