"""Send a message once, whatever how often its task is delivered (issue 11).

The idempotency record is a row of the sending app's own table with a unique constraint on what makes a
message "the same" (caseloads ``Notification.key``; courses ``ThemeAlertSent`` on user + edition).
:func:`send_once` inserts it in its own savepoint, and a second delivery that finds it sends nothing; the
mail goes out after the record committed, by :func:`core.retry.send_after_record`, which removes the
record again if the send fails, so the task's retry (``core.retry.RETRY``) sends it.

Not every sender fits: a record that must be checked under a lock on
the row whose status decides whether the message is still true (courses ``EnrolmentMessage``,
``FollowUpMessage``, ``MeetingChangeMessage``), or a "sent at" stamp on the domain row itself (accounts
invitations and grants, matching's ``notified_at``), keep their own code.
"""

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction

from core.retry import send_after_record


def send_once(record: type[models.Model], send: Callable[[], object], **fields: Any) -> bool:
    """Insert ``record(**fields)`` and then call ``send``; False, without sending, when the record exists.

    ``send`` should only hand the message over (build it before): a failure in it removes the record and
    raises, so the retry sends it again."""
    try:
        with transaction.atomic():
            row = record._default_manager.create(**fields)
    except IntegrityError:
        return False  # sent by an earlier delivery of this task
    send_after_record(send, record._default_manager.filter(pk=row.pk).delete)
    return True
