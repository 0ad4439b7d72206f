"""One retry policy for every task: which errors are transient, and how long to wait between tries.

A transient error is one a later try can get past: the mail server or the broker unreachable, a timeout,
or the database connection dropped or restarted (``OperationalError``, ``InterfaceError``; psycopg raises
these when a backend is terminated). Anything else is a bug or bad data and is not retried.

Tries wait 1, 2, 4, 8, 16 s (capped at ``BACKOFF_MAX``, with jitter): five retries cover a database
failover or a mail server restart of about half a minute; past that the outbox sweep sends the message
again later (``core.outbox.REDELIVER_AFTER``), since its row is only done once the task succeeded.
"""

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
    return min(2**retries, BACKOFF_MAX)
