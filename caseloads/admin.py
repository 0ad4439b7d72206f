from django.contrib import admin

from caseloads.models import Case, SupporterProfile, SupportRequest, Transfer, Visit


@admin.register(SupporterProfile)
class SupporterProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "service", "home_municipality", "contract_hours_per_week", "active"]
    list_filter = ["active", "service"]
    raw_id_fields = ["user"]


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "school", "topic", "urgency", "status", "created_at"]
    list_filter = ["status", "topic", "urgency"]
    raw_id_fields = ["school", "filed_by", "pupils"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["id", "school", "supporter", "topic", "status", "opened_at", "closed_at", "anonymised_at"]
    list_filter = ["status", "topic"]
    raw_id_fields = ["request", "supporter", "advisor", "school", "pupils"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    # Notes are not listed: they are read on the case page, by the case's supporters and the coordinator.
    list_display = ["id", "case", "supporter", "date", "kind", "duration_minutes", "done"]
    list_filter = ["kind", "done"]
    raw_id_fields = ["case", "supporter"]


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["id", "case", "from_supporter", "to_supporter", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["case", "from_supporter", "to_supporter"]
