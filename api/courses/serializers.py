"""Serializers of the courses API: modules, editions with their seat counts and meetings, enrolments
with their waitlist position, attendance, certificates, and the request bodies of the verbs."""

from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from courses import services
from courses.models import (
    Attendance,
    Certificate,
    Edition,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    Module,
    Theme,
)


class ModuleSerializer(serializers.ModelSerializer):
    themes = serializers.SerializerMethodField()
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "title",
            "summary",
            "description",
            "themes",
            "format",
            "audience_stage",
            "audience_role",
            "pd_hours",
            "organiser",
            "organiser_name",
            "visible_in",
        ]
        read_only_fields = fields

    # A plain schema dict rather than a ChoiceField child: the same choice set also appears as
    # ``theme`` (certificates, PD record) and would otherwise get two enum component names.
    @extend_schema_field({"type": "array", "items": {"type": "string", "enum": Theme.values}})
    def get_themes(self, obj: Module) -> list[str]:
        return obj.theme_list


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "ends_at", "venue", "online_url"]
        read_only_fields = fields


class ModuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title", "format", "pd_hours"]
        read_only_fields = fields


class EditionSerializer(serializers.ModelSerializer):
    module = ModuleBriefSerializer(read_only=True)
    meetings = MeetingSerializer(many=True, read_only=True)
    held = serializers.IntegerField(read_only=True, help_text="Confirmed and offered seats.")
    reserved = serializers.IntegerField(read_only=True, help_text="Unnamed seats reserved by schools.")
    waiting = serializers.IntegerField(read_only=True, help_text="People on the waitlist.")
    free = serializers.IntegerField(read_only=True)

    class Meta:
        model = Edition
        fields = [
            "id",
            "module",
            "label",
            "status",
            "capacity",
            "held",
            "reserved",
            "waiting",
            "free",
            "enrol_opens_at",
            "enrol_closes_at",
            "cancel_deadline",
            "starts_at",
            "ends_at",
            "requires_school_approval",
            "promotion_mode",
            "offer_hours",
            "meetings",
        ]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    waitlist_position = serializers.SerializerMethodField()
    teacher_name = serializers.CharField(source="teacher.get_full_name", read_only=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "edition",
            "teacher",
            "teacher_name",
            "school",
            "status",
            "waitlist_position",
            "offer_expires_at",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=1))
    def get_waitlist_position(self, obj: Enrolment) -> int | None:
        return services.waitlist_position(obj)


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "enrolment", "meeting", "present", "method", "marked_at"]
        read_only_fields = fields


class CapacitySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(min_value=1, max_value=10000)


class CancelEditionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="The message to everyone released (required: they are told why)."
    )


class MarkAttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        max_length=5000,
        help_text="Ids of the enrolments present; every other confirmed participant is marked absent.",
    )


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class EvaluationSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comments = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "title", "theme", "hours", "completed_on", "school_year", "code"]
        read_only_fields = fields
