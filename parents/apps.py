from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParentsConfig(AppConfig):
    name = "parents"
    verbose_name = _("Parents")

    def ready(self) -> None:
        from accounts.roles import Capability
        from core import navigation
        from parents import tasks  # noqa: F401 - registered in web processes too, for the outbox

        navigation.register(_("Parents' pages"), "parents:edit_list", Capability.EDIT_PARENT_INFO, order=60)
