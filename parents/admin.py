from django.contrib import admin
from parler.admin import TranslatableAdmin

from parents.models import InfoPage


@admin.register(InfoPage)
class InfoPageAdmin(TranslatableAdmin):
    list_display = ("__str__", "organisation", "topic", "published", "source_revision")
    list_filter = ("topic", "published")
    readonly_fields = ("source_revision", "source_changed_at")
