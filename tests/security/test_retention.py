"""Retention and the rights of access and erasure, checked against the whole database.

After the retention tasks run for a pupil whose match ended and whose case closed more than the
retention period ago, the pupil's name and every note written about them are gone from every text and
JSON column of every table, not only from the columns the tasks were written for: a new column that
holds pupil data and is missed by the tasks fails here. Erasure on request is written to the access log,
and the export returns every field held about the pupil and is logged too.
"""

import json
from datetime import timedelta

from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseloads import tasks as caseload_tasks
from caseloads.models import CaseStatus, NextStep, RequestStatus, Transfer, Visit, VisitKind
from matching import tasks as matching_tasks
from matching.models import CheckIn, MatchStatus
from pupils.models import AccessAction, AccessLog, Pupil
from tests.caseloads.factories import make_case, make_request, make_supporter
from tests.factories import OrgTree
from tests.matching.factories import make_buddy, make_match, make_pupil

PUPIL = "Zaynabqx"  # names and notes no other row can contain by accident
BUDDY = "Lindeqx"
NOTE = "noteqx-7f3a"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
LONG_AGO = timedelta(days=400)  # past the default 12 months


def holding(*needles: str) -> set[str]:
    """``app.Model.field`` of every text/JSON column, in every table, holding one of ``needles``."""
    found: set[str] = set()
    lowered = [n.lower() for n in needles]
    for model in apps.get_models(include_auto_created=True):
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values_list(*(f.attname for f in fields)):
            for field, value in zip(fields, row, strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(n in text.lower() for n in lowered):
                    found.add(f"{model._meta.label}.{field.name}")
    return found


def _pupil_with_a_past(tree: OrgTree, *, ended: timedelta = LONG_AGO) -> Pupil:
    """A pupil with an ended match (and check-ins) and a closed case with visits, steps, a transfer and
    the request it came from, every note naming the pupil."""
    now = timezone.now()
    pupil = make_pupil(tree.school_a, first_name=PUPIL, interests=["chess"], gender="f")
    match = make_match(
        pupil,
        make_buddy(tree.school_a, first_name=BUDDY),
        status=MatchStatus.ENDED,
        ended_at=now - ended,
    )
    CheckIn.objects.create(match=match, due_on=timezone.localdate() - ended, outcome="going_well")
    supporter = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    request = make_request(
        tree.school_a,
        status=RequestStatus.ALLOCATED,
        pupils=[pupil],
        description=f"{PUPIL} does not speak in class yet ({NOTE})",
    )
    case = make_case(
        supporter,
        tree.school_a,
        status=CaseStatus.CLOSED,
        closed_at=now - ended,
        pupils=[pupil],
        request=request,
    )
    case.goals = f"{PUPIL} joins group talk ({NOTE})"
    case.closing_summary = f"{PUPIL} speaks in class now ({NOTE})"
    case.save(update_fields=["goals", "closing_summary"])
    visit = Visit.objects.create(
        case=case,
        supporter=supporter,
        date=timezone.localdate() - ended - timedelta(days=30),
        kind=VisitKind.OBSERVATION,
        duration_minutes=60,
        notes=f"Observed {PUPIL} at break ({NOTE})",
        done=True,
    )
    NextStep.objects.create(
        visit=visit, case=case, description=f"Pair {PUPIL} with a reading buddy", due_date=visit.date
    )
    Transfer.objects.create(
        case=case,
        from_supporter=supporter,
        to_supporter=colleague,
        message=f"Could you see {PUPIL}? ({NOTE})",
        status="declined",
    )
    return pupil


def _run_retention_tasks() -> None:
    """What beat runs nightly, called as the worker would."""
    matching_tasks.anonymise_expired()
    caseload_tasks.anonymise_closed_cases()


def test_it_leaves_no_name_or_note_of_the_pupil_anywhere_after_retention(tree):
    pupil = _pupil_with_a_past(tree)
    # The scan sees every place the test wrote to (else an empty result below would prove nothing).
    assert holding(PUPIL, BUDDY, NOTE) == {
        "pupils.Pupil.first_name",
        "matching.Buddy.first_name",
        "caseloads.SupportRequest.description",
        "caseloads.Case.goals",
        "caseloads.Case.closing_summary",
        "caseloads.Visit.notes",
        "caseloads.NextStep.description",
        "caseloads.Transfer.message",
    }

    _run_retention_tasks()

    assert holding(PUPIL, BUDDY, NOTE) == set()
    pupil.refresh_from_db()
    assert pupil.anonymised_at is not None
    assert pupil.interests.count() == 0
    assert set(AccessLog.objects.filter(pupil_id=pupil.pk).values_list("action", "user")) == {
        (AccessAction.ANONYMISE, None)
    }
    # Running again finds nothing more to do and changes nothing.
    _run_retention_tasks()
    assert AccessLog.objects.filter(pupil_id=pupil.pk).count() == 2  # one per task (matching, caseloads)


def test_it_keeps_everything_within_the_retention_period(tree):
    _pupil_with_a_past(tree, ended=timedelta(days=200))

    _run_retention_tasks()

    assert {"pupils.Pupil.first_name", "caseloads.Visit.notes"} <= holding(PUPIL, NOTE)


def test_it_records_an_erasure_on_request_in_the_access_log(tree, coordinator_a):
    pupil = make_pupil(tree.school_a, first_name=PUPIL)
    make_match(pupil, make_buddy(tree.school_a))
    client = Client()
    client.force_login(coordinator_a)

    response = client.post(reverse("matching:pupil_erase", args=[pupil.pk]), {"reason": "parent asked"})

    assert response.status_code == 302
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    entry = AccessLog.objects.get(pupil_id=pupil.pk, action=AccessAction.ERASE)
    assert (entry.user_id, entry.reason, entry.context) == (coordinator_a.pk, "parent asked", "pupils.erase")
    assert holding(PUPIL) == set()


def test_it_exports_every_field_held_about_the_pupil_as_json_and_logs_it(tree, coordinator_a):
    pupil = make_pupil(tree.school_a, first_name=PUPIL, interests=["chess"], gender="f")
    make_match(pupil, make_buddy(tree.school_a, first_name=BUDDY))
    client = Client()
    client.force_login(coordinator_a)
    url = reverse("matching:pupil_export", args=[pupil.pk])
    client.post(client.get(url)["Location"], {"password": "pw-for-tests-123"})  # the password again

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    held = {f.name for f in [*Pupil._meta.concrete_fields, *Pupil._meta.many_to_many]}
    assert held - set(data) == set(), "fields held but not exported"
    assert data["first_name"] == PUPIL
    assert data["interests"] == ["chess"]
    assert data["matches"][0]["buddy"].startswith(BUDDY)
    entry = AccessLog.objects.get(pupil_id=pupil.pk, action=AccessAction.EXPORT)
    assert entry.user_id == coordinator_a.pk
