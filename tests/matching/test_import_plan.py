"""The import page: the values to use from the user's reach, a dry run that shows what would change and
writes nothing, and an "update existing" mode instead of refusing a file with known pupils."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from matching.services import imports
from pupils.models import AccessAction, AccessLog, Pupil
from tests.factories import OrgTree
from tests.matching.factories import brin_coordinator, interest, make_pupil, typed_day

pytestmark = pytest.mark.usefixtures("import_day")
HEADER = "school;first_name;last_initial;birth_year;grade;transition_date;home_languages;interests"


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator_a(tree: OrgTree):  # type: ignore[no-untyped-def]
    return brin_coordinator(tree.school_a)


def _known(tree: OrgTree) -> Pupil:
    return make_pupil(
        tree.school_a,
        first_name="Sam",
        last_initial="K",
        birth_year=2015,
        grade=5,
        transition_date=timezone.localdate() + timedelta(days=20),
        home_languages=["ar"],
        interests=["music"],
    )


def _file(tree: OrgTree) -> str:
    """Row 2 repeats the known pupil exactly, row 3 changes a known pupil's grade and date, row 4 is new."""
    make_pupil(
        tree.school_a, first_name="Lina", last_initial="B", birth_year=2014, grade=6, home_languages=["tr"]
    )
    return (
        f"{HEADER}\n"
        f"01AA;Sam;K;2015;5;{typed_day(20)};ar;music\n"
        f"01AA;Lina;B;2014;7;{typed_day(21)};tr;\n"
        f"01AA;Noor;S;2016;4;{typed_day(30)};ar;\n"
    )


def _post(client, kind: str = "pupils", text: str = "", **options: str):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("matching:import", args=[kind]), {"file": upload, **options})


def test_it_shows_the_schools_in_reach_and_the_codes_to_use(client, tree, coordinator_a) -> None:  # type: ignore[no-untyped-def]
    interest("football")
    client.force_login(coordinator_a)

    response = client.get(reverse("matching:import", args=["pupils"]))

    assert [(s["name"], s["brin"], s["pk"]) for s in response.context["schools"]] == [
        ("School A", "01AA", tree.school_a.pk)
    ]
    body = response.content.decode()
    assert "<code>football</code>" in body
    assert "<code>ar</code> Arabic" in body
    assert "School B" not in body


def test_it_shows_what_a_dry_run_would_change_and_writes_nothing(client, tree, coordinator_a) -> None:  # type: ignore[no-untyped-def]
    _known(tree)
    text = _file(tree)
    client.force_login(coordinator_a)
    before = list(Pupil.objects.order_by("pk").values())

    response = _post(client, text=text, update_existing="on", dry_run="on")

    assert response.status_code == 200
    plan = response.context["outcome"].plan
    assert [(r.row, r.action, r.changes) for r in plan.rows] == [
        (2, "unchanged", []),
        (3, "update", ["grade", "transition_date"]),
        (4, "create", []),
    ]
    assert "1 new, 1 updated, 1 unchanged. Nothing has been imported yet." in response.content.decode()
    assert list(Pupil.objects.order_by("pk").values()) == before


def test_it_updates_known_pupils_and_creates_new_ones_in_update_mode(client, tree, coordinator_a) -> None:  # type: ignore[no-untyped-def]
    sam = _known(tree)
    text = _file(tree)
    client.force_login(coordinator_a)

    response = _post(client, text=text, update_existing="on")

    assert response.status_code == 302
    lina = Pupil.objects.get(first_name="Lina")
    assert (lina.grade, lina.transition_date) == (7, timezone.localdate() + timedelta(days=21))
    assert Pupil.objects.filter(first_name="Noor").count() == 1
    assert Pupil.objects.get(pk=sam.pk).grade == 5
    changes = AccessLog.objects.filter(action=AccessAction.CHANGE)
    assert list(changes.values_list("pupil_id", "context")) == [(lina.pk, "pupils.update")]
    created = AccessLog.objects.filter(action=AccessAction.CREATE, context="pupils.import")
    assert list(created.values_list("pupil_id", flat=True)) == [Pupil.objects.get(first_name="Noor").pk]
    assert [m.message for m in response.wsgi_request._messages] == [
        "Imported: 1 new, 1 updated, 1 unchanged."
    ]


def test_it_refuses_a_file_with_known_pupils_without_update_mode(client, tree, coordinator_a) -> None:  # type: ignore[no-untyped-def]
    _known(tree)
    text = _file(tree)
    client.force_login(coordinator_a)

    response = _post(client, text=text)

    assert response.status_code == 400
    assert [(e.row, e.message) for e in response.context["rows"]] == [
        (2, "This pupil is already registered."),
        (3, "This pupil is already registered."),
    ]
    assert not Pupil.objects.filter(first_name="Noor").exists()


def test_it_rolls_back_the_whole_file_when_an_update_is_refused(tree, coordinator_a) -> None:  # type: ignore[no-untyped-def]
    _known(tree)
    text = f"{HEADER}\n01AA;Noor;S;2016;4;{typed_day(30)};ar;\n01AA;Sam;K;2015;9;{typed_day(20)};ar;music\n"

    with pytest.raises(imports.ImportInvalid) as refused:
        imports.import_csv(coordinator_a, "pupils", text, update=True)

    assert [(e.row, e.field) for e in refused.value.rows] == [(3, "grade")]
    assert not Pupil.objects.filter(first_name="Noor").exists()
