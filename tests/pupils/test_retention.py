from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import NotFound
from matching.models import Buddy, Match, MatchStatus
from matching.services import retention
from pupils.models import AccessLog, Pupil
from tests.matching.factories import make_buddy, make_match, make_pupil


def test_it_anonymises_pupils_and_buddies_of_matches_ended_past_retention(tree, settings):
    settings.PUPIL_DATA_RETENTION_MONTHS = 12
    old = make_match(
        make_pupil(tree.school_a, first_name="Old", interests=["chess"]),
        make_buddy(tree.school_a, first_name="OldBuddy"),
        status=MatchStatus.ENDED,
        ended_at=timezone.now() - timedelta(days=400),
    )
    recent = make_match(
        make_pupil(tree.school_a, first_name="Recent"),
        make_buddy(tree.school_a),
        status=MatchStatus.ENDED,
        ended_at=timezone.now() - timedelta(days=30),
    )

    assert retention.anonymise_expired() == 2
    assert retention.anonymise_expired() == 0

    pupil = Pupil.objects.get(pk=old.pupil_id)
    assert (pupil.first_name, pupil.anonymised_at is not None, pupil.interests.count()) == ("-", True, 0)
    assert Buddy.objects.get(pk=old.buddy_id).first_name == "-"
    assert Pupil.objects.get(pk=recent.pupil_id).first_name == "Recent"
    assert list(AccessLog.objects.values_list("pupil_id", "action")) == [(old.pupil_id, "anonymise")]


def test_it_exports_everything_about_a_pupil_and_logs_it(tree, coordinator_a):
    pupil = make_pupil(tree.school_a, first_name="Amira", interests=["music"])
    make_match(pupil, make_buddy(tree.school_a, first_name="Lotte"))

    data = retention.export_pupil(coordinator_a, pupil.pk)

    assert (data["first_name"], data["interests"]) == ("Amira", ["music"])
    assert data["matches"][0]["buddy"] == "Lotte B."
    assert AccessLog.objects.get().action == "export"


def test_it_erases_a_pupil_with_matches_and_keeps_only_the_id_in_the_log(tree, coordinator_a):
    pupil = make_pupil(tree.school_a)
    make_match(pupil, make_buddy(tree.school_a))

    retention.erase_pupil(coordinator_a, pupil.pk, reason="parent asked")

    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert not Match.objects.exists()
    assert list(AccessLog.objects.values_list("pupil_id", "action", "reason")) == [
        (pupil.pk, "erase", "parent asked")
    ]


def test_it_refuses_export_and_erase_out_of_reach(tree, coordinator_a):
    other = make_pupil(tree.school_b)

    with pytest.raises(NotFound):
        retention.export_pupil(coordinator_a, other.pk)
    with pytest.raises(NotFound):
        retention.erase_pupil(coordinator_a, other.pk)
    assert Pupil.objects.filter(pk=other.pk).exists()


def test_it_exports_every_field_of_the_pupil_record(tree, coordinator_a):
    """Regression (tests/security/test_retention.py): the export left out who recorded consent, the
    priority flag and the record's own dates."""
    pupil = make_pupil(tree.school_a, consent_by="parent", consent_recorded_by=coordinator_a)

    data = retention.export_pupil(coordinator_a, pupil.pk)

    held = {f.name for f in [*Pupil._meta.concrete_fields, *Pupil._meta.many_to_many]}
    assert held <= set(data)
    assert data["consent_recorded_by"] == coordinator_a.pk
