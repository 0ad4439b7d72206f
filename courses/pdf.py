"""Certificates as PDF (reportlab), rendered on request from the certificate row: nothing stored, so a
corrected name or title shows up in the next download, and the verification code is the proof."""

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
        pdf.setFont("Helvetica", 13)
        details = _("%(hours)s of professional development · %(theme)s · completed on %(date)s") % {
            "hours": numbers.hours_text(certificate.hours),
            "theme": Theme(certificate.theme).label
            if certificate.theme in Theme.values
            else certificate.theme,
            "date": formats.date_format(certificate.completed_on, "DATE_FORMAT"),
        }
        pdf.drawCentredString(width / 2, height - 12.5 * cm, details)
        pdf.setFont("Helvetica", 11)
        pdf.drawCentredString(
            width / 2, 3.2 * cm, _("Verification code: %(code)s") % {"code": certificate.code}
        )
        pdf.drawCentredString(width / 2, 2.5 * cm, verification_url(certificate, request))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
