"""One retry policy for every task: which errors are transient, and how long to wait between tries.

A transient error is one a later try can get past: the mail server or the broker unreachable, a timeout,
or the database connection dropped or restarted (``OperationalError``, ``InterfaceError``; psycopg raises
these when a backend is terminated). Anything else is a bug or bad data and is not retried.

Tries wait 1, 2, 4, 8, 16 s (capped at ``BACKOFF_MAX``, with jitter): five retries cover a database
failover or a mail server restart of about half a minute; past that the outbox sweep sends the message
again later (``core.outbox.REDELIVER_AFTER``), since its row is only done once the task succeeded.
"""

from collections.abc import Callable
from smtplib import SMTPException
from typing import Any

from django.db import InterfaceError, OperationalError

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    SMTPException,
    ConnectionError,
    TimeoutError,
    OperationalError,
    InterfaceError,
)
MAX_RETRIES = 5
BACKOFF_MAX = 60

#: Options for ``@shared_task(**RETRY)`` on tasks that just retry (Celery's autoretry).
RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


def backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``, for tasks that retry by hand (then fail visibly)."""
    seconds: int = min(2**retries, BACKOFF_MAX)
    return seconds


def send_after_record(send: Callable[[], object], undo: Callable[[], object]) -> None:
    """Send a mail whose "sent" record has already committed; if the send fails, remove the record and
    raise, so the retry sends it.

    Why not send inside the transaction that writes the record: a connection dropped while the mail goes
    out (an SMTP conversation takes a while; the transaction sits idle meanwhile) rolls the record back
    after the mail left, and the retry sends it twice. This way a duplicate needs a mail error *and* a
    dropped connection at once, and a loss needs the worker to die between the commit and the send."""
    try:
        send()
    except Exception:
        undo()
        raise
