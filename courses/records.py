"""Records people can use: what a certificate states (organiser, provider, contact and self-study hours,
dates), the printable sign-in sheet per meeting, and the teacher's PD record as a Dutch-Excel CSV and as
a PDF overview for the annual review, by the activity types of the voluntary teachers' register.

PDFs are drawn with reportlab (already the certificate's library; its QR code widget is pure Python, so
no extra dependency) and rendered on request from the rows: nothing stored.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from accounts.models import User
from core import numbers
from courses.models import (
    ActivityType,
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    Theme,
)


@dataclass
class CertificateFacts:
    organiser: str
    provider: str
    activity_type: str
    contact_hours: Decimal
    self_study_hours: Decimal
    dates: list[date] = field(default_factory=list)


def certificate_facts(certificate: Certificate) -> CertificateFacts:
    """What the certificate states besides name and title: read from the edition (or trajectory) behind it."""
    tenth = Decimal("0.1")
    self_study = Decimal(certificate.self_study_hours or 0).quantize(tenth)
    facts = CertificateFacts(
        organiser="",
        provider="",
        activity_type=str(ActivityType(certificate.activity_type).label),
        contact_hours=(Decimal(certificate.hours) - self_study).quantize(tenth),
        self_study_hours=self_study,
    )
    if (enrolment := certificate.enrolment) is not None:
        edition = enrolment.edition
        module = edition.module
        facts.organiser = module.organiser.name
        facts.provider = module.provider
        facts.dates = sorted(
            {timezone.localdate(m.starts_at) for m in edition.meetings.filter(cancelled_at__isnull=True)}
        )
    elif (participant := certificate.participant) is not None:
        trajectory = participant.cohort.trajectory
        facts.organiser = trajectory.organiser.name
        facts.dates = [participant.cohort.starts_on, certificate.completed_on]
    if not facts.dates:
        facts.dates = [certificate.completed_on]
    return facts


def dates_text(dates: list[date]) -> str:
    return ", ".join(formats.date_format(d, "DATE_FORMAT") for d in dates)


def qr_code(url: str) -> QrCodeWidget:
    return QrCodeWidget(url, barLevel="M")


def draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> QrCodeWidget:
    """A QR code of ``url`` with its lower left corner at (x, y), ``size`` wide and high."""
    widget = qr_code(url)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)
    return widget


# --- Sign-in sheet ---------------------------------------------------------------------------------------

SHEET_ROWS_PER_PAGE = 18
SHEET_BLANK_ROWS = 4  # for people who come without being on the list


def signin_rows(meeting: Meeting) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(edition=meeting.edition_id, status=EnrolmentStatus.CONFIRMED)
        .select_related("teacher", "school")
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )


def signin_sheet_pdf(meeting: Meeting, language: str) -> bytes:
    """A4 portrait: the meeting's facts, one row per confirmed participant (name, school, a box to sign),
    and a few blank rows; 18 rows a page."""
    enrolments = signin_rows(meeting)
    names = [
        (e.teacher.get_full_name() or e.teacher.email, e.school.name if e.school else "") for e in enrolments
    ]
    names += [("", "")] * SHEET_BLANK_ROWS
    buffer = BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4)
    edition = meeting.edition
    with translation.override(language):
        pdf.setTitle(_("Sign-in sheet") + f" {edition}")
        pdf.setAuthor("Overstap")
        start = timezone.localtime(meeting.starts_at)
        end = timezone.localtime(meeting.ends_at)
        pages = [names[i : i + SHEET_ROWS_PER_PAGE] for i in range(0, len(names), SHEET_ROWS_PER_PAGE)]
        number = 0
        for page_number, rows in enumerate(pages, start=1):
            top = height - 2 * cm
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawString(2 * cm, top, _("Sign-in sheet"))
            pdf.setFont("Helvetica", 11)
            pdf.drawString(2 * cm, top - 0.8 * cm, str(edition)[:90])
            day = formats.date_format(start, "DATE_FORMAT")
            when = f"{day} {formats.time_format(start, 'TIME_FORMAT')} - {formats.time_format(end, 'TIME_FORMAT')}"
            pdf.drawString(2 * cm, top - 1.4 * cm, when)
            pdf.drawString(2 * cm, top - 2.0 * cm, (meeting.venue or meeting.online_url)[:90])
            pdf.drawString(
                2 * cm, top - 2.6 * cm, _("Organiser: %(name)s") % {"name": edition.module.organiser.name}
            )
            pdf.drawRightString(
                width - 2 * cm, top, _("Page %(n)d of %(total)d") % {"n": page_number, "total": len(pages)}
            )
            y = top - 3.8 * cm
            pdf.setFont("Helvetica-Bold", 10)
            pdf.drawString(2 * cm, y, "#")
            pdf.drawString(3 * cm, y, _("Name"))
            pdf.drawString(9.5 * cm, y, _("School"))
            pdf.drawString(14 * cm, y, _("Signature"))
            pdf.setFont("Helvetica", 10)
            for name, school in rows:
                number += 1
                y -= 1.1 * cm
                pdf.line(2 * cm, y - 0.3 * cm, width - 2 * cm, y - 0.3 * cm)
                pdf.drawString(2 * cm, y, str(number))
                pdf.drawString(3 * cm, y, name[:40])
                pdf.drawString(9.5 * cm, y, school[:30])
                pdf.rect(14 * cm, y - 0.2 * cm, width - 16 * cm, 0.9 * cm)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- PD record -----------------------------------------------------------------------------------------


def _activity(code: str) -> str:
    return str(ActivityType(code).label) if code in ActivityType.values else code


def _theme(code: str) -> str:
    return str(Theme(code).label) if code in Theme.values else code


def record_certificates(user: User) -> list[Certificate]:
    return list(
        Certificate.objects.filter(teacher=user)
        .select_related("enrolment__edition__module__organiser", "participant__cohort__trajectory__organiser")
        .order_by("-completed_on", "pk")
    )


def pd_record_rows(user: User) -> list[list[object]]:
    """The CSV rows (header first) in the active language; hours as decimals, so the Dutch export writes
    them with a decimal comma (core/csvexport.py), and dates as the language writes them."""
    rows: list[list[object]] = [
        [
            _("School year"),
            _("Completed on"),
            _("Activity type"),
            _("Title"),
            _("Organiser"),
            _("Provider"),
            _("Theme"),
            _("Contact hours"),
            _("Self-study hours"),
            _("Total hours"),
            _("Verification code"),
        ]
    ]
    for c in record_certificates(user):
        facts = certificate_facts(c)
        rows.append(
            [
                c.school_year,
                formats.date_format(c.completed_on, "SHORT_DATE_FORMAT"),
                _activity(c.activity_type),
                c.title,
                facts.organiser,
                facts.provider,
                _theme(c.theme),
                facts.contact_hours,
                facts.self_study_hours,
                c.hours,
                c.code,
            ]
        )
    return rows


class _PageLines:
    """Lines written down an A4 page, left-aligned; a new page starts near the bottom."""

    def __init__(self, pdf: canvas.Canvas) -> None:
        self.pdf = pdf
        self.top = A4[1] - 2 * cm
        self.y = self.top

    def line(
        self, text: str, *, size: int = 10, bold: bool = False, x: float = 2 * cm, step: float = 0.55
    ) -> None:
        if self.y < 2.5 * cm:
            self.pdf.showPage()
            self.y = self.top
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.pdf.drawString(x, self.y, text[:110])
        self.y -= step * cm


def pd_record_pdf(user: User, language: str) -> bytes:
    """The overview for the annual review: per school year (newest first) every activity with its type,
    organiser and hours, the year's total, and the totals per activity type."""
    certificates = record_certificates(user)
    by_year: dict[str, list[Certificate]] = defaultdict(list)
    for c in certificates:
        by_year[c.school_year].append(c)
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    with translation.override(language):
        pdf.setTitle(_("Professional development record"))
        pdf.setAuthor("Overstap")
        page = _PageLines(pdf)
        _record_heading(page, user)
        if not certificates:
            page.line(_("No completed activities yet."))
        for year in sorted(by_year, reverse=True):
            _record_year(page, year, by_year[year])
        if certificates:
            _record_per_type(page, certificates)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _record_heading(page: _PageLines, user: User) -> None:
    page.line(_("Professional development record"), size=16, bold=True, step=0.9)
    page.line(user.get_full_name() or user.email, size=12, step=0.6)
    page.line(
        _("Drawn up on %(date)s") % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")},
        step=1.0,
    )


def _record_year(page: _PageLines, year: str, rows: list[Certificate]) -> None:
    """A school year: each activity (date, type, title; organiser, hours and code), then the year's total."""
    page.line(_("School year %(year)s") % {"year": year}, size=12, bold=True, step=0.7)
    for c in rows:
        facts = certificate_facts(c)
        page.line(
            f"{formats.date_format(c.completed_on, 'SHORT_DATE_FORMAT')} · {_activity(c.activity_type)} · {c.title}",
            bold=True,
        )
        organiser = facts.organiser + (f" / {facts.provider}" if facts.provider else "")
        page.line(
            _("%(organiser)s · contact %(contact)s, self-study %(self)s · code %(code)s")
            % {
                "organiser": organiser,
                "contact": numbers.hours_text(facts.contact_hours),
                "self": numbers.hours_text(facts.self_study_hours),
                "code": c.code,
            },
            x=2.5 * cm,
            step=0.7,
        )
    total = sum((c.hours for c in rows), Decimal("0"))
    page.line(
        _("Total %(year)s: %(hours)s") % {"year": year, "hours": numbers.hours_text(total)},
        bold=True,
        step=1.0,
    )


def _record_per_type(page: _PageLines, certificates: list[Certificate]) -> None:
    """The hours of every year together, per activity type (in the register's order)."""
    page.line(_("Hours per activity type"), size=12, bold=True, step=0.7)
    per_type: dict[str, Decimal] = defaultdict(Decimal)
    for c in certificates:
        per_type[c.activity_type] += c.hours
    for code in ActivityType.values:
        if code in per_type:
            page.line(f"{_activity(code)}: {numbers.hours_text(per_type[code])}")
