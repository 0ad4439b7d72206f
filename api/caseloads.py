"""API for the caseloads domain: support requests, allocation, cases, visits, transfers, supporters' workload.

Every queryset comes from ``caseloads.reach`` (a wrong id answers 404); every write calls one service, whose
``ServiceError`` becomes the one JSON error shape (``api/errors.py``).
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from api import examples
from api.params import id_or_none, month_param
from api.schema import conflict
from caseloads import reach, services, workload
from caseloads.models import (
    Case,
    CaseStatus,
    NextStep,
    RequestStatus,
    Subject,
    SupporterProfile,
    SupportRequest,
    Topic,
    Transfer,
    TransferStatus,
    Urgency,
    Visit,
    VisitKind,
)
from core.errors import Forbidden, ServiceError
from pupils import access
from pupils.models import AccessAction

urlpatterns: list = []


# --- Support requests ----------------------------------------------------------------------------------


class SupportRequestSerializer(serializers.ModelSerializer):
    school = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    subject = serializers.ChoiceField(choices=Subject.choices, default=Subject.PUPIL)
    topic = serializers.ChoiceField(choices=Topic.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    status = serializers.ChoiceField(choices=RequestStatus.choices, read_only=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False, default=list)
    pupils = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        write_only=True,
        help_text="Ids of pupils of the same school.",
    )
    pupil_count = serializers.SerializerMethodField()
    estimated_hours = serializers.IntegerField(read_only=True)
    case = serializers.SerializerMethodField()
    supporter_name = serializers.SerializerMethodField()

    class Meta:
        model = SupportRequest
        fields = [
            "id",
            "school",
            "subject",
            "topic",
            "description",
            "urgency",
            "languages",
            "pupils",
            "pupil_count",
            "status",
            "decline_reason",
            "estimated_hours",
            "case",
            "supporter_name",
            "created_at",
            "decided_at",
        ]
        read_only_fields = ["id", "decline_reason", "created_at", "decided_at"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "school" in self.fields:
            self.fields["school"].queryset = scoping.organisations_of_kind(
                request.user, Capability.REQUEST_SUPPORT, [OrganisationKind.SCHOOL]
            )

    def get_pupil_count(self, obj: SupportRequest) -> int:
        return len(obj.pupils.all())

    def _case(self, obj: SupportRequest) -> Case | None:
        try:
            return obj.case
        except Case.DoesNotExist:
            return None

    def get_case(self, obj: SupportRequest) -> int | None:
        case = self._case(obj)
        return case.pk if case else None

    def get_supporter_name(self, obj: SupportRequest) -> str | None:
        case = self._case(obj)
        return str(case.supporter) if case else None


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AllocateSerializer(serializers.Serializer):
    supporter = serializers.IntegerField(help_text="User id of the supporter.")
    override = serializers.BooleanField(
        default=False, help_text="Allocate even though the supporter has no free hours (after a warning)."
    )
    goals = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class PairSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    supporter = serializers.IntegerField()


class AllocateOpenSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        default=False, help_text="false: compute a proposal; true: carry out the proposal given in pairs."
    )
    fingerprint = serializers.CharField(required=False, allow_blank=True, default="")
    pairs = PairSerializer(many=True, required=False, default=list)


class ProposalSerializer(serializers.Serializer):
    fingerprint = serializers.CharField()
    pairs = inline_serializer(
        "ProposedPair",
        {
            "request": serializers.IntegerField(),
            "supporter": serializers.IntegerField(),
            "hours": serializers.IntegerField(),
            "reasons": serializers.ListField(child=serializers.CharField()),
        },
        many=True,
    )
    unassigned = serializers.ListField(child=serializers.IntegerField())
    cost = serializers.FloatField(
        help_text="Pair costs plus the spreading term (0, 1, 2, ... per supporter)."
    )
    optimal = serializers.BooleanField(help_text="False when the solver's time limit stopped it first.")
    missing_at_most = serializers.IntegerField(help_text="Proven: at most this many more requests fit.")
    cost_gap = serializers.FloatField(help_text="Proven: with as many requests, at most this much cheaper.")


class RankedSerializer(serializers.Serializer):
    supporter = serializers.IntegerField(source="load.user_id")
    name = serializers.SerializerMethodField()
    cost = serializers.FloatField()
    fits = serializers.BooleanField()
    free_hours = serializers.DecimalField(source="load.free", max_digits=6, decimal_places=1)
    reasons = serializers.ListField(child=serializers.CharField())

    def get_name(self, obj: object) -> str:
        return str(obj.load.profile.user)  # type: ignore[attr-defined]


class PupilBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer):
    """``goals`` and ``closing_summary`` are null for people who may not read notes; ``pupils`` is null
    except for the case's supporters (detail only; each view is written to the access log)."""

    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    topic = serializers.ChoiceField(choices=Topic.choices, read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    supporter_name = serializers.CharField(source="supporter.__str__", read_only=True)
    goals = serializers.CharField(allow_null=True, required=False, allow_blank=True, max_length=4000)
    closing_summary = serializers.CharField(allow_null=True, read_only=True)
    pupil_count = serializers.SerializerMethodField()
    pupils = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "request",
            "school",
            "school_name",
            "supporter",
            "supporter_name",
            "advisor",
            "topic",
            "status",
            "goals",
            "planned_hours_per_month",
            "closing_summary",
            "pupil_count",
            "pupils",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["id", "request", "school", "supporter", "advisor", "opened_at", "closed_at"]

    def get_pupil_count(self, obj: Case) -> int:
        return len(obj.pupils.all())

    @extend_schema_field(PupilBriefSerializer(many=True, allow_null=True))
    def get_pupils(self, obj: Case) -> list[dict[str, object]] | None:
        if not self.context.get("with_pupils") or not reach.can_see_pupils(self.context["request"].user, obj):
            return None
        return [{"id": p.pk, "display_name": p.display_name} for p in obj.pupils.all()]

    def to_representation(self, instance: Case) -> dict[str, object]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not reach.can_see_notes(request.user, instance):
            data["goals"] = None
            data["closing_summary"] = None
        return data


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


# --- Cases and visits ----------------------------------------------------------------------------------


class CaseStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TransferSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=TransferStatus.choices, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "case",
            "from_supporter",
            "to_supporter",
            "message",
            "status",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class OfferTransferSerializer(serializers.Serializer):
    supporter = serializers.IntegerField(help_text="User id of the colleague.")
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ShareSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(
        allow_null=True, help_text="User id of the colleague; null stops sharing."
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

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
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


class StepSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = NextStep
        fields = ["id", "description", "due_date", "done_at", "overdue"]
        read_only_fields = ["id", "done_at", "overdue"]

    def get_overdue(self, obj: NextStep) -> bool:
        return obj.is_overdue(timezone.localdate())


class VisitSerializer(serializers.ModelSerializer):
    """``notes`` is null for people who may not read notes (e.g. a colleague a case is offered to)."""

    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.none())
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    notes = serializers.CharField(allow_null=True, required=False, allow_blank=True, max_length=8000)
    steps = StepSerializer(many=True, required=False)

    class Meta:
        model = Visit
        fields = [
            "id",
            "case",
            "supporter",
            "date",
            "kind",
            "duration_minutes",
            "preparation_minutes",
            "travel_minutes",
            "notes",
            "next_visit_date",
            "done",
            "steps",
        ]
        read_only_fields = ["id", "supporter"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "case" in self.fields:
            self.fields["case"].queryset = reach.cases_for(request.user)

    def to_representation(self, instance: Visit) -> dict[str, object]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not reach.can_see_notes(request.user, instance.case):
            data["notes"] = None
            data["steps"] = []
        return data


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
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
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


class AnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


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


# --- Supporters ----------------------------------------------------------------------------------------


class SupporterSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.CharField(source="user.__str__", read_only=True)
    expertise = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices))
    languages = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = SupporterProfile
        fields = [
            "id",
            "name",
            "service",
            "expertise",
            "languages",
            "home_municipality",
            "contract_hours_per_week",
            "active",
        ]
        read_only_fields = fields


class WorkloadSerializer(serializers.Serializer):
    supporter = serializers.IntegerField()
    month = serializers.DateField()
    contract_hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    committed_hours = serializers.IntegerField(help_text="Planned hours per month of active cases.")
    free_hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    visit_minutes = serializers.IntegerField()
    preparation_minutes = serializers.IntegerField()
    travel_minutes = serializers.IntegerField()
    worked_hours = serializers.DecimalField(max_digits=6, decimal_places=1)


class SupporterUpdateSerializer(serializers.Serializer):
    expertise = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices))
    languages = serializers.ListField(child=serializers.CharField(max_length=8))
    home_municipality = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY), allow_null=True
    )
    contract_hours_per_week = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=40
    )
    active = serializers.BooleanField(default=True)


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
    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
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
