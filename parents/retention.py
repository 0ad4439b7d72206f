"""How long the parents' side keeps what it holds about a family, and what goes when.

A parent's e-mail address serves one letter: it is erased ``PARENT_CONTACT_RETENTION_DAYS`` after that
letter was sent (a letter that asks nothing back), or after its question was answered or its link expired
(a consent or an offer; a given consent can still be revoked through the link, which needs no address).
The first names a letter printed go with the address for letters; for questions they stay while the
answer stands (a revocation page shows them) and go once the question is closed for
``PUPIL_DATA_RETENTION_MONTHS``, as pupil data does. Kinds, statuses and dates stay for the history.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parents.models import ConsentRequest, ConsentStatus, Letter

CLOSED = (
    ConsentStatus.REFUSED,
    ConsentStatus.REVOKED,
    ConsentStatus.WITHDRAWN,
    ConsentStatus.ACCEPTED,
)
ERASED_NAME = "-"


@transaction.atomic
def erase_expired_contacts() -> int:
    """Blank what has served its letter; idempotent (rows already erased are left alone). Run by beat."""
    now = timezone.now()
    contact_cutoff = now - timedelta(days=settings.PARENT_CONTACT_RETENTION_DAYS)
    names_cutoff = now - timedelta(days=30 * settings.PUPIL_DATA_RETENTION_MONTHS)
    done = Letter.objects.filter(contact_erased_at__isnull=True).filter(
        Q(sent_at__lt=contact_cutoff) | Q(sent_at__isnull=True, created_at__lt=contact_cutoff)
    )
    count = done.update(
        parent_email="", child_first_name=ERASED_NAME, other_first_name="", contact_erased_at=now
    )
    questions = ConsentRequest.objects.exclude(parent_email="").filter(
        Q(answered_at__lt=contact_cutoff) | Q(expires_at__lt=contact_cutoff)
    )
    count += questions.update(parent_email="")
    closed = ConsentRequest.objects.filter(contact_erased_at__isnull=True).filter(
        Q(status__in=CLOSED, answered_at__lt=names_cutoff)
        | Q(status__in=CLOSED, answered_at__isnull=True, created_at__lt=names_cutoff)  # withdrawn
        | Q(status__in=[ConsentStatus.PENDING, ConsentStatus.CALL_REQUESTED], expires_at__lt=names_cutoff)
    )
    count += closed.update(
        child_first_name=ERASED_NAME, other_first_name="", parent_email="", contact_erased_at=now
    )
    return count
