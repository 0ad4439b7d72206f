"""One enrolment through the API in a fixed, small number of queries, whatever the edition holds (issue 14).

The verb no longer asks "already enrolled?" (the partial unique constraint answers in the insert), reads
the module with the edition's lock, counts seats, reserved seats and the waitlist in one statement, and
answers the waitlist position from that count.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment, EnrolmentStatus
from tests.courses.factories import make_edition, make_enrolment, make_teacher
from tests.courses.test_api import client_for


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize("waiting", [0, 1, 12])
def test_it_enrols_in_seven_queries_whatever_the_waitlist(tree, module_a, waiting):
    edition = make_edition(module_a, capacity=1)
    make_enrolment(edition, make_teacher(tree.school_a))
    for _ in range(waiting):
        make_enrolment(edition, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)
    client = client_for(make_teacher(tree.school_a))

    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/editions/{edition.pk}/enrol/")

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", waiting + 1)
    # 1 token + user, 2 memberships (reach and the MFA check), 3 the edition within reach,
    # 4 the edition locked with its module and visibility, 5 seats held, reserved and waiting,
    # 6 INSERT the enrolment, 7 INSERT its outbox message
    assert len(_statements(ctx)) == 7, "\n".join(_statements(ctx))


def test_it_still_answers_409_already_enrolled_from_the_constraint(tree, edition_a):
    client = client_for(make_teacher(tree.school_a))
    assert client.post(f"/api/v1/editions/{edition_a.pk}/enrol/").status_code == 201

    response = client.post(f"/api/v1/editions/{edition_a.pk}/enrol/")

    assert (response.status_code, response.json()["code"]) == (409, "already_enrolled")
    assert Enrolment.objects.filter(edition=edition_a).count() == 1


def test_it_reads_the_position_when_a_clock_queued_someone_after_it(tree, module_a):
    """A waitlisted row whose queued_at lies after the new one's (a clock ahead on another server) is
    behind it: the position is then read, not taken from the count."""
    edition = make_edition(module_a, capacity=1)
    make_enrolment(edition, make_teacher(tree.school_a))
    ahead = make_enrolment(edition, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)
    behind = make_enrolment(edition, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)
    Enrolment.objects.filter(pk=behind.pk).update(queued_at=ahead.queued_at + timedelta(days=1))

    response = client_for(make_teacher(tree.school_a)).post(f"/api/v1/editions/{edition.pk}/enrol/")

    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 2)
