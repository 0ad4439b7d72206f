"""Links that leave the site point where the platform really serves: the page's host in the embedded mode,
SITE_URL in production and in mail sent by tasks (core.urls.absolute_url)."""

import base64
import contextlib
import re
import zlib
from datetime import date

from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from core.urls import absolute_url
from courses import tasks
from courses.models import Certificate
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher

LAN = "laptop.local:8080"


def test_it_uses_the_host_the_page_was_opened_on_in_the_embedded_mode(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["laptop.local"]
    settings.SITE_URL = "http://127.0.0.1:8000"

    request = RequestFactory().get("/", HTTP_HOST=LAN)

    assert absolute_url("/courses/mine/", request) == "http://laptop.local:8080/courses/mine/"


def test_it_uses_site_url_in_production_even_behind_an_internal_host(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["web-3.internal"]
    settings.SITE_URL = "https://overstap.example.nl"

    request = RequestFactory().get("/", HTTP_HOST="web-3.internal")

    assert absolute_url("/courses/mine/", request) == "https://overstap.example.nl/courses/mine/"
    assert absolute_url("/courses/mine/") == "https://overstap.example.nl/courses/mine/"


def test_it_links_mail_from_tasks_to_site_url(tree, settings):
    settings.SITE_URL = "http://127.0.0.1:8765"
    edition = make_edition(make_module(tree.region_a))
    enrolment = make_enrolment(edition, make_teacher(tree.school_a))

    tasks.send_enrolment_message(enrolment.pk, "confirmation")

    links = re.findall(r"https?://[^\s)>\"]+", mail.outbox[0].body)
    assert links
    assert {link.split("/")[2] for link in links} == {"127.0.0.1:8765"}


def _pdf_text(data: bytes) -> str:
    """The page streams of a ReportLab PDF (ASCII85, then Flate), as text."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = stream.strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw.removeprefix(b"<~").removesuffix(b"~>"))
        with contextlib.suppress(zlib.error):  # a stream that is not compressed
            raw = zlib.decompress(raw)
        text.append(raw.decode("latin-1"))
    return "".join(text)


def test_it_prints_the_pages_host_on_the_certificate_in_the_embedded_mode(tree, settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["laptop.local"]
    teacher = make_teacher(tree.school_a)
    edition = make_edition(make_module(tree.region_a))
    certificate = Certificate.objects.create(
        teacher=teacher,
        enrolment=make_enrolment(edition, teacher),
        title="Meertaligheid",
        theme="multilingualism",
        hours="6.0",
        completed_on=date(2026, 1, 1),
        school_year="2025-2026",
    )
    client = Client(HTTP_HOST=LAN)
    client.force_login(teacher)

    response = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))

    assert response.status_code == 200
    assert f"(http://{LAN}/courses/verify/{certificate.code}/)" in _pdf_text(response.content)
