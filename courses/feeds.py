"""The address of a teacher's calendar feed, without a write when a page shows it (issue 11).

Until a teacher renews the address, the token is derived: ``<user pk>.<signature>``, signed with the
site's secret key under its own salt, so every user has an address from the start and showing it writes
nothing. Renewing stores a random token in ``CalendarFeed``; from then on only the stored token works and
the derived one is refused, so renewing still invalidates every older link. (Rotating SECRET_KEY also
invalidates the derived addresses; stored ones are unaffected.)
"""

from django.core import signing
from django.db import transaction

from accounts.models import User
from courses.models import CalendarFeed

_SIGNER = signing.Signer(salt="courses.calendar-feed", sep=".")


def token_for(user: User) -> str:
    """The current token of ``user``'s feed: the stored one after a renewal, the derived one before."""
    stored = CalendarFeed.objects.filter(user=user).values_list("token", flat=True).first()
    return stored if stored is not None else _SIGNER.sign(str(user.pk))


def user_for(token: str) -> User | None:
    """The active user whose feed ``token`` opens, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is not None:
        return feed.user if feed.user.is_active else None
    try:
        pk = int(_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    if CalendarFeed.objects.filter(user_id=pk).exists():  # renewed: the derived address no longer works
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@transaction.atomic
def renew(user: User) -> None:
    """A new random token for ``user``'s feed; the stored or derived one before it stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    CalendarFeed.objects.create(user=user)
