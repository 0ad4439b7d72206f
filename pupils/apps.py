from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = _("Newcomer pupils")

    def ready(self) -> None:
        from django.utils.text import capfirst

        from accounts.roles import Capability
        from core import navigation
        from pupils.models import AccessLog

        navigation.register(
            capfirst(str(AccessLog._meta.verbose_name_plural)),
            "matching:access_log",
            Capability.VIEW_ACCESS_LOG,
            order=39,
        )
