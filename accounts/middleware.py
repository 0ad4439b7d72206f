from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.roles import PUPIL_DATA_ROLES


def needs_mfa(user: Viewer) -> bool:
    """True when ``user`` holds a role that sees pupil data but has not set up a second factor."""
    if not settings.MFA_REQUIRED_FOR_PUPIL_ROLES or not user.is_authenticated:
        return False
    cached: bool | None = getattr(user, "_overstap_needs_mfa", None)
    if cached is None:
        # The memberships the request's reach checks load anyway (one query, cached on the user).
        holds_pupil_role = any(m.role in PUPIL_DATA_ROLES for m in scoping.memberships(user))
        cached = (
            holds_pupil_role
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        )
        setattr(user, "_overstap_needs_mfa", cached)  # noqa: B010 (a per-request cache the model does not declare)
    return cached


class RequireMFAMiddleware:
    """Send people in pupil-data roles to the TOTP set-up page until they have a second factor."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/api/v1/auth/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.EXEMPT_PREFIXES) and needs_mfa(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Set up two-factor authentication before using this role."),
                        "code": "mfa_required",
                    },
                    status=403,
                )
            return redirect(reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
