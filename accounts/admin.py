from typing import cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import grants, services
from accounts.models import GrantLogEntry, GrantRequest, Invitation, Membership, Organisation, User


def _admin_user(request: HttpRequest) -> User:
    # ModelAdmin's views run behind AdminSite.admin_view, which lets only signed-in active staff in.
    return cast(User, request.user)


class MembershipInline(admin.TabularInline):
    """Read-only here: grants and ends go through the membership admin, which logs them."""

    model = Membership
    extra = 0
    readonly_fields = ("organisation", "role", "created_at")
    fields = readonly_fields  # a tuple: the two attributes are typed differently as lists
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "brin", "stage", "latitude", "longitude"]
    list_filter = ["kind", "stage"]
    search_fields = ["name", "brin"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Add or end memberships through the services, so the grant log has them; never edited in place."""

    list_display = ["user", "role", "organisation"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: object, change: bool) -> None:
        saved = grants.grant_directly(
            _admin_user(request), user=obj.user, organisation=obj.organisation, role=obj.role
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.end_membership(_admin_user(request), obj)


class AppendOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(GrantLogEntry)
class GrantLogEntryAdmin(AppendOnlyAdmin):
    list_display = ["at", "event", "role", "organisation_name", "user_email", "actor_email"]
    list_filter = ["event", "role"]
    search_fields = ["user_email", "actor_email", "organisation_name"]


@admin.register(GrantRequest)
class GrantRequestAdmin(AppendOnlyAdmin):
    list_display = ["user", "role", "organisation", "status", "created_at", "decided_by"]
    list_filter = ["status", "role"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organisation", "created_at", "sent_at", "accepted_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = ["token", "sent_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["organisation", "invited_by"]
