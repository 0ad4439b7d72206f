"""Records people can use (courses/records.py, courses/pdf.py): the certificate's facts and QR code, the
sign-in sheet per meeting, the PD record as Dutch-Excel CSV and as a PDF overview. PDFs are read back with
pdftotext (poppler-utils)."""

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation

from accounts.roles import Role
from courses import completion, pdf, records
from courses.models import ActivityType, Format
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership
from tests.support import services_required


def _text(body: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        if services_required():
            pytest.fail("REQUIRE_SERVICES=1 but pdftotext is missing (apt-get install poppler-utils)")
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    path = tmp_path / "out.pdf"
    path.write_bytes(body)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(text.stdout.split())


def _certified(tree, organiser):  # type: ignore[no-untyped-def]
    module = make_module(
        tree.region_a,
        title="NT2 in de praktijk",
        format=Format.TRAINING_MODULE,
        activity_type=ActivityType.COURSE,
        pd_hours=Decimal("10.5"),
        self_study_hours=Decimal("4.0"),
        provider="Hogeschool Utrecht",
    )
    edition = make_edition(module, meetings=2)
    teacher = make_teacher(tree.school_a)
    teacher.first_name, teacher.last_name = "Lotte", "de Vries"
    teacher.save()
    enrolment = make_enrolment(edition, teacher)
    end_edition(edition)
    for meeting in edition.meetings.all():
        completion.mark_attendance(organiser, meeting, {enrolment.pk})
    (certificate,) = completion.complete_edition(organiser, edition)
    return teacher, edition, certificate


def test_it_states_organiser_provider_hours_dates_signature_and_a_qr_code(tree, organiser_a, tmp_path):
    _teacher, edition, certificate = _certified(tree, organiser_a)
    first, second = (m.starts_at for m in edition.meetings.order_by("starts_at"))

    text = _text(pdf.certificate_pdf(certificate, "en"), tmp_path)

    facts = records.certificate_facts(certificate)
    assert (facts.organiser, facts.provider, facts.contact_hours, facts.self_study_hours) == (
        "Region A",
        "Hogeschool Utrecht",
        Decimal("6.5"),
        Decimal("4.0"),
    )
    with translation.override("en"):
        dates = records.dates_text(facts.dates)
    assert "Lotte de Vries" in text
    assert "10.5 hours of professional development: 6.5 hours contact, 4 hours self-study" in text
    assert "Organised by Region A · provided by Hogeschool Utrecht" in text
    assert f"Course or training · Multilingualism · {dates}" in text
    assert facts.dates == [timezone.localdate(first), timezone.localdate(second)]
    assert "Signature on behalf of Region A" in text
    url = pdf.verification_url(certificate)
    assert url.endswith(f"/courses/verify/{certificate.code}/")
    assert f"Verification code: {certificate.code} {url}" in text
    assert records.qr_code(url).value == url


def test_it_prints_a_sign_in_sheet_with_every_participant_for_the_organiser_only(
    client, tree, edition_a, organiser_a, tmp_path
):
    for first, last in [("Daan", "Bakker"), ("Anouk", "Jansen")]:
        teacher = make_teacher(tree.school_a)
        teacher.first_name, teacher.last_name = first, last
        teacher.save()
        make_enrolment(edition_a, teacher)
    make_enrolment(edition_a, make_teacher(tree.school_a), "waitlisted")
    meeting = edition_a.meetings.get()
    client.force_login(organiser_a)

    response = client.get(f"/courses/organise/meetings/{meeting.pk}/sign-in.pdf")
    client.force_login(make_membership(Role.REGIONAL_COORDINATOR, tree.region_b))
    stranger = client.get(f"/courses/organise/meetings/{meeting.pk}/sign-in.pdf")

    assert (response.status_code, response["Content-Type"], stranger.status_code) == (
        200,
        "application/pdf",
        404,
    )
    text = _text(response.content, tmp_path)
    assert text.startswith("Sign-in sheet Page 1 of 1 Multilingual classrooms ")
    assert "Organiser: Region A # Name School Signature" in text
    # Confirmed participants by surname, then four blank rows; the waitlisted teacher is not on it.
    assert text.endswith("1 Daan Bakker School A 2 Anouk Jansen School A 3 4 5 6")


def test_it_exports_the_pd_record_as_dutch_excel_csv(client, tree, organiser_a):
    teacher, _edition, certificate = _certified(tree, organiser_a)
    teacher.language = "nl"
    teacher.save()
    client.force_login(teacher)

    response = client.get("/courses/mine/record/?format=csv", HTTP_ACCEPT_LANGUAGE="nl")

    lines = response.content.decode("utf-8").splitlines()
    done = certificate.completed_on
    assert lines[0] == (
        "\ufeffSchooljaar;Afgerond op;Soort activiteit;Titel;Organisator;Aanbieder;Thema;Contacturen;"
        "Uren zelfstudie;Totaal uren;Verificatiecode"
    )
    assert lines[1] == (
        f"{certificate.school_year};{done.day}-{done.month}-{done.year};Cursus of training;NT2 in de praktijk;Region A;"
        f"Hogeschool Utrecht;Meertaligheid;6,5;4,0;10,5;{certificate.code}"
    )


def test_it_gives_the_pd_record_as_a_pdf_overview_by_year_and_activity_type(
    client, tree, organiser_a, tmp_path
):
    teacher, _edition, certificate = _certified(tree, organiser_a)
    client.force_login(teacher)

    with translation.override("en"):
        response = client.get("/courses/mine/record.pdf", HTTP_ACCEPT_LANGUAGE="en")

    text = _text(response.content, tmp_path)
    assert response["Content-Disposition"] == 'attachment; filename="pd-record.pdf"'
    assert f"School year {certificate.school_year}" in text
    assert "Course or training · NT2 in de praktijk" in text
    assert (
        f"Region A / Hogeschool Utrecht · contact 6.5 hours, self-study 4 hours · code {certificate.code}"
        in text
    )
    assert f"Total {certificate.school_year}: 10.5 hours" in text
    assert "Hours per activity type Course or training: 10.5 hours" in text


def test_it_maps_existing_formats_to_the_registers_activity_types():
    from importlib import import_module

    migration = import_module("courses.migrations.0003_meeting_changes_followups_pd_activity_types")

    assert migration.FORMAT_TO_ACTIVITY == {
        "study_day": "study_day",
        "network_meeting": "network_meeting",
        "training_module": "course",
        "lecture": "conference",
    }
    assert set(migration.FORMAT_TO_ACTIVITY.values()) <= set(ActivityType.values)
