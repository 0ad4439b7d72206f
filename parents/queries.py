"""Read side of the parents' pages."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.text import slugify

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from parents import languages
from parents.models import InfoPage, TranslationStatus


def municipalities_by_slug() -> dict[str, Organisation]:
    """Public addresses: /ouders/<lang>/<slug>/ with the slug of the municipality's name (the id is added
    when two municipalities share a name)."""
    found: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).order_by("pk"):
        slug = slugify(org.name) or str(org.pk)
        found[f"{slug}-{org.pk}" if slug in found else slug] = org
    return found


def slug_of(municipality: Organisation) -> str:
    return next(s for s, org in municipalities_by_slug().items() if org.pk == municipality.pk)


def pages_for(municipality: Organisation, *, published_only: bool = True) -> QuerySet[InfoPage]:
    """The municipality's own pages and those its region shares with all its municipalities."""
    owners = Q(organisation=municipality)
    if municipality.parent_id:
        owners |= Q(organisation_id=municipality.parent_id)
    qs = InfoPage.objects.filter(owners).prefetch_related("translations")
    return qs.filter(published=True) if published_only else qs


@dataclass(frozen=True)
class Shown:
    """A page as a parent reads it in ``language``: the translation, or the Dutch text with a notice."""

    page: InfoPage
    language: str  # the language of the text actually shown
    title: str
    body: str
    status: TranslationStatus


def shown(page: InfoPage, language: str) -> Shown:
    status = page.status(language)
    text_language = languages.SOURCE if status == TranslationStatus.MISSING else language
    translation = next(t for t in page.translations.all() if t.language_code == text_language)
    return Shown(page, text_language, translation.title, translation.body, status)


@dataclass(frozen=True)
class StatusRow:
    page: InfoPage
    title: str
    cells: list[tuple[languages.Language, TranslationStatus]]


def status_table(pages: QuerySet[InfoPage]) -> list[StatusRow]:
    offered = languages.configured()
    rows = []
    for page in pages:
        source = next((t for t in page.translations.all() if t.language_code == languages.SOURCE), None)
        rows.append(
            StatusRow(
                page,
                source.title if source else str(page),
                [(lang, page.status(lang.code)) for lang in offered],
            )
        )
    return rows
