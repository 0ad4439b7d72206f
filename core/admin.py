from typing import TYPE_CHECKING

from django.contrib import admin

from core.models import OutboxMessage

if TYPE_CHECKING:
    _Admin = admin.ModelAdmin[OutboxMessage]  # generic in the stubs only
else:
    _Admin = admin.ModelAdmin


@admin.register(OutboxMessage)
class OutboxMessageAdmin(_Admin):
    list_display = ["id", "task", "created_at", "dispatched_at", "done_at", "attempts"]
    list_filter = ["dispatched_at", "done_at"]
    readonly_fields = ["task", "args", "created_at", "dispatched_at", "done_at", "attempts", "last_error"]
