"""Dashboard panels (registered in ``CaseloadsConfig.ready``)."""

from django.http import HttpRequest

from accounts import scoping
from accounts.roles import Capability
from caseloads import dashboards


def supporter_panel(request: HttpRequest) -> dict[str, object] | None:
    return dashboards.supporter_summary(request.user)


def region_panel(request: HttpRequest) -> dict[str, object] | None:
    if not scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        return None
    return dashboards.region_summary(request.user)


def school_panel(request: HttpRequest) -> dict[str, object] | None:
    return dashboards.school_summary(request.user)
