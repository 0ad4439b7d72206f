from django.contrib import admin

from matching.models import Buddy, CheckIn, ImportJob, Match, MatchRun


@admin.register(Buddy)
class BuddyAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "school", "capacity", "anonymised_at"]
    list_filter = ["kind"]
    autocomplete_fields = ["school"]
    filter_horizontal = ["interests"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["id", "scope", "buddy_kind", "status", "trigger", "created_at", "pupils_matched"]
    list_filter = ["status", "buddy_kind", "trigger"]
    readonly_fields = ["stats", "error"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["id", "run", "pupil_id", "buddy_id", "school", "status", "locked"]
    list_filter = ["status", "kind", "locked"]
    raw_id_fields = ["run", "pupil", "buddy", "school"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["id", "match_id", "due_on", "done_at", "outcome"]
    raw_id_fields = ["match"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "rows_total", "created_count", "created_at"]
    exclude = ["content"]
