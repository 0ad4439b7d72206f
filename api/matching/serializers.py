"""Serializers of the buddy-matching API (buddies, CSV imports, match runs, matches, check-ins)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation
from accounts.roles import Capability
from api.fields import ChoiceOrNull
from api.params import MAX_ID
from core.errors import ServiceError
from matching import services
from matching.explanations import explain
from matching.models import (
    Buddy,
    BuddyKind,
    CheckIn,
    CheckInOutcome,
    EndReason,
    Fit,
    ImportJob,
    Match,
    MatchRun,
)
from matching.services import imports
from pupils.models import Interest


def schools_in_reach(user: Viewer) -> QuerySet[Organisation]:
    return scoping.reach(user, Capability.MANAGE_PUPILS).organisations().filter(kind="school")


def limit_school_choices(serializer: serializers.Serializer[Any]) -> None:
    """The ``school`` field of a pupil or buddy offers the schools where the caller manages pupils."""
    request = serializer.context.get("request")
    school = serializer.fields["school"]
    if request is not None and isinstance(school, serializers.RelatedField):
        # The stubs type RelatedField.queryset as QuerySet | Manager and check the assignment against
        # Manager.__get__, which wants a model's Options: a stub quirk, the assignment is DRF's own way.
        school.queryset = schools_in_reach(request.user)  # type: ignore[arg-type]


class LanguageListField(serializers.ListField):
    """ISO 639 codes; unknown ones are refused by the service with the code named."""

    child = serializers.CharField(max_length=5)


class BuddySerializer(serializers.ModelSerializer):
    interests = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Interest.objects.all(), required=False
    )
    languages = LanguageListField(allow_empty=False)

    class Meta:
        model = Buddy
        fields = [
            "id",
            "kind",
            "school",
            "first_name",
            "last_initial",
            "grade",
            "languages",
            "interests",
            "gender",
            "capacity",
            "available_from",
            "available_until",
            "consent_by",
            "consent_at",
            "trained_on",
        ]
        read_only_fields = ["id", "consent_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_school_choices(self)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        consent_by = attrs.get("consent_by", getattr(self.instance, "consent_by", None))
        try:
            services.check_buddy_consent(kind, consent_by)
        except ServiceError as exc:
            raise serializers.ValidationError({exc.field or "consent_by": [exc.message]}) from None
        return attrs


class ImportFileSerializer(serializers.Serializer):
    file = serializers.FileField()


ImportResult = inline_serializer(
    "ImportResult",
    {
        "created": serializers.IntegerField(),
        "job": serializers.IntegerField(allow_null=True),
        "status": serializers.CharField(),
        "rows_total": serializers.IntegerField(),
    },
)


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    """The API's error shape plus ``rows``: every problem of the file (empty when the file itself could
    not be read)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    # The error shape's key is ``fields``, which shadows Serializer.fields in the stubs; only the schema reads it.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    rows = ImportRowErrorSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    rows_done = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "status", "rows_total", "rows_done", "created_count", "errors", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_rows_done(self, obj: ImportJob) -> int:
        return imports.job_progress(obj)


class RunProgressSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    components_done = serializers.IntegerField()
    components_total = serializers.IntegerField()
    batches_done = serializers.IntegerField()
    batches_total = serializers.IntegerField()
    pupils_total = serializers.IntegerField()
    pupils_matched = serializers.IntegerField()


class MatchRunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    stats = serializers.JSONField(read_only=True)

    class Meta:
        model = MatchRun
        fields = [
            "id",
            "scope",
            "buddy_kind",
            "status",
            "trigger",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "stats",
            "error",
        ]
        read_only_fields = fields

    @extend_schema_field(RunProgressSerializer)
    def get_progress(self, obj: MatchRun) -> dict[str, int]:
        return {
            "percent": obj.percent,
            "components_done": obj.components_done,
            "components_total": obj.components_total,
            "batches_done": obj.batches_done,
            "batches_total": obj.batches_total,
            "pupils_total": obj.pupils_total,
            "pupils_matched": obj.pupils_matched,
        }


class StartRunSerializer(serializers.Serializer):
    scope = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    buddy_kind = serializers.ChoiceField(choices=BuddyKind.choices)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MatchSerializer(serializers.ModelSerializer):
    end_reason = ChoiceOrNull(choices=EndReason.choices)
    fit = ChoiceOrNull(choices=Fit.choices)
    pupil = serializers.SerializerMethodField()
    buddy = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    reasons = serializers.JSONField(read_only=True)
    alternatives = serializers.JSONField(read_only=True)

    class Meta:
        model = Match
        fields = [
            "id",
            "run",
            "pupil",
            "buddy",
            "school",
            "kind",
            "status",
            "locked",
            "cost",
            "explanation",
            "reasons",
            "alternatives",
            "starts_on",
            "ends_on",
            "ended_at",
            "end_reason",
            "fit",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer)
    def get_pupil(self, obj: Match) -> dict[str, Any]:
        return {"id": obj.pupil_id, "name": obj.pupil.display_name}

    @extend_schema_field(PersonSerializer)
    def get_buddy(self, obj: Match) -> dict[str, Any]:
        return {"id": obj.buddy_id, "name": obj.buddy.display_name}

    @extend_schema_field(OpenApiTypes.STR)
    def get_explanation(self, obj: Match) -> str:
        return explain(obj.reasons, self.context.get("interest_names"))


class CheckInSerializer(serializers.ModelSerializer):
    outcome = ChoiceOrNull(choices=CheckInOutcome.choices)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "due_on", "done_at", "outcome", "overdue"]
        read_only_fields = fields


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CheckInOutcome.choices)


class EndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=EndReason.choices)


class FitSerializer(serializers.Serializer):
    fit = serializers.ChoiceField(choices=Fit.choices)


class SwapSerializer(serializers.Serializer):
    buddy = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False, max_length=1000
    )


BulkApproveResult = inline_serializer(
    "BulkApproveResult",
    {
        "approved": serializers.ListField(child=serializers.IntegerField()),
        "refused": serializers.DictField(child=serializers.CharField()),
    },
)
