"""The once-only record of notifications sent (``core.notify.send_once``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One row per notification sent, so a task delivered twice sends once (``key`` is unique)."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")

    def __str__(self) -> str:
        return self.key
