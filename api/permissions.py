"""Permissions of the API: one set of defaults that no view can drop.

Every view's ``permission_classes`` is built with :func:`require`, which puts the defaults (signed in, second
factor set where the role needs one) in front of the view's own capability checks. :func:`enforce_defaults`
runs when the URLs are loaded and refuses to start when a view replaced the defaults or overrides
``get_permissions`` (where the defaults could silently disappear): a viewset that sets
``permission_classes = [IsAuthenticated, ...]`` once let school admins without a second factor in.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission, IsAuthenticated

if TYPE_CHECKING:  # rest_framework.views imports this module through DEFAULT_PERMISSION_CLASSES
    from rest_framework.request import Request
    from rest_framework.views import APIView

from accounts import scoping
from accounts.middleware import needs_mfa
from accounts.models import User
from accounts.roles import Capability


class SecondFactorSet(BasePermission):
    """Token users in pupil-data roles are held to the same second-factor rule as page users."""

    message = "Set up two-factor authentication before using this role."
    code = "mfa_required"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return not needs_mfa(request.user)


DEFAULTS: tuple[type[BasePermission], ...] = (IsAuthenticated, SecondFactorSet)


def require(*extra: type[BasePermission]) -> list[type[BasePermission]]:
    """A view's ``permission_classes``: the defaults, then the view's own checks."""
    return [*DEFAULTS, *extra]


def signed_in(request: "Request") -> User:
    """The signed-in user of a view behind :func:`require` (its ``IsAuthenticated`` already refused anyone
    else), typed as ``User`` for the verbs."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def capability(
    cap: Capability, actions: Iterable[str] | None = None, methods: Iterable[str] | None = None
) -> type[BasePermission]:
    """Permission class: the user holds ``cap`` somewhere (rows are still scoped by reach per viewset).

    With ``actions`` (viewset action names) and/or ``methods`` (HTTP methods) the capability is needed only
    for those; other calls pass on the defaults alone.
    """
    only_actions = frozenset(actions) if actions is not None else None
    only_methods = frozenset(methods) if methods is not None else None

    class HasCapability(BasePermission):
        def has_permission(self, request: "Request", view: "APIView") -> bool:
            if only_actions is not None and getattr(view, "action", None) not in only_actions:
                return True
            if only_methods is not None and request.method not in only_methods:
                return True
            return scoping.can(request.user, cap)

    HasCapability.__name__ = f"Has{cap.value.title().replace('_', '')}"
    return HasCapability


def _views(patterns: Iterable[Any]) -> Iterable[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield str(entry.pattern), entry.callback


def defaults_problem(view_class: type["APIView"], initkwargs: dict[str, Any]) -> str | None:
    """Why ``view_class`` (called with ``initkwargs``) could drop the defaults, or None."""
    from rest_framework.views import APIView

    if getattr(view_class, "public_endpoint", False):
        return None
    classes = list(initkwargs.get("permission_classes", view_class.permission_classes))
    if classes[: len(DEFAULTS)] != list(DEFAULTS):
        return (
            "its permission_classes do not start with the defaults: build them with api.permissions.require()"
        )
    if view_class.get_permissions is not APIView.get_permissions:
        return "it overrides get_permissions: use api.permissions.capability(..., actions=...) instead"
    return None


def enforce_defaults(patterns: Iterable[Any]) -> None:
    """Fail loudly at start-up when any API view can answer without the default permissions."""
    from rest_framework.views import APIView

    for route, callback in _views(patterns):
        view_class = getattr(callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView):
            continue
        problem = defaults_problem(view_class, getattr(callback, "initkwargs", {}))
        if problem:
            raise ImproperlyConfigured(f"API view {view_class.__name__} at {route!r}: {problem}.")
