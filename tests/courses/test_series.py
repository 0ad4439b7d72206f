"""Edition series: created at once, each edition with its own seats and waitlist, edited as a series
(future editions only) or one by one."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import ServiceError
from courses import series, services
from courses.models import EditionSeries, EditionStatus, EnrolmentStatus, Meeting
from tests.courses.factories import make_teacher

AMS = ZoneInfo("Europe/Amsterdam")


def _create(organiser, module, *, count=5, capacity=2, **extra):  # type: ignore[no-untyped-def]
    start = (timezone.localtime() + timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    dates = series.plan_dates(
        start,
        start.replace(hour=16),
        count=count,
        interval_weeks=extra.pop("interval_weeks", 6),
        venues=extra.pop("venues", ["Haarlem", "Zaandam", "Hoorn", "Alkmaar", "Purmerend"]),
    )
    return series.create_series(
        organiser,
        module,
        title="Studiedag NT2",
        dates=dates,
        capacity=capacity,
        enrol_opens_at=timezone.now() - timedelta(hours=1),
        **extra,
    )


def test_it_plans_dates_at_the_same_local_time_across_summer_time():
    first = datetime(2027, 3, 1, 9, 0, tzinfo=AMS)  # winter time; the third date is in summer time
    dates = series.plan_dates(first, first.replace(hour=12), count=3, interval_weeks=6, venues=["A", "B"])

    assert [timezone.localtime(d.starts_at, AMS).strftime("%Y-%m-%d %H:%M") for d in dates] == [
        "2027-03-01 09:00",
        "2027-04-12 09:00",
        "2027-05-24 09:00",
    ]
    assert [d.venue for d in dates] == ["A", "B", "B"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"count": 0}, "count"), ({"interval_weeks": 0}, "interval_weeks"), ({"venues": [" "]}, "venues")],
)
def test_it_refuses_a_bad_plan(kwargs, field):
    first = datetime(2027, 3, 1, 9, 0, tzinfo=AMS)
    args = {"count": 3, "interval_weeks": 6, "venues": ["A"]} | kwargs
    with pytest.raises(ServiceError) as caught:
        series.plan_dates(first, first.replace(hour=12), **args)
    assert caught.value.field == field


def test_it_creates_five_editions_each_with_its_own_seats_and_waitlist(tree, module_a, organiser_a):
    made = _create(organiser_a, module_a, publish=True, school_seat_limit=2)

    editions = list(made.editions.order_by("starts_at"))
    assert len(editions) == 5
    assert {e.status for e in editions} == {EditionStatus.PUBLISHED}
    assert [m.venue for m in Meeting.objects.filter(edition__series=made).order_by("starts_at")] == [
        "Haarlem",
        "Zaandam",
        "Hoorn",
        "Alkmaar",
        "Purmerend",
    ]
    assert all(e.school_seat_limit == 2 and e.capacity == 2 for e in editions)
    teachers = [make_teacher(tree.school_a), make_teacher(tree.school_a2), make_teacher(tree.school_a3)]
    statuses = [services.enrol(t, editions[0]).status for t in teachers]
    assert statuses == [EnrolmentStatus.CONFIRMED, EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]
    assert services.enrol(teachers[2], editions[1]).status == EnrolmentStatus.CONFIRMED  # its own seats


def test_it_creates_nothing_when_one_edition_is_refused(tree, module_a, organiser_a):
    with pytest.raises(ServiceError) as caught:
        _create(organiser_a, module_a, close_days_before=60)  # the first closes before it opens
    assert caught.value.field == "enrol_opens_at"
    assert not EditionSeries.objects.exists()
    assert not module_a.editions.exists()


def test_it_edits_future_editions_as_a_series_and_leaves_the_started_one(tree, module_a, organiser_a):
    made = _create(organiser_a, module_a, publish=True)
    editions = list(made.editions.order_by("starts_at"))
    started = editions[0]
    started.starts_at = timezone.now() - timedelta(hours=1)  # under way
    started.save(update_fields=["starts_at"])
    teacher = make_teacher(tree.school_a)
    services.enrol(make_teacher(tree.school_a2), editions[1])
    services.enrol(make_teacher(tree.school_a2), editions[1])
    waiting = services.enrol(teacher, editions[1])
    assert waiting.status == EnrolmentStatus.WAITLISTED

    changed = series.update_series(
        organiser_a, made, capacity=3, school_seat_limit=None, requires_school_approval=True, offer_hours=12
    )

    assert [e.pk for e in changed] == [e.pk for e in editions[1:]]
    for edition in editions:
        edition.refresh_from_db()
    assert started.capacity == 2
    assert not started.requires_school_approval
    assert all(e.capacity == 3 and e.requires_school_approval and e.offer_hours == 12 for e in editions[1:])
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED  # the larger capacity promoted


def test_it_names_the_edition_that_refuses_a_series_edit_and_changes_none(tree, module_a, organiser_a):
    made = _create(organiser_a, module_a, publish=True, capacity=3)
    editions = list(made.editions.order_by("starts_at"))
    for _ in range(3):
        services.enrol(make_teacher(tree.school_a2), editions[2])

    with pytest.raises(ServiceError) as caught:
        series.update_series(organiser_a, made, capacity=2)

    assert caught.value.field == "capacity"
    assert timezone.localtime(editions[2].starts_at).strftime("%d-%m-%Y") in caught.value.message
    assert {e.capacity for e in made.editions.all()} == {3}


def test_it_edits_one_edition_alone(tree, module_a, organiser_a):
    made = _create(organiser_a, module_a, publish=True)
    editions = list(made.editions.order_by("starts_at"))

    services.change_capacity(organiser_a, editions[3], 40)

    assert [e.capacity for e in made.editions.order_by("starts_at")] == [2, 2, 2, 40, 2]


def test_it_shows_series_form_errors_and_creates_nothing(client, tree, module_a, organiser_a):
    client.force_login(organiser_a)

    response = client.post(
        f"/courses/organise/modules/{module_a.pk}/series/new/",
        {
            "title": "Netwerk",
            "first_starts_at": "2027-03-01T09:00",
            "first_ends_at": "2027-03-01T08:00",
            "count": "60",
            "interval_weeks": "6",
            "venues": "",
            "capacity": "10",
            "school_seat_limit": "11",
            "enrol_opens_at": "2027-01-01T09:00",
            "close_days_before": "1",
            "cancel_days_before": "2",
            "promotion_mode": "immediate",
            "offer_hours": "48",
        },
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"count", "venues", "school_seat_limit"}
    assert not EditionSeries.objects.exists()
    response = client.post(
        f"/courses/organise/modules/{module_a.pk}/series/new/",
        {
            **{k: v[0] for k, v in form.data.lists()},
            "count": "3",
            "venues": "Haarlem",
            "school_seat_limit": "",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"first_ends_at": ["A meeting must end after it starts."]}
    assert not EditionSeries.objects.exists()
