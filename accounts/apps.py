from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from accounts import tasks  # noqa: F401 - registered in web processes too, for the outbox
        from accounts.roles import Capability
        from core.navigation import register

        register(_("Dashboard"), "dashboard", order=0)
        register(
            _("Organisations"),
            "organisation_list",
            Capability.MANAGE_ORGANISATIONS,
            Capability.VIEW_MEMBERS,
            order=80,
        )
        register(_("Invitations"), "invitation_list", Capability.INVITE_MEMBERS, order=90)
