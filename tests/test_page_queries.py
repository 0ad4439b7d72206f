"""Pages and lists that keep a flat query count as their data grows (issue 14, item 6): my enrolments
(page and API) and the match run review. The catalogue (tests/courses/test_pages.py, test_api.py), the
matches list (tests/matching/test_api.py) and the region dashboard (tests/caseloads/test_queries.py) have
their own."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from courses.models import EnrolmentStatus
from matching.models import UnmatchedPupil
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher
from tests.courses.test_api import client_for
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil, make_run


def _queries(call) -> int:  # type: ignore[no-untyped-def]
    """Queries of ``call`` after one unmeasured call (the first request of a login saves its session)."""
    call()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _enrolments(tree, teacher, n: int) -> None:  # type: ignore[no-untyped-def]
    module = make_module(tree.region_a)
    statuses = [EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.PENDING_APPROVAL]
    for i in range(n):
        edition = make_edition(module, capacity=1)
        if statuses[i % 3] == EnrolmentStatus.WAITLISTED:
            make_enrolment(edition, make_teacher(tree.school_a))
        make_enrolment(edition, teacher, statuses[i % 3])


def test_it_renders_my_enrolments_in_a_flat_number_of_queries(client, tree):
    teacher = make_teacher(tree.school_a)
    client.force_login(teacher)
    _enrolments(tree, teacher, 3)
    small = _queries(lambda: client.get("/courses/mine/"))
    _enrolments(tree, teacher, 30)

    # 1 session, 2 user, 3 my enrolments with edition, module, certificate and evaluation joined and the
    # waitlist position as a subquery, 4 the approval decisions of all of them (with who decided), 5 my
    # calendar feed, 6 memberships (navigation), 7 the schools I stand in for (approvals notice), 8 my
    # certificates
    assert _queries(lambda: client.get("/courses/mine/")) == small == 8


def test_it_lists_my_enrolments_in_the_api_in_a_flat_number_of_queries(tree):
    teacher = make_teacher(tree.school_a)
    api = client_for(teacher)
    _enrolments(tree, teacher, 3)
    small = _queries(lambda: api.get("/api/v1/enrolments/"))
    _enrolments(tree, teacher, 30)

    # token + user, memberships (reach), count, one page with the waitlist position as a subquery
    assert _queries(lambda: api.get("/api/v1/enrolments/?page_size=100")) == small == 4


def _grow_run(tree, run, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        buddy = make_buddy(tree.school_a)
        make_match(make_pupil(tree.school_a), buddy, run=run, alternatives=[[buddy.pk, 4.0]])
        UnmatchedPupil.objects.create(
            run=run, pupil=make_pupil(tree.school_a), school=tree.school_a, reason="no_free_capacity"
        )


def test_it_renders_the_run_review_in_a_flat_number_of_queries(client, tree):
    client.force_login(make_membership(Role.BUDDY_COORDINATOR, tree.region_a))
    run = make_run(tree.region_a, stats={"pupils": 1})
    _grow_run(tree, run, 2)
    small = _queries(lambda: client.get(f"/matching/runs/{run.pk}/"))
    _grow_run(tree, run, 25)

    # 1 session, 2 user, 3 memberships, 4 the run, 5 count of my part of its proposals, 6 the pupils
    # without a buddy (school and pupil joined), 7 interest names, 8 the page of proposals (pupil, buddy,
    # school joined), 9 the alternatives' buddy names (one query for the page), 10 one access-log INSERT
    # for every pupil shown
    assert _queries(lambda: client.get(f"/matching/runs/{run.pk}/")) == small == 10
