"""The import result page leads on: to the imported records and the match runs, or back to a corrected file."""

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import ImportJob, ImportStatus


def _page(user, job: ImportJob) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    response = client.get(reverse("matching:import_job", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("kind", "href", "label"),
    [
        ("pupils", "/matching/pupils/", "Naar de leerlingen"),
        ("buddies", "/matching/buddies/", "Naar de maatjes"),
    ],
)
def test_it_links_a_finished_import_onward(coordinator_a, kind, href, label):
    job = ImportJob.objects.create(
        kind=kind, created_by=coordinator_a, rows_total=1, status=ImportStatus.DONE, created_count=1
    )

    html = _page(coordinator_a, job)

    assert "1 record geïmporteerd." in html
    assert f'<a class="button" href="{href}">{label}</a>' in html
    assert '<a href="/matching/runs/">Naar de koppelrondes</a>' in html


def test_it_links_a_failed_import_back_to_the_upload(coordinator_a):
    job = ImportJob.objects.create(kind="buddies", created_by=coordinator_a, status=ImportStatus.FAILED)

    html = _page(coordinator_a, job)

    assert '<a class="button" href="/matching/import/buddies/">Een verbeterd bestand importeren</a>' in html
    assert "Naar de maatjes" not in html


def test_it_says_a_running_import_goes_on_without_the_page(coordinator_a):
    job = ImportJob.objects.create(kind="pupils", created_by=coordinator_a, rows_total=40000)

    html = _page(coordinator_a, job)

    assert "0 van 40000 rijen geïmporteerd" in html
    assert "Je kunt deze pagina verlaten: de import gaat op de achtergrond door." in html
    assert "Naar de leerlingen" in html
