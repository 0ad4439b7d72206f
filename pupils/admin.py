from django.contrib import admin
from django.http import HttpRequest

from pupils.models import AccessLog, Interest, Pupil


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_en"]
    search_fields = ["code", "name_nl", "name_en"]


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["id", "school", "stage", "grade", "transition_date", "anonymised_at"]
    list_filter = ["stage"]
    autocomplete_fields = ["school"]
    filter_horizontal = ["interests"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "pupil_id", "context"]
    list_filter = ["action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False
