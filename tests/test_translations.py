"""Both languages are complete: Dutch (the default) has a translation for every message the code and
templates use, the committed .mo matches the .po, and pages, dates and numbers follow the active language."""

import ast
import gettext
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from core.charts import bar_chart
from tests.support import services_required

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What `makemessages` must not look at (the same --ignore list as in the contributing notes).
IGNORED = [".venv", ".git", "tests", "benchmarks", "node_modules", "test-artifacts", "staticfiles", "media"]


def parse_po(text: str) -> list[dict[str, object]]:
    """The entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries: list[dict[str, object]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict[str, object] = {"msgstr": [], "flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] = {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line):
                key, value = match.group(1), ast.literal_eval(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)  # type: ignore[union-attr]
                else:
                    entry[key] = value
            elif line.startswith('"') and key is not None:
                value = ast.literal_eval(line)
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += value  # type: ignore[index]
                else:
                    entry[key] += value  # type: ignore[operator]
        if "msgid" in entry:
            entries.append(entry)
    return entries


def messages(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """Real, current messages: not the header, not obsolete (#~) entries."""
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def problems(entries: list[dict[str, object]]) -> list[str]:
    found = []
    for e in messages(entries):
        if "fuzzy" in e["flags"]:  # type: ignore[operator]
            found.append(f"fuzzy: {e['msgid']!r}")
        elif not all(e["msgstr"]) or not e["msgstr"]:  # type: ignore[arg-type]
            found.append(f"untranslated: {e['msgid']!r}")
    return found


@pytest.fixture
def extracted_po(tmp_path: Path, settings, monkeypatch) -> Path:
    """Run makemessages on a copy of the project, so the repository's own .po is never touched."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        reason = "needs GNU gettext (xgettext, msgmerge): apt-get install gettext"
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*IGNORED, "__pycache__", "*.pyc", "*.sqlite3"))
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", locale=["nl"], ignore_patterns=IGNORED, verbosity=0)
    return copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_it_has_a_dutch_translation_for_every_message_makemessages_finds(extracted_po: Path) -> None:
    entries = parse_po(extracted_po.read_text(encoding="utf-8"))

    assert len(messages(entries)) > 500  # the extraction really ran over the project
    found = problems(entries)
    assert not found, (
        f"{len(found)} message(s) need a Dutch translation; run "
        "`manage.py makemessages -l nl --ignore=.venv --ignore=tests --ignore=benchmarks`, translate, "
        "drop the fuzzy flags and run compilemessages:\n" + "\n".join(found[:50])
    )


def test_it_commits_a_compiled_catalogue_that_matches_the_po_file() -> None:
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    stale = []
    for e in messages(parse_po(PO.read_text(encoding="utf-8"))):
        if "msgid_plural" in e:
            got = [catalogue.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]  # type: ignore[arg-type]
        else:
            got = [catalogue.gettext(e["msgid"])]  # type: ignore[arg-type]
        if got != e["msgstr"]:
            stale.append(str(e["msgid"]))
    assert not stale, "locale/nl/LC_MESSAGES/django.mo is stale; run compilemessages:\n" + "\n".join(
        stale[:20]
    )


def test_it_recognises_untranslated_and_fuzzy_entries() -> None:
    text = """msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\n"

msgid "Done"
msgstr "Klaar"

msgid "Missing"
msgstr ""

#, fuzzy, python-format
msgid "Hello %(name)s"
msgstr "Hallo %(name)s"

msgid "%(n)s pupil"
msgid_plural "%(n)s pupils"
msgstr[0] "%(n)s leerling"
msgstr[1] ""

#~ msgid "Gone"
#~ msgstr ""
"""
    assert problems(parse_po(text)) == [
        "untranslated: 'Missing'",
        "fuzzy: 'Hello %(name)s'",
        "untranslated: '%(n)s pupil'",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("nl", "Inloggen", "Log in"), ("en", "Log in", "Inloggen")],
)
def test_it_renders_the_start_page_in_the_chosen_language(language: str, expected: str, absent: str) -> None:
    client = Client(headers={"accept-language": language})

    html = client.get("/").content.decode()

    assert f'<html lang="{language}">' in html
    assert expected in html
    assert f">{absent}<" not in html


@pytest.mark.django_db
def test_it_uses_dutch_without_any_language_preference() -> None:
    html = Client().get("/accounts/login/").content.decode()

    assert '<html lang="nl">' in html
    assert "Wachtwoord" in html


@pytest.mark.parametrize(
    ("language", "day", "number"),
    [("nl", "5 maart 2027", "1.234,5"), ("en", "March 5, 2027", "1,234.5")],
)
def test_it_formats_dates_and_numbers_in_the_active_language(language: str, day: str, number: str) -> None:
    template = Template("{{ day|date:'DATE_FORMAT' }}|{{ n|floatformat:'1g' }}")
    with translation.override(language):
        rendered = template.render(Context({"day": date(2027, 3, 5), "n": 1234.5}))
        chart = bar_chart("Hours", [("Haarlem", 1234.5)], decimals=1)

    assert rendered == f"{day}|{number}"
    assert chart.bars[0].display == number
