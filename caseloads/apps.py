from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseloadsConfig(AppConfig):
    name = "caseloads"
    verbose_name = _("Caseloads")

    def ready(self) -> None:
        from accounts.roles import Capability
        from caseloads import panels
        from caseloads import tasks as _tasks  # noqa: F401  register the Celery tasks in every process
        from core import dashboard, navigation

        navigation.register(
            _("Support"),
            "caseloads:home",
            Capability.REQUEST_SUPPORT,
            Capability.WORK_CASES,
            Capability.ALLOCATE_SUPPORT,
            order=50,
        )
        dashboard.register(
            "caseloads/panel_supporter.html", panels.supporter_panel, Capability.WORK_CASES, order=20
        )
        dashboard.register(
            "caseloads/panel_region.html", panels.region_panel, Capability.ALLOCATE_SUPPORT, order=30
        )
        dashboard.register(
            "caseloads/panel_school.html", panels.school_panel, Capability.REQUEST_SUPPORT, order=40
        )
