"""The calendar address on "My courses" exists without a write on GET (issue 11): it is derived until the
teacher renews it, and renewing invalidates the address shown before."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import CalendarFeed
from tests.courses.factories import make_edition, make_enrolment, make_teacher


def _address(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/courses/mine/").content.decode()
    return re.search(r'id="feed-url"[^>]* value="https?://[^/"]+(/courses/feed/[^"]+\.ics)"', page)[1]


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_it_shows_my_courses_without_writing(client, tree, module_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(make_edition(module_a), teacher)
    client.force_login(teacher)
    client.get("/courses/mine/")  # the first request of a login saves its session

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/courses/mine/")

    assert response.status_code == 200
    assert _writes(ctx) == []
    assert not CalendarFeed.objects.filter(user=teacher).exists()


def test_the_address_shown_before_any_renewal_serves_the_feed(client, tree, module_a):
    teacher = make_teacher(tree.school_a)
    module_a.title = "Feed day"
    module_a.save()
    make_enrolment(make_edition(module_a), teacher)
    client.force_login(teacher)

    address = _address(client)
    assert _address(client) == address
    client.logout()
    response = client.get(address)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Feed day" in response.content.decode().replace("\r\n ", "")


def test_renewing_invalidates_the_derived_address_and_each_older_one(client, tree, module_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(make_edition(module_a), teacher)
    client.force_login(teacher)
    derived = _address(client)

    client.post("/courses/mine/feed/reset/")
    renewed = _address(client)
    client.post("/courses/mine/feed/reset/")
    latest = _address(client)

    assert len({derived, renewed, latest}) == 3
    assert (
        latest.removeprefix("/courses/feed/").removesuffix(".ics")
        == CalendarFeed.objects.get(user=teacher).token
    )
    assert [client.get(a).status_code for a in (derived, renewed, latest)] == [404, 404, 200]


def test_it_refuses_a_forged_or_foreign_derived_address(client, tree):
    teacher = make_teacher(tree.school_a)
    client.force_login(teacher)
    derived = _address(client)
    pk, signature = derived.removeprefix("/courses/feed/").removesuffix(".ics").split(".")
    other = make_teacher(tree.school_a)
    teacher.is_active = False
    teacher.save()

    assert client.get(f"/courses/feed/{other.pk}.{signature}.ics").status_code == 404
    assert client.get(f"/courses/feed/{pk}.x{signature}.ics").status_code == 404
    assert client.get(derived).status_code == 404  # an inactive teacher's feed is closed
