from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementConfig(AppConfig):
    name = "placement"
    verbose_name = _("Newcomer register")

    def ready(self) -> None:
        from accounts.roles import Capability
        from core import dashboard
        from placement import panels
        from placement import tasks as _tasks  # noqa: F401  register the Celery tasks in every process

        dashboard.register(
            "placement/panel_officer.html", panels.officer_panel, Capability.KEEP_REGISTER, order=25
        )
