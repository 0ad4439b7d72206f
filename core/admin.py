from django.contrib import admin

from core.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "created_at", "dispatched_at", "done_at", "attempts"]
    list_filter = ["dispatched_at", "done_at"]
    readonly_fields = ["task", "args", "created_at", "dispatched_at", "done_at", "attempts", "last_error"]
