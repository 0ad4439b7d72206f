"""Dashboard panels (registered in ``CaseloadsConfig.ready``)."""

from django.http import HttpRequest

from accounts import scoping
from accounts.roles import Capability


def supporter_panel(request: HttpRequest) -> dict[str, object] | None:
    from caseloads import dashboards

    return dashboards.supporter_summary(request.user)


def region_panel(request: HttpRequest) -> dict[str, object] | None:
    if not scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        return None
    from caseloads import dashboards

    return dashboards.region_summary(request.user)


def school_panel(request: HttpRequest) -> dict[str, object] | None:
    from caseloads import dashboards

    return dashboards.school_summary(request.user)
