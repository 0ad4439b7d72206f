"""The parents' pages speak every configured language: each message a parent can read has a translation
in each of them, the Dutch catalogue holds the editors' messages too, and the compiled catalogues match."""

import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from parents.locale_scope import STAFF_FILES
from tests.support import services_required
from tests.test_translations import messages, parse_po, problems

APP = Path(__file__).resolve().parents[2] / "parents"
# One sentence of each letter template and of the offer's page: they must reach every family catalogue.
LETTER_SENTENCES = {
    "A question from your child's school",
    "There is a place for %(child)s in the newcomer class at %(place)s.",
    "At %(school)s, %(child)s gets a buddy: %(buddy)s.",
    "The talk is on %(date)s at the school.",
    "Please call me first",
}
FAMILY_LANGUAGES = [code for code in settings.PARENT_LANGUAGES if code not in {"nl", "en"}]


def _extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, ignore: list[str]) -> Path:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        reason = "needs GNU gettext (xgettext, msgmerge): apt-get install gettext"
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    copy = tmp_path / "parents"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=[language], ignore_patterns=ignore, verbosity=0)
    return copy / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", FAMILY_LANGUAGES)
def test_it_translates_every_message_of_the_public_pages(tmp_path, monkeypatch, language):
    entries = parse_po(_extract(tmp_path, monkeypatch, language, STAFF_FILES).read_text(encoding="utf-8"))
    msgids = {e["msgid"] for e in messages(entries)}
    assert len(msgids) >= 30  # the extraction really ran over the public pages
    assert msgids >= LETTER_SENTENCES  # and over the letters' templates and the offer's answer page
    found = problems(entries)
    assert not found, f"parents/locale/{language}: {len(found)} message(s) to translate:\n" + "\n".join(found)


def test_it_translates_every_message_of_the_app_into_dutch(tmp_path, monkeypatch):
    entries = parse_po(_extract(tmp_path, monkeypatch, "nl", []).read_text(encoding="utf-8"))
    assert len(messages(entries)) >= 80
    found = problems(entries)
    assert not found, "parents/locale/nl: messages to translate:\n" + "\n".join(found)


@pytest.mark.parametrize("language", ["nl", *FAMILY_LANGUAGES])
def test_it_commits_compiled_catalogues_that_match_the_po_files(language):
    po = APP / "locale" / language / "LC_MESSAGES" / "django.po"
    catalogue = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    stale = [
        e["msgid"]
        for e in messages(parse_po(po.read_text("utf-8")))
        if [catalogue.gettext(e["msgid"])] != e["msgstr"]
    ]
    assert not stale, f"{po.with_suffix('.mo')} is stale; run compilemessages in parents/: {stale[:10]}"


@pytest.mark.django_db
def test_it_shows_the_pages_chrome_in_the_familys_language(client, tree):
    html = client.get("/ouders/ar/municipality-a1/").content.decode()
    assert "اختر اللغة" in html  # "Choose language"
    assert "متى يذهب طفلي إلى المدرسة؟" in html  # "When does my child go to school?"
    assert "ትግርኛ" in html  # every language is offered by its own name
