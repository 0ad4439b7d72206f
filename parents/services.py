"""Verbs of the parents' side. Each takes already-scoped objects and the acting user; one transaction each."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.roles import OrganisationKind
from core.errors import ServiceError
from parents import languages
from parents.models import InfoPage, Topic

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
