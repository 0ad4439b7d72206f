"""The pupils app owns every pupil write (DESIGN.md, "each app writes only its own tables"): other apps
change pupil records through ``pupils.services`` (``create_pupil``, ``import_pupils``, ``set_priority``,
``clean_languages``...), never with a write through ``Pupil.objects`` (which this test looks for in every
app's code). The demo builders are exempt."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "core", "courses", "matching", "caseloads", "placement", "parents", "api", "demo")
PUPIL_MANAGER = re.compile(r"(?<![\w.])Pupil\.objects\b")
WRITES = {"create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create", "delete"}


def pupil_writes(source: str) -> list[str]:
    """Each ``Pupil.objects....<write>(...)`` call in ``source``, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
            and PUPIL_MANAGER.search(ast.unparse(node.func.value))
        ):
            found.append(ast.unparse(node.func))
    return found


def test_it_finds_a_pupil_write_outside_the_pupils_app() -> None:
    """The control: the scan sees the writes that used to be in matching."""
    assert pupil_writes("Pupil.objects.filter(pk=1).update(priority_since=None)") == [
        "Pupil.objects.filter(pk=1).update"
    ]
    assert pupil_writes("Pupil.objects.bulk_create(rows, batch_size=500)") == ["Pupil.objects.bulk_create"]
    assert pupil_writes("Pupil.objects.filter(pk=1).values_list('pk')") == []
    assert pupil_writes("UnmatchedPupil.objects.filter(run=1).delete()") == []  # matching's own table


def test_it_writes_pupils_only_through_the_pupils_app() -> None:
    offenders = {
        str(path.relative_to(ROOT)): writes
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path.name != "demo.py"
        if (writes := pupil_writes(path.read_text()))
    }

    assert offenders == {}
