"""A pupil file as Dutch Excel saves it: ``;`` between columns, Windows-1252 or UTF-8 with a BOM, Dutch
dates; the template in Dutch opens in columns too."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from matching.services import imports
from pupils.models import Pupil
from tests.factories import OrgTree
from tests.matching.factories import brin_coordinator, typed_day

pytestmark = pytest.mark.usefixtures("import_day")
HEADER = "school;first_name;last_initial;birth_year;grade;transition_date;home_languages;interests"


@pytest.fixture
def coordinator_a(tree: OrgTree):  # type: ignore[no-untyped-def]
    return brin_coordinator(tree.school_a)


@pytest.mark.parametrize(
    "encode",
    [lambda t: t.encode("cp1252"), lambda t: b"\xef\xbb\xbf" + t.encode()],
    ids=["windows-1252", "utf-8 with bom"],
)
def test_it_imports_a_dutch_excel_file(client, coordinator_a, encode) -> None:  # type: ignore[no-untyped-def]
    text = f'{HEADER}\r\n01AA;Zoë;D;2015;5;{typed_day(20)};"ar;ku";\r\n01AA;Anaïs;M;2016;4;{typed_day(30)};fr;\r\n'
    client.force_login(coordinator_a)
    upload = SimpleUploadedFile("leerlingen.csv", encode(text), content_type="text/csv")

    response = client.post(reverse("matching:import", args=["pupils"]), {"file": upload})

    assert response.status_code == 302
    stored = list(
        Pupil.objects.order_by("first_name").values_list("first_name", "transition_date", "home_languages")
    )
    assert stored == [
        ("Anaïs", timezone.localdate() + timedelta(days=30), ["fr"]),
        ("Zoë", timezone.localdate() + timedelta(days=20), ["ar", "ku"]),
    ]


@pytest.mark.parametrize("typed", ["25-01-2030", "25/01/2030", "2030-01-25"])
@time_machine.travel(datetime(2029, 6, 1, 10, tzinfo=UTC), tick=False)  # the date must lie ahead
def test_it_reads_the_dates_people_type(coordinator_a, typed: str) -> None:  # type: ignore[no-untyped-def]
    parsed = imports.parse(coordinator_a, "pupils", f"{HEADER}\n01AA;Sam;K;2015;5;{typed};ar;\n")

    assert parsed.errors == []
    assert parsed.rows[0]["transition_date"].isoformat() == "2030-01-25"


def test_it_names_the_row_and_the_example_for_a_date_it_cannot_read(coordinator_a) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        parsed = imports.parse(coordinator_a, "pupils", f"{HEADER}\n01AA;Sam;K;2015;5;januari;ar;\n")

    assert [(e.row, e.field, e.message) for e in parsed.errors] == [
        (2, "transition_date", "Give a date such as 25-01-2027.")
    ]


def test_it_offers_the_template_in_dutch_columns(client, coordinator_a) -> None:  # type: ignore[no-untyped-def]
    client.force_login(coordinator_a)

    response = client.get(reverse("matching:import_template", args=["buddies"]), HTTP_ACCEPT_LANGUAGE="nl")

    lines = response.content.decode("utf-8").splitlines()
    assert lines[0] == (
        "\ufeffschool;kind;first_name;last_initial;grade;languages;interests;gender;capacity;"
        "available_from;available_until;consent_by;trained_on"
    )
    assert lines[1] == '01ZK;peer;Lotte;J;6;"nl;en";football;f;2;;;parent;'
