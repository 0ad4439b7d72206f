from django.contrib import admin

from placement.models import EligibilityRule, Group, Placement, PlacementRun, Report


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["region", "min_age", "max_age", "max_months_in_country"]
    raw_id_fields = ["region"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["location", "name", "stage", "age_min", "age_max", "capacity", "occupied", "active"]
    list_filter = ["stage", "active"]
    raw_id_fields = ["location"]
    readonly_fields = ["occupied"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    # Ids, status and dates only in lists: no child's name in the admin's overview pages.
    list_display = ["id", "school", "status", "reported_at"]
    list_filter = ["status"]
    raw_id_fields = ["school", "siblings", "reported_by"]


@admin.register(PlacementRun)
class PlacementRunAdmin(admin.ModelAdmin):
    list_display = ["id", "region", "status", "progress", "placed_count", "created_at"]
    readonly_fields = ["waiting"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["id", "report_id", "group", "status", "start_date", "outflow_date"]
    list_filter = ["status"]
    raw_id_fields = ["report", "group", "run", "receiving_school", "decided_by"]
