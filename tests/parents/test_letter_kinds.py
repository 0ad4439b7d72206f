"""The four letters to parents in every configured language: the placement offer, the buddy's introduction
and the check-in invitation beside the consent request. Each is its template translated and filled with the
row's few fields; the e-mail (through the outbox) and the PDF carry exactly that text."""

import unicodedata
from collections import Counter
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from core.models import OutboxMessage
from parents import consent, letters
from parents.formatting import long_date
from parents.models import ConsentPurpose, ConsentRequest, Letter, LetterKind
from tests.factories import make_user
from tests.parents.test_letters import _need_pdf_tools, extracted, letters_of

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 8)
PDF_LANGUAGES = ["ar", "ti", "fa", "uk", "pl", "so", "tr"]


def _sentences(kind: str, language: str, school: str) -> list[str]:
    """The template's sentences as the catalogue gives them, filled in: what the parent must read."""
    day = long_date(DAY, language)
    with translation.override(language):
        if kind == LetterKind.BUDDY_INTRODUCTION:
            return [
                gettext("Your child's buddy at school"),
                gettext("Hello,"),
                gettext("At %(school)s, %(child)s gets a buddy: %(buddy)s.")
                % {"school": school, "child": "Hamid", "buddy": "Bram"},
                gettext("They meet for the first time on %(date)s.") % {"date": day},
                gettext(
                    "The buddy helps %(child)s find their way at school in the first months. A teacher follows them."
                )
                % {"child": "Hamid"},
                gettext("If you have a question, please contact the school."),
            ]
        if kind == LetterKind.CHECKIN_INVITATION:
            return [
                gettext("An invitation from your child's school"),
                gettext("%(school)s invites you to a short talk about how %(child)s is doing with the buddy.")
                % {"school": school, "child": "Hamid"},
                gettext("The talk is on %(date)s at the school.") % {"date": day},
                gettext(
                    "If this day does not suit you, please contact the school for another day. You may bring someone who interprets for you."
                ),
            ]
        return [
            gettext("A place at school for your child"),
            gettext("There is a place for %(child)s in the newcomer class at %(place)s.")
            % {"child": "Hamid", "place": "Haarlem-Noord"},
            gettext("The first school day is %(date)s.") % {"date": day},
            gettext(
                "Please tell us through this link whether you accept the place, or whether you would like us to call you first:"
            ),
        ]


def _write(tree, kind: str, language: str, email: str = "") -> Letter:
    return letters.write_letter(
        kind,
        consent.Subject("tests.pupil", 5, tree.school_a, "Hamid", "Bram"),
        make_user(),
        on_date=DAY,
        parent_email=email,
        language=language,
    )


def _offer(tree, language: str, email: str = ""):
    return consent.request_consent(
        consent.Subject(
            "tests.placement", 9, tree.school_a, "Hamid", place_name="Haarlem-Noord", start_date=DAY
        ),
        make_user(),
        purpose=ConsentPurpose.PLACEMENT_OFFER,
        parent_email=email,
        language=language,
    )


def _message(tree, kind: str, language: str, email: str = "") -> tuple[str, str]:
    if kind == ConsentPurpose.PLACEMENT_OFFER:
        return letters.consent_message(_offer(tree, language, email))
    return letters.letter_message(_write(tree, kind, language, email))


KINDS = [ConsentPurpose.PLACEMENT_OFFER, LetterKind.BUDDY_INTRODUCTION, LetterKind.CHECKIN_INVITATION]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", settings.PARENT_LANGUAGES)
def test_it_mails_each_letter_as_its_translated_template_through_the_outbox(
    tree, kind, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subject, body = _message(tree, kind, language, email="ouder@example.test")
    sentences = _sentences(kind, language, tree.school_a.name)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.subject, sent.body) == (subject, body)
    assert sent.to == ["ouder@example.test"]
    assert sent.subject == sentences[0]
    assert "Hamid" not in sent.subject
    for sentence in sentences[1:]:
        assert sentence in sent.body, (language, sentence)
    if language != "en":  # the translation is used, not the English source
        with translation.override("en"):
            assert _sentences(kind, "en", tree.school_a.name)[0] != sentences[0]
    # The outbox carries the row's id only, never a name or an address.
    task = OutboxMessage.objects.filter(
        task__in=["parents.send_letter", "parents.send_consent_request"]
    ).get()
    row = ConsentRequest if kind == ConsentPurpose.PLACEMENT_OFFER else Letter
    assert task.args == [row.objects.get().pk]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", PDF_LANGUAGES)
def test_it_prints_each_letter_word_for_word_in_the_familys_script(tree, tmp_path, kind, language):
    _need_pdf_tools()
    if kind == ConsentPurpose.PLACEMENT_OFFER:
        asked = _offer(tree, language)
        subject, body = letters.consent_message(asked)
        document = letters.consent_letter(asked)
    else:
        letter = _write(tree, kind, language)
        subject, body = letters.letter_message(letter)
        document = letters.printed(letter)
    printed = letters_of(extracted(document, tmp_path))
    # Every letter of the message is there, as often as in the message (extraction orders the runs of
    # mixed direction by position, so whole sentences are compared through their letters).
    assert Counter(printed) == Counter(letters_of(subject + body))
    for sentence in _sentences(kind, language, tree.school_a.name):
        assert all(_core(word) in printed for word in sentence.split()), sentence


def _core(word: str) -> str:
    """A word without the punctuation at its ends: in a right-to-left line the full stop after a Latin
    name is drawn at the line's left end (the bidi algorithm's correct visual order), so it is extracted
    before the name."""
    text = letters_of(word)
    while text and unicodedata.category(text[0]).startswith("P"):
        text = text[1:]
    while text and unicodedata.category(text[-1]).startswith("P"):
        text = text[:-1]
    return text


def test_it_keeps_only_what_the_letter_prints(tree):
    letter = _write(tree, LetterKind.CHECKIN_INVITATION, "ti")
    # An invitation names no buddy, even when the asking domain passed one along.
    assert (letter.child_first_name, letter.other_first_name, letter.on_date) == ("Hamid", "", DAY)
    with pytest.raises(consent.ServiceError):
        letters.write_letter(
            LetterKind.BUDDY_INTRODUCTION,
            consent.Subject("tests.pupil", 5, tree.school_a, "Hamid"),
            None,
            on_date=DAY,
        )
    with pytest.raises(consent.ServiceError):
        _offer_without_date(tree)


def _offer_without_date(tree):
    return consent.request_consent(
        consent.Subject("tests.placement", 9, tree.school_a, "Hamid", place_name="Haarlem-Noord"),
        make_user(),
        purpose=ConsentPurpose.PLACEMENT_OFFER,
    )


def test_it_sends_a_letter_once_when_the_task_runs_twice(tree, django_capture_on_commit_callbacks):
    from parents.tasks import send_letter

    with django_capture_on_commit_callbacks(execute=True):
        letter = _write(tree, LetterKind.BUDDY_INTRODUCTION, "ar", email="ouder@example.test")
    assert send_letter(letter.pk) is False
    assert len(mail.outbox) == 1
    assert Letter.objects.get(pk=letter.pk).sent_at is not None
