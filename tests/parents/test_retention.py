"""A parent's address is kept only while its letter needs it; first names go once the question is closed
for the pupil-data retention period; the beat schedule runs it nightly."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from config.celery import app
from parents import consent, letters, retention
from parents.models import ConsentPurpose, ConsentRequest, ConsentStatus, Letter, LetterKind
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _letter(tree, email: str = "ouder@example.test") -> Letter:
    return letters.write_letter(
        LetterKind.BUDDY_INTRODUCTION,
        consent.Subject("tests.pupil", 1, tree.school_a, "Hamid", "Bram"),
        None,
        on_date=date(2027, 3, 8),
        parent_email=email,
    )


def _question(tree) -> ConsentRequest:
    return consent.request_consent(
        consent.Subject("tests.buddy", 2, tree.school_a, "Bram", "Hamid"),
        make_user(),
        purpose=ConsentPurpose.CHILD_AS_BUDDY,
        parent_email="ouder@example.test",
    )


def test_it_erases_a_letters_address_and_names_after_the_retention_days(tree, settings):
    settings.PARENT_CONTACT_RETENTION_DAYS = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        letter = _letter(tree)
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert retention.erase_expired_contacts() == 0
    with time_machine.travel(start + timedelta(days=31), tick=False):
        assert retention.erase_expired_contacts() == 1
        assert retention.erase_expired_contacts() == 0  # idempotent
    letter.refresh_from_db()
    assert (letter.parent_email, letter.child_first_name, letter.other_first_name) == ("", "-", "")
    assert (letter.kind, letter.on_date) == (LetterKind.BUDDY_INTRODUCTION, date(2027, 3, 8))
    assert letter.contact_erased_at is not None


def test_it_keeps_a_questions_names_while_the_answer_stands_but_not_its_address(tree, settings):
    settings.PARENT_CONTACT_RETENTION_DAYS = 30
    settings.PUPIL_DATA_RETENTION_MONTHS = 12
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        given = consent.answer(_question(tree), given=True)
        refused = consent.answer(_question(tree), given=False)
    with time_machine.travel(start + timedelta(days=31), tick=False):
        retention.erase_expired_contacts()
    given.refresh_from_db()
    assert (given.parent_email, given.child_first_name) == ("", "Bram")
    with time_machine.travel(start + timedelta(days=370), tick=False):
        retention.erase_expired_contacts()
    given.refresh_from_db()
    refused.refresh_from_db()
    assert given.status == ConsentStatus.GIVEN
    assert given.child_first_name == "Bram"  # still in force: a revocation page shows the name
    assert (refused.child_first_name, refused.other_first_name) == ("-", "")
    # The link of a given consent still works without an address.
    assert consent.find(consent.token_for(given)).pk == given.pk


def test_it_is_on_the_nightly_schedule():
    entry = app.conf.beat_schedule["parents-erase-expired-contacts"]
    assert entry["task"] == "parents.erase_expired_contacts"
    from parents import tasks

    assert tasks.erase_expired_contacts.name in app.tasks
    assert tasks.erase_expired_contacts() == 0  # nothing to erase, nothing fails
