from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementConfig(AppConfig):
    name = "placement"
    verbose_name = _("Newcomer register")

    def ready(self) -> None:
        from accounts.roles import Capability
        from core import dashboard, navigation
        from placement import panels
        from placement import tasks as _tasks  # noqa: F401  register the Celery tasks in every process

        navigation.register(
            _("Newcomer register"),
            "placement:home",
            Capability.REPORT_NEWCOMERS,
            Capability.KEEP_REGISTER,
            Capability.TEACH_NEWCOMERS,
            order=45,
        )
        navigation.register(_("Newcomer figures"), "placement:figures", Capability.VIEW_REPORTS, order=46)
        dashboard.register(
            "placement/panel_officer.html", panels.officer_panel, Capability.KEEP_REGISTER, order=25
        )
