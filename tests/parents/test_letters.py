"""Letters in the family's language: the PDF carries exactly the words of the message the e-mail sends,
in Arabic and Farsi (joined, right to left), Tigrinya (Ethiopic), Ukrainian, Spanish and Dutch."""

import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client

from accounts.roles import Role
from parents import consent, letters
from parents.models import ConsentPurpose
from tests.factories import make_membership, make_user
from tests.support import services_required

pytestmark = pytest.mark.django_db

BIDI_CONTROLS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _need_pdf_tools() -> None:
    try:
        letters._font("Arab")
        letters._font("Ethi")
        missing = shutil.which("pdftotext") is None and "pdftotext (apt-get install poppler-utils)"
    except letters.FontsMissing:
        missing = "fonts (apt-get install fonts-noto-core fonts-sil-abyssinica)"
    if missing:
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but the letters need {missing}")
        pytest.skip(f"the letters need {missing}")


def letters_of(text: str) -> str:
    """The text without what PDF extraction does not keep: bidi controls, combining marks (a PDF may set
    a mark apart from its letter), white space (a wrapped line, a run of another direction)."""
    text = unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS)
    return "".join(c for c in text if not unicodedata.category(c).startswith("M") and not c.isspace())


def extracted(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("language", ["ar", "ti", "fa", "uk", "es", "nl"])
def test_it_prints_the_message_word_for_word_in_the_familys_script(tree, tmp_path, language):
    _need_pdf_tools()
    subject = consent.Subject("tests.buddy", 7, tree.school_a, "Bram", "Hamid")
    request = consent.request_consent(
        subject, make_user(), purpose=ConsentPurpose.CHILD_AS_BUDDY, language=language
    )
    title, body = letters.consent_message(request)
    printed = letters_of(extracted(letters.consent_letter(request), tmp_path))
    url = letters_of(re.search(r"https?://\S+", body).group(0))
    # The link is printed whole (wrapped lines join up again), and every letter of the message is there,
    # each as often as in the message; extraction orders mixed-direction runs by position, so the order
    # of runs is not compared, only that each word of the title stands whole.
    assert url in printed
    assert Counter(printed.replace(url, "")) == Counter(letters_of(title + body).replace(url, ""))
    assert all(letters_of(word) in printed for word in title.split())


def test_it_shapes_arabic_instead_of_printing_unjoined_letters(tree, tmp_path):
    _need_pdf_tools()
    subject = consent.Subject("tests.buddy", 8, tree.school_a, "Bram")
    request = consent.request_consent(
        subject, make_user(), purpose=ConsentPurpose.CHILD_AS_BUDDY, language="ar"
    )
    document = letters.consent_letter(request)
    # Shaped text is written as glyph ids of the joined forms; an unshaped PDF would hold the isolated
    # forms only, which extract to the Arabic Presentation Forms-B block (U+FE70-U+FEFF).
    text = extracted(document, tmp_path)
    assert not any(0xFE70 <= ord(c) <= 0xFEFF for c in text)
    assert "سؤال من مدرسة طفلك" in text.translate(BIDI_CONTROLS)


def test_it_gives_the_letter_to_staff_of_the_school_only(tree):
    _need_pdf_tools()
    subject = consent.Subject("tests.buddy", 9, tree.school_a, "Bram")
    request = consent.request_consent(
        subject, make_user(), purpose=ConsentPurpose.CHILD_AS_BUDDY, language="ti"
    )
    coordinator_a = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    coordinator_b = make_membership(Role.BUDDY_COORDINATOR, tree.school_b)
    ok, other = Client(), Client()
    ok.force_login(coordinator_a)
    other.force_login(coordinator_b)
    response = ok.get(f"/ouders/beheer/toestemming/{request.pk}/brief.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert other.get(f"/ouders/beheer/toestemming/{request.pk}/brief.pdf").status_code == 404
