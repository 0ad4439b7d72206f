from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Buddy matching")

    def ready(self) -> None:
        from accounts.roles import Capability
        from core import dashboard
        from core.navigation import register
        from matching.panels import coordinator_panel

        register(_("Pupils"), "matching:pupil_list", Capability.VIEW_PUPILS, order=30)
        register(_("Buddies"), "matching:buddy_list", Capability.VIEW_PUPILS, order=31)
        register(_("Matches"), "matching:match_list", Capability.VIEW_PUPILS, order=32)
        register(_("Match runs"), "matching:run_list", Capability.RUN_MATCHING, order=33)
        register(_("Matching reports"), "matching:report", Capability.VIEW_REPORTS, order=34)
        dashboard.register("matching/panel.html", coordinator_panel, Capability.RUN_MATCHING, order=20)

        from matching import parent_consent
        from parents import consent

        consent.register(parent_consent.SUBJECT, parent_consent.on_answer)
