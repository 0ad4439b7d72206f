"""Translation status per language: missing, up to date, outdated once the Dutch source changes."""

import pytest

from parents import services
from parents.models import InfoPage, TranslationStatus
from tests.factories import make_user
from tests.parents.factories import make_page

pytestmark = pytest.mark.django_db


def test_it_marks_translations_up_to_date_missing_and_source(tree):
    page = make_page(tree.municipality_a1, translations={"ar": ("عنوان", "نص"), "uk": ("Назва", "Текст")})
    assert page.status("nl") == TranslationStatus.SOURCE
    assert page.status("ar") == TranslationStatus.UP_TO_DATE
    assert page.status("uk") == TranslationStatus.UP_TO_DATE
    assert page.status("ti") == TranslationStatus.MISSING


def test_it_marks_every_translation_outdated_when_the_dutch_text_changes(tree):
    page = make_page(tree.municipality_a1, translations={"ar": ("عنوان", "نص"), "en": ("Title", "Text")})
    services.update_source(
        page,
        make_user(),
        title="Het schoolsysteem",
        body="Nieuwe tekst.",
        topic=page.topic,
        order=0,
        published=True,
    )
    page = InfoPage.objects.get(pk=page.pk)
    assert (
        page.source_revision == 2
    )  # 1 when created; publishing the same text kept it; the new text raised it
    assert page.status("ar") == TranslationStatus.OUTDATED
    assert page.status("en") == TranslationStatus.OUTDATED


def test_it_keeps_translations_up_to_date_when_only_order_or_publication_change(tree):
    page = make_page(tree.municipality_a1, translations={"ar": ("عنوان", "نص")})
    revision = page.source_revision
    services.update_source(
        page, make_user(), title=page.safe_translation_getter("title"), body=page.safe_translation_getter("body"),
        topic=page.topic, order=5, published=False,
    )  # fmt: skip
    page = InfoPage.objects.get(pk=page.pk)
    assert (page.source_revision, page.order, page.published) == (revision, 5, False)
    assert page.status("ar") == TranslationStatus.UP_TO_DATE


def test_it_brings_a_translation_up_to_date_when_it_is_saved_again(tree):
    page = make_page(tree.municipality_a1, translations={"ar": ("عنوان", "نص")})
    editor = make_user()
    services.update_source(
        page, editor, title="Nieuw", body="Nieuw.", topic=page.topic, order=0, published=True
    )
    services.save_translation(page, editor, "ar", title="جديد", body="جديد.")
    assert InfoPage.objects.get(pk=page.pk).status("ar") == TranslationStatus.UP_TO_DATE


def test_it_refuses_a_translation_into_a_language_that_is_not_offered(tree):
    from core.errors import ServiceError

    page = make_page(tree.municipality_a1)
    with pytest.raises(ServiceError) as refused:
        services.save_translation(page, make_user(), "xx", title="t", body="b")
    assert refused.value.field == "language"
    assert list(page.translations.values_list("language_code", flat=True)) == ["nl"]
