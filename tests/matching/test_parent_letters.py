"""Letters from the buddy project to the pupil's parents, written on the match page: the buddy's
introduction and the check-in invitation, in the family's language, mailed or printed, in the pupil's
export and erased with the pupil."""

from datetime import date

import pytest
from django.core import mail
from django.test import Client

from accounts.roles import Role
from core.errors import ServiceError
from matching import parent_letters
from matching.models import MatchStatus
from matching.services import retention
from parents.models import Letter, LetterKind
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_a(tree):
    return make_membership(Role.BUDDY_COORDINATOR, tree.school_a)


def _approved(tree):  # type: ignore[no-untyped-def]
    pupil = make_pupil(tree.school_a, first_name="Hamid")
    return make_match(pupil, make_buddy(tree.school_a, first_name="Bram"), status=MatchStatus.APPROVED)


def test_it_mails_the_buddys_introduction_from_the_match_page(
    tree, coordinator_a, django_capture_on_commit_callbacks
):
    match = _approved(tree)
    client = Client()
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/matching/matches/{match.pk}/",
            {
                "action": "parent_letter",
                "kind": LetterKind.BUDDY_INTRODUCTION,
                "on_date": "8-3-2027",
                "parent_email": "ouder@example.test",
                "language": "uk",
            },
        )
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert (letter.subject, letter.subject_id, letter.on_date) == (
        "pupils.pupil",
        match.pupil_id,
        date(2027, 3, 8),
    )
    assert (letter.child_first_name, letter.other_first_name, letter.language) == ("Hamid", "Bram", "uk")
    [sent] = mail.outbox
    assert sent.subject == "Друг-помічник вашої дитини в школі"
    assert "У школі School A у Hamid буде друг-помічник: Bram." in sent.body
    page = client.get(f"/matching/matches/{match.pk}/").content.decode()
    assert f"/ouders/beheer/brief/{letter.pk}.pdf" in page
    assert "Kennismaking met het maatje" in page


def test_it_refuses_a_letter_for_a_match_not_approved_or_out_of_reach(tree, coordinator_a):
    pupil = make_pupil(tree.school_a)
    proposed = make_match(pupil, make_buddy(tree.school_a))
    with pytest.raises(ServiceError):
        parent_letters.write(
            coordinator_a, proposed.pk, kind=LetterKind.CHECKIN_INVITATION, on_date=date(2027, 3, 8),
            parent_email="", language="nl",
        )  # fmt: skip
    other = make_membership(Role.BUDDY_COORDINATOR, tree.school_b)
    client = Client()
    client.force_login(other)
    match = _approved(tree)
    letter = parent_letters.write(
        coordinator_a, match.pk, kind=LetterKind.CHECKIN_INVITATION, on_date=date(2027, 3, 8),
        parent_email="", language="so",
    )  # fmt: skip
    assert client.get(f"/ouders/beheer/brief/{letter.pk}.pdf").status_code == 404


def test_it_puts_the_letters_in_the_pupils_export_and_erases_them_with_the_pupil(tree, coordinator_a):
    match = _approved(tree)
    parent_letters.write(
        coordinator_a, match.pk, kind=LetterKind.CHECKIN_INVITATION, on_date=date(2027, 3, 8),
        parent_email="ouder@example.test", language="tr",
    )  # fmt: skip
    exported = retention.export_pupil(coordinator_a, match.pupil_id)
    [held] = exported["letters_to_parents"]
    assert (held["kind"], held["parent_email"], held["date"]) == (
        "checkin_invitation",
        "ouder@example.test",
        "2027-03-08",
    )
    retention.erase_pupil(coordinator_a, match.pupil_id, reason="ouders vroegen het")
    assert not Letter.objects.exists()
