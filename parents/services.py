"""Verbs of the parents' side. Each takes already-scoped objects and the acting user; one transaction each."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.roles import OrganisationKind
from core.errors import ServiceError
from parents import languages
from parents.models import ConsentRequest, InfoPage, Letter, Topic

EDITABLE_KINDS = frozenset({OrganisationKind.MUNICIPALITY, OrganisationKind.REGION})


def _text(value: str) -> str:
    """Browsers send a textarea's lines with CRLF: without this, saving an unchanged page would count as a
    change of the Dutch text and mark every translation outdated."""
    return value.replace("\r\n", "\n").strip()


@transaction.atomic
def create_page(
    organisation: Organisation, user: User, *, title: str, body: str, topic: str = Topic.OTHER, order: int = 0
) -> InfoPage:
    if organisation.kind not in EDITABLE_KINDS:
        raise ServiceError(_("Pages for parents belong to a municipality or a region."), field="organisation")
    page = InfoPage(organisation=organisation, topic=topic, order=order, source_changed_at=timezone.now())
    page.set_current_language(languages.SOURCE)
    page.title, page.body = title.strip(), _text(body)
    page.based_on_revision = page.source_revision
    page.translated_at = timezone.now()
    page.save()
    return page


@transaction.atomic
def update_source(
    page: InfoPage, user: User, *, title: str, body: str, topic: str, order: int, published: bool
) -> InfoPage:
    """Save the Dutch text. A change of title or text makes every translation outdated (a new revision);
    a change of topic, order or publication does not."""
    page = InfoPage.objects.select_for_update().get(pk=page.pk)
    page.set_current_language(languages.SOURCE)
    title, body = title.strip(), _text(body)
    changed = (page.safe_translation_getter("title"), page.safe_translation_getter("body")) != (title, body)
    if changed:
        page.source_revision += 1
        page.source_changed_at = timezone.now()
    page.topic, page.order, page.published = topic, order, published
    page.title, page.body = title, body
    page.based_on_revision = page.source_revision
    page.translated_at = timezone.now()
    page.save()
    return page


@transaction.atomic
def save_translation(page: InfoPage, user: User, language: str, *, title: str, body: str) -> InfoPage:
    """Save a translation, made from the Dutch text as it is now."""
    if language == languages.SOURCE or languages.get(language) is None:
        raise ServiceError(_("This language is not offered to parents."), field="language")
    page = InfoPage.objects.select_for_update().get(pk=page.pk)
    page.set_current_language(language)
    page.title, page.body = title.strip(), _text(body)
    page.based_on_revision = page.source_revision
    page.translated_at = timezone.now()
    page.save()
    return page


def _day(value: date | None) -> str | None:
    """A date or a moment (a ``datetime`` is a ``date``) in ISO form, for the right-of-access export."""
    return value.isoformat() if value else None


def held_about(subject: str, ids: list[int]) -> list[dict[str, Any]]:
    """Everything the parents' side holds about a domain's subjects (a child's right of access): the
    questions with their history, and the letters, with the contact they were sent to."""
    held: list[dict[str, Any]] = []
    for asked in ConsentRequest.objects.filter(subject=subject, subject_id__in=ids).prefetch_related(
        "events"
    ):
        held.append(
            {
                "kind": asked.purpose,
                "subject_id": asked.subject_id,
                "child_first_name": asked.child_first_name,
                "other_first_name": asked.other_first_name,
                "place": asked.place_name,
                "start_date": _day(asked.start_date),
                "parent_email": asked.parent_email,
                "language": asked.language,
                "status": asked.status,
                "channel": asked.channel,
                "sent_at": _day(asked.sent_at),
                "answered_at": _day(asked.answered_at),
                "expires_at": _day(asked.expires_at),
                "events": [
                    {"at": e.at.isoformat(), "status": e.status, "channel": e.channel, "reason": e.reason}
                    for e in asked.events.all()
                ],
            }
        )
    for letter in Letter.objects.filter(subject=subject, subject_id__in=ids):
        held.append(
            {
                "kind": letter.kind,
                "subject_id": letter.subject_id,
                "child_first_name": letter.child_first_name,
                "other_first_name": letter.other_first_name,
                "date": _day(letter.on_date),
                "parent_email": letter.parent_email,
                "language": letter.language,
                "sent_at": _day(letter.sent_at),
            }
        )
    return held


@transaction.atomic
def erase_about(subject: str, ids: list[int]) -> int:
    """Erase the questions and letters about a domain's subjects, with their history (the domain erases
    its own record in the same transaction)."""
    _total, questions = ConsentRequest.objects.filter(subject=subject, subject_id__in=ids).delete()
    _total, letters = Letter.objects.filter(subject=subject, subject_id__in=ids).delete()
    return questions.get("parents.ConsentRequest", 0) + letters.get("parents.Letter", 0)
