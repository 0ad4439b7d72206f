"""Send a message once, whatever how often its task is delivered (issue 11). Two ways, one place:

- :func:`send_once`: the idempotency record is a row of the sending app's own table with a unique
  constraint on what makes a message "the same" (caseloads ``Notification.key``; courses ``ThemeAlertSent``
  on user + edition, ``ApprovalReminder`` on user + day). It is inserted in its own savepoint, and a second
  delivery that finds it sends nothing.
- :func:`send_once_stamped`: the record is a "sent at" stamp on the domain row the message is about
  (accounts invitations and grant decisions, parents' consent questions and letters, matching's approved and
  ended matches, courses' interest lists). The row is locked, so the conditions that make the message
  still true are checked under the lock, and stamped.

Either way the mail goes out after the record committed, by :func:`core.retry.send_after_record`, which
removes the record (or clears the stamp) again if the send fails, so the task's retry
(``core.retry.RETRY``) sends it.

Not every sender fits: a record that must be checked under a lock on the row whose status decides whether
the message is still true (courses ``EnrolmentMessage``, ``FollowUpMessage``, ``MeetingChangeMessage``)
keeps its own code.
"""

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

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


def send_once_stamped[M: models.Model](
    rows: QuerySet[M], stamp: str, compose: Callable[[M], Callable[[], object]]
) -> bool:
    """Lock the first of ``rows`` whose ``stamp`` (a nullable ``DateTimeField``) is unset, build its message
    with ``compose(row)``, stamp the row and commit, then send; False, without sending, when no such row is
    left (sent by an earlier delivery, or no longer true: ``rows`` filters on what must still hold).

    ``compose`` renders the message and returns the function that hands it over; a failure in that clears
    the stamp and raises, so the retry sends it again."""
    with transaction.atomic():
        row = rows.select_for_update(of=("self",)).filter(**{f"{stamp}__isnull": True}).first()
        if row is None:
            return False
        send = compose(row)
        setattr(row, stamp, timezone.now())
        row.save(update_fields=[stamp])
    unsent = rows.model._default_manager.filter(pk=row.pk)
    send_after_record(send, lambda: unsent.update(**{stamp: None}))
    return True
