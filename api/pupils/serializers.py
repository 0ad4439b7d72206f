"""Serializers of the pupils API."""

from typing import Any

from rest_framework import serializers

from api.matching.serializers import LanguageListField, limit_school_choices
from pupils.models import Interest, Pupil


class PupilSerializer(serializers.ModelSerializer):
    interests = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Interest.objects.all(), required=False
    )
    home_languages = LanguageListField(allow_empty=False)
    other_languages = LanguageListField(required=False)

    class Meta:
        model = Pupil
        fields = [
            "id",
            "first_name",
            "last_initial",
            "birth_year",
            "school",
            "stage",
            "grade",
            "transition_date",
            "home_languages",
            "other_languages",
            "interests",
            "gender",
            "buddy_gender_preference",
            "consent_by",
            "consent_at",
            "priority_since",
        ]
        read_only_fields = ["id", "stage", "consent_at", "priority_since"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_school_choices(self)
