"""Viewsets of the courses API: catalogue, editions (filterable), enrolment, cancellation, offers,
attendance, check-in, evaluations and the caller's PD record.

Every queryset comes from ``courses.access`` (reach): a teacher sees the catalogue of their own region and
only their own enrolments; a wrong id answers 404. Every write validates, calls one service and lets
``api/errors.py`` map its ServiceError to the one JSON error shape. Serializers are in ``serializers``.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # 404 (not 500) for ids like "abc"
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from accounts.models import Organisation
from api import examples
from api.courses.serializers import (
    AttendanceSerializer,
    CancelEditionSerializer,
    CapacitySerializer,
    CertificateSerializer,
    CheckInSerializer,
    EditionSerializer,
    EnrolmentSerializer,
    EvaluationSerializer,
    MarkAttendanceSerializer,
    MeetingSerializer,
    ModuleSerializer,
)
from api.params import id_or_none
from api.permissions import signed_in
from api.schema import conflict
from courses import access, changes, completion, queries, services
from courses.models import (
    Attendance,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    Format,
    Meeting,
    Module,
    Theme,
)


def _fake(view: object) -> bool:
    """drf-spectacular builds the schema with an anonymous request; querysets are then empty."""
    return getattr(view, "swagger_fake_view", False)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search in title and summary."),
            OpenApiParameter("theme", str, enum=Theme.values),
            OpenApiParameter("format", str, enum=Format.values),
        ]
    )
)
class ModuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue the caller may browse (their region; organisers also their own modules)."""

    serializer_class = ModuleSerializer

    def get_queryset(self) -> QuerySet[Module]:
        if _fake(self):
            return Module.objects.none()
        qs = access.catalogue_modules(self.request.user).select_related("organiser").order_by("title", "pk")
        params = self.request.query_params
        if params.get("q"):
            q = params["q"][:100]
            qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
        if params.get("theme") in Theme.values:
            qs = qs.filter(themes__contains=f",{params['theme']},")
        if params.get("format") in Format.values:
            qs = qs.filter(format=params["format"])
        return qs


def _month(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.split("-"))
    except ValueError:
        raise serializers.ValidationError({"month": [_("Use the form YYYY-MM.")]}) from None
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise serializers.ValidationError({"month": [_("Use the form YYYY-MM.")]})
    return year, month


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("module", int),
            OpenApiParameter("theme", str, enum=Theme.values),
            OpenApiParameter("format", str, enum=Format.values),
            OpenApiParameter("month", str, description="YYYY-MM: editions starting in that month."),
            OpenApiParameter(
                "municipality", int, description="Modules of (or visible in) this municipality."
            ),
            OpenApiParameter("free", bool, description="Only editions with free places."),
            OpenApiParameter("status", str, enum=EditionStatus.values),
        ]
    ),
    retrieve=extend_schema(examples=[examples.EDITION]),
)
class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Dated runs of modules in the caller's catalogue, with their meetings and free seats; organisers
    also see and manage their own drafts."""

    serializer_class = EditionSerializer

    def _base(self, queryset: QuerySet[Edition]) -> QuerySet[Edition]:
        return (
            queries.annotate_seats(queryset)
            .select_related("module")
            .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at", "pk")))
            .order_by("starts_at", "pk")
        )

    def get_queryset(self) -> QuerySet[Edition]:
        if _fake(self):
            return Edition.objects.none()
        params = self.request.query_params
        qs = access.catalogue_editions(self.request.user)
        if self.action == "list":
            municipality = None
            if (municipality_id := id_or_none(params.get("municipality"))) is not None:
                municipality = Organisation.objects.filter(pk=municipality_id).first()
            qs = queries.filter_editions(
                queries.annotate_seats(qs),
                q=params.get("q", "")[:100],
                theme=params.get("theme", "") if params.get("theme") in Theme.values else "",
                format=params.get("format", "") if params.get("format") in Format.values else "",
                month=_month(params.get("month")),
                municipality=municipality,
                free=params.get("free") in ("1", "true", "yes"),
            )
            if (module_id := id_or_none(params.get("module"))) is not None:
                qs = qs.filter(module_id=module_id)
            if params.get("status") in EditionStatus.values:
                qs = qs.filter(status=params["status"])
        return self._base(qs)

    def _organised(self, pk: str) -> Edition:
        return get_object_or_404(access.organised_editions(self.request.user), pk=pk)

    def _fresh(self, edition_id: int) -> Response:
        return Response(EditionSerializer(self._base(Edition.objects.filter(pk=edition_id)).get()).data)

    @extend_schema(
        summary="Enrol in an edition",
        request=None,
        examples=[examples.ENROLMENT],
        responses={201: EnrolmentSerializer, **conflict("already_enrolled")},
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, pk: str) -> Response:
        """Enrol the caller: ``status`` is ``confirmed`` when a seat was free, else ``waitlisted`` with a
        ``waitlist_position`` (or ``pending_approval`` when the school approves first)."""
        edition = get_object_or_404(access.catalogue_editions(signed_in(request)), pk=pk)
        enrolment = services.enrol(signed_in(request), edition)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an edition's capacity",
        request=CapacitySerializer,
        responses={200: EditionSerializer, **conflict("closed")},
    )
    @action(detail=True, methods=["post"])
    def capacity(self, request: Request, pk: str) -> Response:
        """Organisers: change the capacity; raising it promotes from the waitlist."""
        edition = self._organised(pk)
        data = CapacitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_capacity(signed_in(request), edition, data.validated_data["capacity"])
        return self._fresh(edition.pk)

    @extend_schema(
        summary="Publish an edition",
        request=None,
        responses={200: EditionSerializer, **conflict("invalid_transition")},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Organisers: publish a draft edition with at least one meeting, so teachers can enrol."""
        edition = self._organised(pk)
        services.publish_edition(signed_in(request), edition)
        return self._fresh(edition.pk)

    @extend_schema(
        summary="Cancel an edition",
        request=CancelEditionSerializer,
        responses={200: EditionSerializer, **conflict("invalid_transition")},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Organisers: cancel the edition; everyone on it is released with a message."""
        edition = self._organised(pk)
        data = CancelEditionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes.cancel_edition(signed_in(request), edition, data.validated_data["reason"])
        return self._fresh(edition.pk)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("edition", int),
            OpenApiParameter("status", str, enum=EnrolmentStatus.values),
        ]
    )
)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own enrolments; organisers also those of editions they organise, school staff those
    of their school."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self) -> QuerySet[Enrolment]:
        if _fake(self):
            return Enrolment.objects.none()
        qs = services.with_waitlist_position(access.visible_enrolments(self.request.user)).select_related(
            "teacher"
        )
        params = self.request.query_params
        if (edition_id := id_or_none(params.get("edition"))) is not None:
            qs = qs.filter(edition_id=edition_id)
        if params.get("status") in EnrolmentStatus.values:
            qs = qs.filter(status=params["status"])
        return qs.order_by("-created_at", "pk")

    def _fresh(self, enrolment_id: int) -> Response:
        enrolment = services.with_waitlist_position(Enrolment.objects.filter(pk=enrolment_id)).get()
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(
        summary="Cancel an enrolment",
        request=None,
        examples=[examples.ENROLMENT],
        responses={200: EnrolmentSerializer, **conflict("not_active", "closed")},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel (teachers until the cancellation deadline; organisers any time). A freed seat goes to
        the first on the waitlist."""
        enrolment = self.get_object()
        services.cancel_enrolment(signed_in(request), enrolment)
        return self._fresh(enrolment.pk)

    @extend_schema(
        summary="Accept a waitlist offer",
        request=None,
        responses={200: EnrolmentSerializer, **conflict("no_offer", "offer_expired")},
    )
    @action(detail=True, methods=["post"], url_path="accept-offer")
    def accept_offer(self, request: Request, pk: str) -> Response:
        enrolment = self.get_object()
        services.accept_offer(signed_in(request), enrolment)
        return self._fresh(enrolment.pk)

    @extend_schema(
        summary="Evaluate an edition",
        request=EvaluationSerializer,
        responses={
            201: inline_serializer(
                "EvaluationOut", {"id": serializers.IntegerField(), "rating": serializers.IntegerField()}
            ),
            **conflict("already_evaluated", "cancelled"),
        },
    )
    @action(detail=True, methods=["post"])
    def evaluation(self, request: Request, pk: str) -> Response:
        enrolment = self.get_object()
        data = EvaluationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = completion.submit_evaluation(signed_in(request), enrolment, **data.validated_data)
        return Response({"id": evaluation.pk, "rating": evaluation.rating}, status=status.HTTP_201_CREATED)


class MeetingViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Meetings of editions the caller organises, with their attendance sheets."""

    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        if _fake(self):
            return Meeting.objects.none()
        qs = Meeting.objects.filter(edition__in=access.organised_editions(self.request.user))
        edition = id_or_none(self.request.query_params.get("edition"))
        if edition is not None:
            qs = qs.filter(edition_id=edition)
        return qs.order_by("starts_at", "pk")

    @extend_schema(
        summary="Get a meeting's attendance sheet",
        methods=["GET"],
        request=None,
        responses={200: AttendanceSerializer(many=True)},
    )
    @extend_schema(
        summary="Mark attendance of a meeting",
        methods=["POST"],
        request=MarkAttendanceSerializer,
        responses={200: AttendanceSerializer(many=True), **conflict("cancelled")},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request: Request, pk: str) -> Response:
        """GET the sheet; POST ``present`` (enrolment ids) to mark everyone at once."""
        meeting = self.get_object()
        if request.method == "POST":
            data = MarkAttendanceSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            completion.mark_attendance(signed_in(request), meeting, set(data.validated_data["present"]))
        rows = Attendance.objects.filter(meeting=meeting).order_by("enrolment_id")
        return Response(AttendanceSerializer(rows, many=True).data)


class CheckInView(APIView):
    @extend_schema(
        summary="Check in at a meeting", request=CheckInSerializer, responses={201: AttendanceSerializer}
    )
    def post(self, request: Request) -> Response:
        """A teacher checks in with the meeting's short code."""
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = completion.check_in(signed_in(request), data.validated_data["code"])
        return Response(AttendanceSerializer(attendance).data, status=status.HTTP_201_CREATED)


class PDRecordView(APIView):
    @extend_schema(
        summary="Your professional-development record",
        responses=inline_serializer(
            "PDRecord",
            {
                "total_hours": serializers.DecimalField(max_digits=7, decimal_places=1),
                "lines": inline_serializer(
                    "PDRecordLine",
                    {
                        "school_year": serializers.CharField(),
                        "theme": serializers.ChoiceField(choices=Theme.choices),
                        "hours": serializers.DecimalField(max_digits=7, decimal_places=1),
                    },
                    many=True,
                ),
                "certificates": CertificateSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        """The caller's professional-development hours per school year and theme."""
        lines, total, certificates = completion.pd_record(signed_in(request))
        return Response(
            {
                "total_hours": f"{total:.1f}",
                "lines": [
                    {"school_year": line.school_year, "theme": line.theme, "hours": f"{line.hours:.1f}"}
                    for line in lines
                ],
                "certificates": CertificateSerializer(certificates, many=True).data,
            }
        )


urlpatterns = [
    path("me/pd-record/", PDRecordView.as_view(), name="api-pd-record"),
    path("check-in/", CheckInView.as_view(), name="api-check-in"),
]


def register(router: BaseRouter) -> None:
    """Add this domain's viewsets to the v1 router."""
    router.register("modules", ModuleViewSet, basename="module")
    router.register("editions", EditionViewSet, basename="edition")
    router.register("enrolments", EnrolmentViewSet, basename="enrolment")
    router.register("meetings", MeetingViewSet, basename="meeting")
