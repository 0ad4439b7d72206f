"""The placement pages: report form round trip, the officer's journey, reach, and the figures."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from placement.models import Group, Placement, PlacementRun, PlacementStatus, Report, ReportStatus
from pupils.models import AccessLog
from tests.factories import make_membership
from tests.placement.factories import make_group, make_placement, make_report

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_it_files_a_report_from_the_form_and_shows_the_eligibility(reg):
    today = timezone.localdate()
    response = _client(reg.school_staff).post(
        reverse("placement:report_create"),
        {
            "school": reg.tree.school_a.pk,
            "first_name": "Amira",
            "last_initial": "B",
            "birth_month": "1",
            "birth_year": str(today.year - 8),
            "arrival_date": (today - timedelta(days=5)).isoformat(),
            "home_languages": ["ar"],
            "prior_schooling_years": "2",
        },
        follow=True,
    )
    report = Report.objects.get()
    assert report.status == ReportStatus.WAITING
    assert "The child is on the waiting list: Qualifies: 8 years old" in response.content.decode()


def test_it_shows_a_field_error_for_an_arrival_before_birth(reg):
    today = timezone.localdate()
    response = _client(reg.school_staff).post(
        reverse("placement:report_create"),
        {
            "school": reg.tree.school_a.pk,
            "first_name": "Amira",
            "last_initial": "B",
            "birth_month": "6",
            "birth_year": str(today.year - 3),
            "arrival_date": (today.replace(year=today.year - 4)).isoformat(),
            "home_languages": ["ar"],
            "prior_schooling_years": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "arrival_date": ["The arrival date lies before the birth month."]
    }
    assert Report.objects.count() == 0


def test_it_renders_every_officer_page(reg):
    group = make_group(reg.location)
    report = make_report(reg.tree.school_a, parent_phone="0612345678")
    make_placement(report, group)
    client = _client(reg.officer)
    for name, kwargs in [
        ("placement:home", {}),
        ("placement:group_list", {}),
        ("placement:group_edit", {"pk": group.pk}),
        ("placement:run_list", {}),
        ("placement:figures", {}),
        ("placement:figures_csv", {}),
        ("placement:report_detail", {"pk": report.pk}),
        ("dashboard", {}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200, name
    detail = client.get(reverse("placement:report_detail", kwargs={"pk": report.pk})).content.decode()
    assert "0612345678" in detail
    assert AccessLog.objects.filter(pupil_id=report.pk, action="view").count() == 2


def test_it_hides_parents_contact_from_the_registering_school(reg):
    report = make_report(reg.tree.school_a, parent_phone="0612345678")
    page = _client(reg.school_staff).get(reverse("placement:report_detail", kwargs={"pk": report.pk}))
    assert page.status_code == 200
    assert "0612345678" not in page.content.decode()


def test_it_answers_404_to_an_officer_of_another_region_and_changes_nothing(reg):
    placement = make_placement(make_report(reg.tree.school_a), make_group(reg.location))
    client = _client(reg.officer_b)
    assert (
        client.get(reverse("placement:report_detail", kwargs={"pk": placement.report_id})).status_code == 404
    )
    assert client.post(reverse("placement:approve", kwargs={"pk": placement.pk})).status_code == 404
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.PROPOSED


def test_it_runs_and_approves_from_the_pages(reg, django_capture_on_commit_callbacks):
    make_group(reg.location)
    report = make_report(reg.tree.school_a)
    client = _client(reg.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placement:run_list"), {"region": reg.tree.region_a.pk})
    placement = Placement.objects.get(report=report)
    assert response.url == reverse("placement:run_detail", kwargs={"pk": placement.run_id})
    client.post(reverse("placement:run_approve_all", kwargs={"pk": placement.run_id}))
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.APPROVED


def test_it_shows_a_municipal_coordinator_figures_without_names_and_hides_small_groups(reg):
    coordinator = make_membership(Role.MUNICIPAL_COORDINATOR, reg.tree.municipality_a1)
    group = make_group(reg.location)
    report = make_report(reg.tree.school_a)
    make_placement(report, group, PlacementStatus.STARTED, start_date=timezone.localdate())
    page = _client(coordinator).get(reverse("placement:figures"))
    body = page.content.decode()
    assert page.status_code == 200
    assert report.first_name not in body
    assert [m.hidden for m in page.context["fig"].municipalities] == [True]


def test_it_speaks_dutch_and_keeps_the_iso_date_in_the_date_input(reg, settings):
    settings.LANGUAGE_CODE = "nl"
    report = make_report(reg.tree.school_a)
    make_placement(report, make_group(reg.location), PlacementStatus.APPROVED)
    with translation.override("nl"):
        page = _client(reg.officer).get(reverse("placement:report_detail", kwargs={"pk": report.pk}))
    body = page.content.decode()
    assert "Start vastleggen" in body
    assert "Tijdlijn" in body
    assert 'type="date"' in body


@pytest.mark.parametrize("value", ["abc", "-é-é", "1.5", "-3", "9" * 40, ""])
def test_it_answers_a_form_error_to_a_region_that_is_not_a_number(reg, value):
    response = _client(reg.officer).post(reverse("placement:run_list"), {"region": value})
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Choose a region."]
    assert not PlacementRun.objects.exists()


def _started_placement(reg):  # type: ignore[no-untyped-def]
    from placement import services

    group = make_group(reg.location)
    report = make_report(reg.tree.school_a)
    placement = services.approve(reg.officer, make_placement(report, group))
    return services.start(reg.location_staff, placement, timezone.localdate())


def test_it_shows_an_outflow_before_the_start_as_a_field_error_and_writes_nothing(reg):
    placement = _started_placement(reg)
    response = _client(reg.location_staff).post(
        reverse("placement:outflow", args=[placement.pk]),
        {"outflow_date": (timezone.localdate() - timedelta(days=2)).isoformat(), "advised_grade": "4"},
    )
    assert response.status_code == 400
    assert response.context["outflow_form"].errors == {
        "outflow_date": ["The outflow date lies before the start."]
    }
    assert Placement.objects.get(pk=placement.pk).outflow_date is None
    assert Report.objects.get(pk=placement.report_id).status == ReportStatus.STARTED


def test_it_shows_a_placement_into_a_full_group_as_a_field_error(reg):
    full = make_group(reg.location, capacity=1)
    make_placement(make_report(reg.tree.school_a), full, status=PlacementStatus.APPROVED)
    full.occupied = 1
    full.save(update_fields=["occupied"])
    report = make_report(reg.tree.school_a)
    response = _client(reg.officer).post(
        reverse("placement:report_place", args=[report.pk]), {"group": full.pk}
    )
    assert response.status_code == 400
    assert response.context["hand_form"].errors == {"group": ["This group is full."]}
    assert Report.objects.get(pk=report.pk).status == ReportStatus.WAITING
    assert not Placement.objects.filter(report=report).exists()


def test_it_shows_a_start_without_a_date_as_a_field_error(reg):
    from placement import services

    group = make_group(reg.location)
    placement = services.approve(reg.officer, make_placement(make_report(reg.tree.school_a), group))
    response = _client(reg.location_staff).post(
        reverse("placement:start", args=[placement.pk]), {"start_date": "31-02-2026"}
    )
    assert response.status_code == 400
    assert "start_date" in response.context["start_form"].errors
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.APPROVED


def test_it_shows_a_birth_month_in_the_future_and_a_sibling_out_of_reach_as_field_errors(reg):
    today = timezone.localdate()
    elsewhere = make_report(reg.tree.school_b)
    response = _client(reg.school_staff).post(
        reverse("placement:report_create"),
        {
            "school": reg.tree.school_a.pk,
            "first_name": "Amira",
            "last_initial": "B",
            "birth_month": "12",
            "birth_year": str(today.year + 1),
            "arrival_date": today.isoformat(),
            "home_languages": ["ar"],
            "prior_schooling_years": "0",
            "siblings": [elsewhere.pk],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"siblings"}  # the form refuses the sibling first; the verb never runs
    assert Report.objects.filter(school=reg.tree.school_a).count() == 0
    response = _client(reg.school_staff).post(
        reverse("placement:report_create"),
        {
            "school": reg.tree.school_a.pk,
            "first_name": "Amira",
            "last_initial": "B",
            "birth_month": "12",
            "birth_year": str(today.year + 1),
            "arrival_date": today.isoformat(),
            "home_languages": ["ar"],
            "prior_schooling_years": "0",
        },
    )
    assert response.context["form"].errors == {"birth_year": ["The birth month lies in the future."]}
    assert Report.objects.filter(school=reg.tree.school_a).count() == 0


def test_it_shows_a_capacity_below_the_places_taken_as_a_field_error(reg):
    group = make_group(reg.location, capacity=3)
    group.occupied = 2
    group.save(update_fields=["occupied"])
    response = _client(reg.officer).post(
        reverse("placement:group_edit", args=[group.pk]),
        {"age_min": "6", "age_max": "8", "capacity": "1", "active": "on"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["capacity"]
    assert Group.objects.get(pk=group.pk).capacity == 3


def test_the_csv_gives_the_officer_the_speed_and_hides_small_groups_from_a_coordinator(reg):
    import csv
    import io

    group = make_group(reg.location, capacity=4)
    today = timezone.localdate()
    for days in (3, 10, 20):
        report = make_report(reg.tree.school_a, waited_days=days, status=ReportStatus.STARTED)
        make_placement(report, group, PlacementStatus.STARTED, start_date=today)
    make_report(reg.tree.school_a, waited_days=6)  # still waiting

    def rows(user):  # type: ignore[no-untyped-def]
        response = _client(user).get(reverse("placement:figures_csv"))
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    officer = rows(reg.officer)
    assert ["waiting_children", "1", "median_days", "6", "longest_days", "6"] in officer
    assert [reg.tree.municipality_a1.name, "3", "10", "67%"] in officer
    coordinator = rows(make_membership(Role.MUNICIPAL_COORDINATOR, reg.tree.municipality_a1))
    assert [reg.tree.municipality_a1.name, "<5", "", ""] in coordinator
    assert not any(report.first_name in ",".join(r) for r in coordinator)


def test_it_gives_the_officer_report_to_start_per_child_and_a_coordinator_none(reg):
    import csv
    import io

    group = make_group(reg.location, capacity=4)
    today = timezone.localdate()
    reports = {}
    for days in (3, 20):
        reports[days] = make_report(reg.tree.school_a, waited_days=days, status=ReportStatus.STARTED)
        make_placement(reports[days], group, PlacementStatus.STARTED, start_date=today)

    earlier = make_report(reg.tree.school_a, waited_days=185, status=ReportStatus.STARTED)  # 5 days
    make_placement(earlier, group, PlacementStatus.STARTED, start_date=today - timedelta(days=180))

    page = _client(reg.officer).get(reverse("placement:figures"))
    fig = page.context["fig"]
    assert [(c.report_id, c.days, c.within_target) for c in fig.recent_children] == [
        (reports[20].pk, 20, False),
        (reports[3].pk, 3, True),
    ]
    assert [c.report_id for c in fig.children] == [reports[20].pk, earlier.pk, reports[3].pk]
    body = page.content.decode()
    assert reverse("placement:report_detail", kwargs={"pk": reports[20].pk}) in body
    assert reverse("placement:report_detail", kwargs={"pk": earlier.pk}) not in body  # in the CSV only
    assert reports[20].first_name not in body  # the record is a click away, and that view is logged
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title

    response = _client(reg.officer).get(reverse("placement:figures_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    municipality = reg.tree.municipality_a1.name
    assert rows[-4] == ["report", "municipality", "reported", "started", "days", "within_14_days"]
    slowest, fastest = rows[-3], rows[-1]
    assert rows[-2][0] == str(earlier.pk)
    assert slowest[:2] + slowest[3:] == [str(reports[20].pk), municipality, today.isoformat(), "20", "no"]
    assert fastest[:2] + fastest[3:] == [str(reports[3].pk), municipality, today.isoformat(), "3", "yes"]

    coordinator = make_membership(Role.MUNICIPAL_COORDINATOR, reg.tree.municipality_a1)
    assert _client(coordinator).get(reverse("placement:figures")).context["fig"].children == []
