from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that causes it.

    If the broker is down when the transaction commits, the message stays here and the periodic sweep
    (``core.tasks.flush_outbox``) sends it once the broker is back: nothing is lost. A message is done when
    its task succeeded, not when it reached the broker, so a task lost after that is sent again. Every task sent this
    way is idempotent, so the rare double send (sweep and commit hook racing) changes nothing.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # Set when the task ran to the end (``core.outbox.mark_done``); until then the sweep may send it again.
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(done_at__isnull=True), name="outbox_not_done"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
