from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # rest_framework.views imports this module through DEFAULT_PERMISSION_CLASSES
    from rest_framework.request import Request
    from rest_framework.views import APIView

from accounts import scoping
from accounts.middleware import needs_mfa
from accounts.roles import Capability


class SecondFactorSet(BasePermission):
    """Token users in pupil-data roles are held to the same second-factor rule as page users."""

    message = "Set up two-factor authentication before using this role."
    code = "mfa_required"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return not needs_mfa(request.user)


def capability(cap: Capability) -> type[BasePermission]:
    """Permission class: the user holds ``cap`` somewhere. Rows are still scoped by reach per viewset."""

    class HasCapability(BasePermission):
        def has_permission(self, request: "Request", view: "APIView") -> bool:
            return scoping.can(request.user, cap)

    HasCapability.__name__ = f"Has{cap.value.title().replace('_', '')}"
    return HasCapability
