"""Letters to parents as printable PDF, for families without e-mail, in their language and script.

fpdf2 lays the text out with HarfBuzz (uharfbuzz) shaping and the Unicode bidi algorithm, so Arabic and
Farsi join and run right to left and Tigrinya's Ethiopic syllables render as such; hand-made PDF text
would show broken, unjoined letters. The fonts are Debian's (fonts-noto-core, fonts-sil-abyssinica),
found in ``settings.LETTER_FONT_DIRS``; the letter's text is the very message the e-mail sends.
"""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from core.errors import ServiceError
from core.urls import absolute_url
from parents import consent, languages
from parents.models import ConsentRequest

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


def consent_message(request: ConsentRequest) -> tuple[str, str]:
    """Subject and text of the consent letter, in the family's language: the mail and the PDF share them."""
    with translation.override(request.language):
        context = {
            "request": request,
            "url": absolute_url(reverse("parents:consent", args=[consent.token_for(request)])),
        }
        subject = render_to_string("parents/email/consent_subject.txt", context).strip()
        body = render_to_string("parents/email/consent_message.txt", context)
    return subject, body


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
