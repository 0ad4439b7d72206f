from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo region (``manage.py seed_demo``): the one app allowed to know every other app."""

    name = "demo"
    verbose_name = _("Demo region")
