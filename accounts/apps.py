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
        register(_("Grants to approve"), "grant_list", Capability.APPROVE_GRANTS, order=91)
        register(_("Grant log"), "grant_log", Capability.VIEW_GRANT_LOG, order=92)

        from accounts.views_grants import pending_panel
        from core import dashboard

        dashboard.register("accounts/panels/grants.html", pending_panel, Capability.APPROVE_GRANTS, order=5)
