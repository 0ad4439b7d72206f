"""Proposals written through COPY (PostgreSQL) or bulk_create: exactly once per (run, pupil), and reasons
with any character arrive as they left (issue 14)."""

import pytest

from matching import engine
from matching.models import Match
from matching.writing import write_proposals
from tests.matching.factories import make_buddy, make_pupil, make_run


@pytest.mark.django_db
def test_it_writes_each_proposal_once_and_keeps_reasons_verbatim(tree):
    run = make_run(tree.school_a)
    pupils = [make_pupil(tree.school_a) for _ in range(3)]
    buddy = make_buddy(tree.school_a)
    odd = {"languages": ["ar", 'tab\there "quoted" back\\slash', "تونس", "line\nbreak"]}
    pairs = [
        engine.Pair(p.pk, buddy.pk, 4.5 + i, [("shared_home_language", odd)], i == 0, [(buddy.pk, 7.25)])
        for i, p in enumerate(pupils)
    ]
    school_of = {p.pk: tree.school_a.pk for p in pupils}

    write_proposals(run, pairs, school_of)
    write_proposals(run, pairs, school_of)  # a redelivered batch adds nothing

    rows = list(Match.objects.filter(run=run).order_by("pupil_id"))
    assert [(m.pupil_id, m.cost, m.locked) for m in rows] == [
        (p.pk, 4.5 + i, i == 0) for i, p in enumerate(pupils)
    ]
    assert rows[1].reasons == [["shared_home_language", odd]]
    assert rows[1].alternatives == [[buddy.pk, 7.25]]
