"""A peer buddy's consent, asked of the parent and answered by the parent (parents app, signed link).

A peer buddy is a minor: a parent or guardian consents. Staff can still record a paper consent in the
buddy form; this module adds the parent's own answer. When the parent says yes, the buddy has consent
(by the parent, at that moment); when the parent withdraws it, the buddy loses it and every approved
match of the buddy ends with that reason, and the school's coordinators are told.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ServiceError
from matching.models import Buddy, BuddyConsentBy, BuddyKind
from matching.services import followup
from parents import consent
from parents.models import ConsentPurpose, ConsentRequest, ConsentStatus

SUBJECT = "matching.buddy"


def ask(buddy: Buddy, user: User, *, parent_email: str, language: str) -> ConsentRequest:
    if buddy.kind != BuddyKind.PEER:
        raise ServiceError(_("Only a peer buddy (a pupil) needs a parent's consent."), field="buddy")
    return consent.request_consent(
        consent.Subject(SUBJECT, buddy.pk, buddy.school, buddy.first_name),
        user,
        purpose=ConsentPurpose.CHILD_AS_BUDDY,
        parent_email=parent_email,
        language=language,
    )


def requests_for(buddy: Buddy) -> list[ConsentRequest]:
    return list(
        ConsentRequest.objects.filter(subject=SUBJECT, subject_id=buddy.pk)
        .prefetch_related("events")
        .order_by("-created_at", "-pk")
    )


@transaction.atomic
def on_answer(request: ConsentRequest) -> None:
    """The handler the parents app calls, in its transaction, whenever the answer changes."""
    buddy = Buddy.objects.select_for_update().filter(pk=request.subject_id).first()
    if buddy is None:
        return
    if request.status == ConsentStatus.GIVEN:
        buddy.consent_by = BuddyConsentBy.PARENT
        buddy.consent_at = request.answered_at or timezone.now()
        buddy.consent_recorded_by = None  # the parent answered, not a member of staff
        buddy.save(update_fields=["consent_by", "consent_at", "consent_recorded_by"])
    elif request.status == ConsentStatus.REVOKED:
        buddy.consent_by, buddy.consent_at, buddy.consent_recorded_by = "", None, None
        buddy.save(update_fields=["consent_by", "consent_at", "consent_recorded_by"])
        followup.end_for_revoked_consent(buddy)
