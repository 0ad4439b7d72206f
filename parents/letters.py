"""Letters to parents in their language: the consent request, the placement offer, the buddy's introduction
and the invitation to a check-in. Each is a pair of templates (``parents/email/<kind>_subject.txt`` and
``_message.txt``) translated in the parents' catalogues, filled with the few fields its row holds, mailed
through the outbox, and printable as PDF for families without e-mail.

fpdf2 lays the text out with HarfBuzz (uharfbuzz) shaping and the Unicode bidi algorithm, so Arabic and
Farsi join and run right to left and Tigrinya's Ethiopic syllables render as such; hand-made PDF text
would show broken, unjoined letters. The fonts are Debian's (fonts-noto-core, fonts-sil-abyssinica),
found in ``settings.LETTER_FONT_DIRS``; the letter's text is the very message the e-mail sends.
"""

import re
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from accounts.models import User
from core.errors import ServiceError
from core.outbox import enqueue
from core.urls import absolute_url
from parents import consent, languages
from parents.formatting import long_date
from parents.models import ConsentPurpose, ConsentRequest, Letter, LetterKind

# The first font found for a script is used; Latin serves every letter for names, school and address.
FONTS: dict[str, list[str]] = {
    "Latn": ["NotoSans-Regular.ttf", "DejaVuSans.ttf"],
    "Cyrl": ["NotoSans-Regular.ttf", "DejaVuSans.ttf"],
    "Arab": ["NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf"],
    "Ethi": ["NotoSansEthiopic-Regular.ttf", "AbyssinicaSIL-Regular.ttf"],
    "Hans": ["NotoSansCJK-Regular.ttc", "NotoSansSC-Regular.otf"],
}


_URL = re.compile(r"https?://\S+")


class FontsMissing(ServiceError):
    status = 503


def _font(script: str) -> Path:
    for name in FONTS[script]:
        for folder in settings.LETTER_FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return path
    raise FontsMissing(
        _(
            "No font for this script is installed on the server (Debian: fonts-noto-core, fonts-sil-abyssinica)."
        ),
        code="fonts_missing",
    )


def _render(template: str, language: str, context: dict[str, object]) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"parents/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"parents/email/{template}_message.txt", context)
    return subject, body


def _day(value: date | None, language: str) -> str:
    return long_date(value, language) if value else ""


def consent_message(request: ConsentRequest) -> tuple[str, str]:
    """Subject and text of the letter with a link (consent or offer), in the family's language: the mail
    and the PDF share them."""
    offer = request.purpose == ConsentPurpose.PLACEMENT_OFFER
    context = {
        "request": request,
        "url": absolute_url(reverse("parents:consent", args=[consent.token_for(request)])),
        "start": _day(request.start_date, request.language),
        "until": _day(timezone.localtime(request.expires_at).date(), request.language),
    }
    return _render("placement_offer" if offer else "consent", request.language, context)


def letter_message(letter: Letter) -> tuple[str, str]:
    """Subject and text of a letter that asks nothing back."""
    context = {"letter": letter, "on": _day(letter.on_date, letter.language)}
    return _render(letter.kind, letter.language, context)


@transaction.atomic
def write_letter(
    kind: str,
    subject: consent.Subject,
    user: User | None,
    *,
    on_date: date,
    parent_email: str = "",
    language: str = languages.SOURCE,
) -> Letter:
    """Keep a letter (the fields its template prints, nothing else) and mail it when there is an address.
    ``subject.school`` is the school that writes; ``other_first_name`` names the buddy in an introduction."""
    if kind not in LetterKind.values:
        raise ServiceError(_("Unknown letter."), field="kind")
    if languages.get(language) is None:
        raise ServiceError(_("This language is not offered to parents."), field="language")
    if kind == LetterKind.BUDDY_INTRODUCTION and not subject.other_first_name:
        raise ServiceError(_("An introduction names the buddy."), field="other_first_name")
    letter = Letter.objects.create(
        kind=kind,
        subject=subject.name,
        subject_id=subject.id,
        school=subject.school,
        child_first_name=subject.child_first_name,
        other_first_name=subject.other_first_name if kind == LetterKind.BUDDY_INTRODUCTION else "",
        on_date=on_date,
        parent_email=parent_email.strip(),
        language=language,
        requested_by=user if getattr(user, "pk", None) else None,
    )
    if letter.parent_email:
        enqueue("parents.send_letter", letter.pk)
    return letter


def pdf(title: str, text: str, language_code: str) -> bytes:
    language = languages.KNOWN[language_code]
    document = FPDF(format="A4")
    document.set_title(title)
    document.set_lang(language.code)
    document.add_font("letter", fname=str(_font(language.script)))
    if language.script != "Latn":
        document.add_font("latin", fname=str(_font("Latn")))
        document.set_fallback_fonts(["latin"])
    document.set_text_shaping(True, direction="rtl" if language.bidi else "ltr")
    document.add_page()
    align = "R" if language.bidi else "L"
    document.set_font("letter", size=16)
    document.multi_cell(0, 10, title, align=align, new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    document.set_font("letter", size=12)
    for paragraph in (p.strip() for p in text.split("\n\n")):
        for line in paragraph.splitlines():
            if _URL.fullmatch(line):
                # An address reads left to right in every language: in a right-to-left paragraph the
                # bidi algorithm would move its trailing slash to the other end.
                document.set_text_shaping(True, direction="ltr")
                document.multi_cell(0, 7, line, align="L", new_x="LMARGIN", new_y="NEXT")
                document.set_text_shaping(True, direction="rtl" if language.bidi else "ltr")
            elif line:
                document.multi_cell(0, 7, line, align=align, new_x="LMARGIN", new_y="NEXT")
        document.ln(3)
    return bytes(document.output())


def consent_letter(request: ConsentRequest) -> bytes:
    subject, body = consent_message(request)
    return pdf(subject, body, request.language)


def printed(letter: Letter) -> bytes:
    subject, body = letter_message(letter)
    return pdf(subject, body, letter.language)
