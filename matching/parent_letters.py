"""Letters from the buddy project to a newcomer pupil's parents, in their language (parents app): the
buddy's introduction when a match is approved, and the invitation to a check-in talk.

Matching keeps no parents' contact: the coordinator types the address (or prints the letter) and the
parents' app keeps it with the letter only, under its retention. The letter names the pupil and the buddy
by first name, the school, and one date; it is filed under the pupil (``pupils.pupil``), so the pupil's
export shows it and erasing the pupil erases it.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Capability
from core.errors import ServiceError
from matching.models import Match, MatchStatus
from matching.reach import in_reach
from parents import consent, letters, services
from parents.models import Letter, LetterKind
from pupils import access
from pupils.models import AccessAction

SUBJECT = "pupils.pupil"


@transaction.atomic
def write(user: User, match_id: int, *, kind: str, on_date: date, parent_email: str, language: str) -> Letter:
    match = in_reach(
        Match.objects.select_related("pupil", "buddy", "school"), user, Capability.RUN_MATCHING, match_id
    )
    if match.status != MatchStatus.APPROVED:
        raise ServiceError(_("Only an approved match has letters to the parents."), code="not_approved")
    if kind not in LetterKind.values:
        raise ServiceError(_("Choose a letter."), field="kind")
    letter = letters.write_letter(
        kind,
        consent.Subject(
            SUBJECT, match.pupil_id, match.school, match.pupil.first_name, match.buddy.first_name
        ),
        user,
        on_date=on_date,
        parent_email=parent_email,
        language=language,
    )
    access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.parent_letter")
    return letter


def letters_for(match: Match) -> list[Letter]:
    return list(Letter.objects.filter(subject=SUBJECT, subject_id=match.pupil_id).order_by("-created_at"))


def held_about(pupil_id: int) -> list[dict[str, object]]:
    return services.held_about(SUBJECT, [pupil_id])


def erase_about(pupil_id: int) -> int:
    return services.erase_about(SUBJECT, [pupil_id])
