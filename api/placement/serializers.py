"""Serializers for the newcomer register. Parents' contact only for the officer and the child's location."""

from typing import Any

from rest_framework import serializers

from accounts.models import Organisation, SchoolStage
from api.fields import ChoiceOrNull
from placement import queries
from placement.models import Group, Placement, PlacementRun, ProgressLevel, Report


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "parent", "latitude", "longitude"]
        read_only_fields = fields


class GroupSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    stage = serializers.ChoiceField(choices=SchoolStage.choices)
    intake_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), default=list
    )
    free = serializers.IntegerField(read_only=True)

    class Meta:
        model = Group
        fields = [
            "id",
            "location",
            "name",
            "stage",
            "age_min",
            "age_max",
            "capacity",
            "occupied",
            "free",
            "intake_days",
            "active",
        ]
        read_only_fields = ["occupied", "free"]


class ReportSerializer(serializers.ModelSerializer):
    school = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    home_languages = serializers.ListField(child=serializers.CharField(max_length=8), allow_empty=False)
    siblings = serializers.ListField(
        child=serializers.IntegerField(min_value=1), default=list, write_only=True
    )
    sibling_ids = serializers.SerializerMethodField()
    parent_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    parent_phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    parent_email = serializers.EmailField(required=False, default="", allow_blank=True)
    letter_language = serializers.CharField(max_length=8, required=False, default="", allow_blank=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "school",
            "first_name",
            "last_initial",
            "birth_year",
            "birth_month",
            "arrival_date",
            "home_languages",
            "prior_schooling_years",
            "siblings",
            "sibling_ids",
            "parent_name",
            "parent_phone",
            "parent_email",
            "letter_language",
            "status",
            "eligibility_reason",
            "interim",
            "location",
            "reported_at",
        ]
        read_only_fields = ["status", "eligibility_reason", "interim", "location", "reported_at"]

    def get_sibling_ids(self, instance: Report) -> list[int]:
        return sorted(s.pk for s in instance.siblings.all())

    def to_representation(self, instance: Report) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not queries.sees_parents(self.context["request"].user, instance):
            for name in ("parent_name", "parent_phone", "parent_email"):
                data.pop(name)
        return data


class RunSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())

    class Meta:
        model = PlacementRun
        fields = [
            "id",
            "region",
            "status",
            "progress",
            "placed_count",
            "total_km",
            "waiting",
            "created_at",
            "finished_at",
        ]
        read_only_fields = [
            "status",
            "progress",
            "placed_count",
            "total_km",
            "waiting",
            "created_at",
            "finished_at",
        ]


class PlacementSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="report.school_id", read_only=True)
    progress = ChoiceOrNull(choices=ProgressLevel.choices)

    class Meta:
        model = Placement
        fields = [
            "id",
            "report",
            "school",
            "group",
            "run",
            "status",
            "reason",
            "distance_km",
            "start_date",
            "progress",
            "outflow_date",
            "advised_grade",
            "receiving_school",
        ]
        read_only_fields = fields


class StartSerializer(serializers.Serializer):
    start_date = serializers.DateField()


class ProgressSerializer(serializers.Serializer):
    progress = serializers.ChoiceField(choices=ProgressLevel.choices)
    on = serializers.DateField()


class OutflowSerializer(serializers.Serializer):
    outflow_date = serializers.DateField()
    advised_grade = serializers.IntegerField(min_value=1, max_value=8)
    receiving_school = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )


class PlaceByHandSerializer(serializers.Serializer):
    group = serializers.IntegerField(min_value=1)
