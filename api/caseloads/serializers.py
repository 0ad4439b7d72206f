"""Serializers of the caseloads API."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation
from accounts.roles import Capability, OrganisationKind
from caseloads import reach
from caseloads.allocation import Ranked
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


class InReach(serializers.PrimaryKeyRelatedField[Any]):
    """A primary key among the rows the caller reaches, ``scope(request.user)``; the ``queryset`` given (none)
    without a request (schema generation)."""

    def __init__(self, scope: Callable[[Viewer], QuerySet[Any]], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any] | None:
        request = self.context.get("request")
        if request is None:
            return super().get_queryset()
        return self.scope(request.user)


def _schools_filing(user: Viewer) -> QuerySet[Organisation]:
    return scoping.organisations_of_kind(user, Capability.REQUEST_SUPPORT, [OrganisationKind.SCHOOL])


class SupportRequestSerializer(serializers.ModelSerializer):
    school = InReach(_schools_filing, queryset=Organisation.objects.none())
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

    def get_name(self, obj: Ranked) -> str:
        return str(obj.load.profile.user)


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

    case = InReach(reach.cases_for, queryset=Case.objects.none())
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

    def to_representation(self, instance: Visit) -> dict[str, object]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not reach.can_see_notes(request.user, instance.case):
            data["notes"] = None
            data["steps"] = []
        return data


class AnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


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
