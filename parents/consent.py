"""Consent that parents give themselves, through a signed, expiring, single-purpose link.

The link is ``/ouders/toestemming/<token>/`` where the token is Django's signed ``[request id, nonce]``
with a salt of its own: it carries no personal data, cannot be forged without SECRET_KEY, serves this one
request only, and a new nonce voids every earlier link. A pending request's link expires; once the parent
said yes, the same link lets them revoke it later; after a no or a revocation the link is used up.

The asking domain registers a handler for its subject (``register("matching.buddy", handler)``) and is
called in the same transaction whenever the answer changes; this app never imports that domain.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from core.errors import Conflict, ServiceError
from core.outbox import enqueue
from parents import languages
from parents.models import (
    CONSENT_PURPOSES,
    ConsentChannel,
    ConsentEvent,
    ConsentPurpose,
    ConsentRequest,
    ConsentStatus,
)

SALT = "parents.consent"
LINK_DAYS = 14

type Handler = Callable[[ConsentRequest], None]
_HANDLERS: dict[str, Handler] = {}


def register(subject: str, handler: Handler) -> None:
    _HANDLERS[subject] = handler


@dataclass(frozen=True)
class Subject:
    """What the asking domain tells about the child: its own reference and what the parent may read."""

    name: str  # "matching.buddy"
    id: int
    school: Organisation
    child_first_name: str
    other_first_name: str = ""
    place_name: str = ""  # a placement offer: where
    start_date: date | None = None  # a placement offer: from when


class LinkProblem(Exception):
    """A link that cannot be used; ``kind`` is one of invalid, expired, used (shown without details)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _record(
    request: ConsentRequest, status: str, *, channel: str = "", user: User | None = None, reason: str = ""
) -> None:
    ConsentEvent.objects.create(
        request=request, status=status, channel=channel, reason=reason, recorded_by=user
    )
    handler = _HANDLERS.get(request.subject)
    if handler is not None:
        handler(request)


@transaction.atomic
def request_consent(
    subject: Subject, user: User, *, purpose: str, parent_email: str = "", language: str = languages.SOURCE
) -> ConsentRequest:
    if purpose not in ConsentPurpose.values:
        raise ServiceError(_("Unknown purpose."), field="purpose")
    if languages.get(language) is None:
        raise ServiceError(_("This language is not offered to parents."), field="language")
    if purpose == ConsentPurpose.PLACEMENT_OFFER and not (subject.place_name and subject.start_date):
        raise ServiceError(_("An offer names the place and the start date."), field="start_date")
    open_ones = ConsentRequest.objects.select_for_update().filter(
        subject=subject.name, subject_id=subject.id, purpose=purpose, status=ConsentStatus.PENDING
    )
    for earlier in open_ones:
        earlier.status = ConsentStatus.WITHDRAWN
        earlier.save(update_fields=["status"])
        _record(earlier, ConsentStatus.WITHDRAWN, user=user, reason="replaced by a new request")
    request = ConsentRequest.objects.create(
        purpose=purpose,
        subject=subject.name,
        subject_id=subject.id,
        school=subject.school,
        child_first_name=subject.child_first_name,
        other_first_name=subject.other_first_name,
        place_name=subject.place_name,
        start_date=subject.start_date,
        parent_email=parent_email.strip(),
        language=language,
        nonce=secrets.token_hex(16),
        expires_at=timezone.now() + timedelta(days=LINK_DAYS),
        requested_by=user,
    )
    _record(request, ConsentStatus.PENDING, user=user)
    if request.parent_email:
        enqueue("parents.send_consent_request", request.pk)
    return request


# After these the link only says it was used; after a yes it still serves to revoke, and after asking for a
# call the family may still accept the offer through it until it expires.
USED_UP = (ConsentStatus.REFUSED, ConsentStatus.REVOKED, ConsentStatus.WITHDRAWN, ConsentStatus.ACCEPTED)
OPEN = (ConsentStatus.PENDING, ConsentStatus.CALL_REQUESTED)


def token_for(request: ConsentRequest) -> str:
    # The same link every time it is built (for a mail now, a printed letter later); expiry lives in the
    # database, so it can be extended or ended without reissuing links.
    return signing.Signer(salt=SALT).sign_object([request.pk, request.nonce], compress=True)


def find(token: str) -> ConsentRequest:
    """The request a link stands for, or LinkProblem. Expired and used links say only that."""
    try:
        pk, nonce = signing.Signer(salt=SALT).unsign_object(token)
        request = ConsentRequest.objects.select_related("school").get(pk=int(pk))
    except (signing.BadSignature, ValueError, TypeError, ConsentRequest.DoesNotExist):
        raise LinkProblem("invalid") from None
    if not secrets.compare_digest(str(nonce), request.nonce):
        raise LinkProblem("invalid")
    if request.status in USED_UP:
        raise LinkProblem("used")
    if request.status in OPEN and request.expires_at <= timezone.now():
        raise LinkProblem("expired")
    return request


def _locked(request: ConsentRequest) -> ConsentRequest:
    return ConsentRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def answer(request: ConsentRequest, *, given: bool, channel: str = ConsentChannel.LINK, user: User | None = None,
           reason: str = "") -> ConsentRequest:  # fmt: skip
    request = _locked(request)
    if request.purpose not in CONSENT_PURPOSES:
        raise Conflict(_("This is not a question of consent."), code="not_consent")
    if request.status != ConsentStatus.PENDING:
        raise Conflict(_("This question was already answered."), code="already_answered")
    if channel == ConsentChannel.PAPER and not reason.strip():
        raise ServiceError(
            _("Say why consent is recorded on paper (for example: signed form of 3 March)."), field="reason"
        )
    if channel == ConsentChannel.LINK and request.expires_at <= timezone.now():
        raise Conflict(_("This link has expired."), code="expired")
    request.status = ConsentStatus.GIVEN if given else ConsentStatus.REFUSED
    request.answered_at, request.channel = timezone.now(), channel
    request.save(update_fields=["status", "answered_at", "channel"])
    _record(request, request.status, channel=channel, user=user, reason=reason.strip())
    return request


@transaction.atomic
def revoke(request: ConsentRequest, *, channel: str = ConsentChannel.LINK, user: User | None = None,
           reason: str = "") -> ConsentRequest:  # fmt: skip
    request = _locked(request)
    if request.status != ConsentStatus.GIVEN:
        raise Conflict(_("Only a consent that was given can be revoked."), code="not_given")
    if channel == ConsentChannel.PAPER and not reason.strip():
        raise ServiceError(_("Say why the consent is revoked on paper."), field="reason")
    request.status, request.answered_at, request.channel = ConsentStatus.REVOKED, timezone.now(), channel
    request.save(update_fields=["status", "answered_at", "channel"])
    _record(request, ConsentStatus.REVOKED, channel=channel, user=user, reason=reason.strip())
    return request


@transaction.atomic
def answer_offer(request: ConsentRequest, *, accept: bool, channel: str = ConsentChannel.LINK,
                 user: User | None = None, reason: str = "") -> ConsentRequest:  # fmt: skip
    """The family accepts the place, or asks to be called first; after a call, the family (by the link) or
    staff (on paper, with a reason: "accepted on the phone on 3 March") record the acceptance."""
    request = _locked(request)
    if request.purpose != ConsentPurpose.PLACEMENT_OFFER:
        raise Conflict(_("This is not an offer."), code="not_offer")
    allowed = OPEN if accept else (ConsentStatus.PENDING,)
    if request.status not in allowed:
        raise Conflict(_("This question was already answered."), code="already_answered")
    if channel == ConsentChannel.PAPER and not reason.strip():
        raise ServiceError(
            _("Say how the family answered (for example: on the phone on 3 March)."), field="reason"
        )
    if channel == ConsentChannel.LINK and request.expires_at <= timezone.now():
        raise Conflict(_("This link has expired."), code="expired")
    request.status = ConsentStatus.ACCEPTED if accept else ConsentStatus.CALL_REQUESTED
    request.answered_at, request.channel = timezone.now(), channel
    request.save(update_fields=["status", "answered_at", "channel"])
    _record(request, request.status, channel=channel, user=user, reason=reason.strip())
    return request


@transaction.atomic
def withdraw(request: ConsentRequest, user: User | None, *, reason: str) -> ConsentRequest:
    """The asking domain takes back an open question (the offer of a place that went to someone else);
    its link then says it was used."""
    request = _locked(request)
    if request.status not in OPEN:
        raise Conflict(_("This question was already answered."), code="already_answered")
    request.status = ConsentStatus.WITHDRAWN
    request.save(update_fields=["status"])
    _record(request, ConsentStatus.WITHDRAWN, user=user, reason=reason)
    return request
