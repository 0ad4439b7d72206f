"""Certificates as PDF (reportlab), rendered on request from the certificate row: nothing stored, so a
corrected name or title shows up in the next download, and the verification code (also as a QR code of
the verification address) is the proof. It names organiser and provider, the activity type, the hours
(contact and self-study, as the teachers' register counts them), the dates and has a signature line."""

from io import BytesIO

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from core import numbers
from core.urls import absolute_url
from courses import records
from courses.models import Certificate, Theme


def verification_url(certificate: Certificate, request: HttpRequest | None = None) -> str:
    return absolute_url(reverse("courses:verify", args=[certificate.code]), request)


def certificate_pdf(
    certificate: Certificate, language: str | None = None, request: HttpRequest | None = None
) -> bytes:
    buffer = BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    with translation.override(language or certificate.teacher.language):
        pdf.setTitle(_("Certificate") + f" {certificate.code}")
        pdf.setAuthor("Overstap")
        facts = records.certificate_facts(certificate)
        _draw_award(pdf, certificate, width, height)
        _draw_facts(pdf, certificate, facts, width, height)
        _draw_signature_line(pdf, certificate, facts)
        _draw_verification(pdf, certificate, verification_url(certificate, request), width)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_award(pdf: canvas.Canvas, certificate: Certificate, width: float, height: float) -> None:
    """The frame, and who completed what, centred."""
    pdf.setLineWidth(2)
    pdf.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 4.5 * cm, _("Certificate"))
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 6.5 * cm, _("This certifies that"))
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(
        width / 2, height - 8 * cm, certificate.teacher.get_full_name() or certificate.teacher.email
    )
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 9.5 * cm, _("has completed"))
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawCentredString(width / 2, height - 11 * cm, certificate.title[:90])


def _draw_facts(
    pdf: canvas.Canvas, certificate: Certificate, facts: records.CertificateFacts, width: float, height: float
) -> None:
    """Activity type, theme and dates; the hours as the teachers' register counts them; organiser and
    provider."""
    pdf.setFont("Helvetica", 12)
    details = _("%(type)s · %(theme)s · %(dates)s") % {
        "type": facts.activity_type,
        "theme": Theme(certificate.theme).label if certificate.theme in Theme.values else certificate.theme,
        "dates": records.dates_text(facts.dates),
    }
    pdf.drawCentredString(width / 2, height - 12.3 * cm, details[:120])
    hours = _("%(total)s of professional development: %(contact)s contact, %(self)s self-study") % {
        "total": numbers.hours_text(certificate.hours),
        "contact": numbers.hours_text(facts.contact_hours),
        "self": numbers.hours_text(facts.self_study_hours),
    }
    pdf.drawCentredString(width / 2, height - 13.1 * cm, hours)
    by = _("Organised by %(organiser)s") % {"organiser": facts.organiser}
    if facts.provider:
        by += " · " + _("provided by %(provider)s") % {"provider": facts.provider}
    pdf.drawCentredString(width / 2, height - 13.9 * cm, by[:120])


def _draw_signature_line(
    pdf: canvas.Canvas, certificate: Certificate, facts: records.CertificateFacts
) -> None:
    """Signed on paper by the organiser (the verification code is the digital proof), with the issue date."""
    pdf.line(3 * cm, 4.6 * cm, 11 * cm, 4.6 * cm)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(
        3 * cm, 4.1 * cm, _("Signature on behalf of %(organiser)s") % {"organiser": facts.organiser}
    )
    pdf.drawString(
        3 * cm,
        3.6 * cm,
        _("Issued on %(date)s") % {"date": formats.date_format(certificate.issued_at, "DATE_FORMAT")},
    )


def _draw_verification(pdf: canvas.Canvas, certificate: Certificate, url: str, width: float) -> None:
    """The verification code and address, and the address as a QR code."""
    records.draw_qr(pdf, url, width - 6.5 * cm, 2.2 * cm, 3.5 * cm)
    pdf.setFont("Helvetica", 10)
    pdf.drawRightString(
        width - 7 * cm, 3.2 * cm, _("Verification code: %(code)s") % {"code": certificate.code}
    )
    pdf.drawRightString(width - 7 * cm, 2.6 * cm, url)
