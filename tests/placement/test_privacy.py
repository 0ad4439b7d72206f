"""Privacy of register records: reach, parents' contact, access log, export, erase, retention."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import NotFound
from placement import queries, services
from placement.models import Group, Report, ReportStatus
from pupils.models import AccessLog, AccessSubject
from tests.factories import make_membership
from tests.placement.factories import make_group, make_location, make_placement, make_report

pytestmark = pytest.mark.django_db


def test_it_scopes_reports_to_officer_school_and_own_location(reg):
    mine = make_report(reg.tree.school_a)
    other_school = make_report(reg.tree.school_a2)
    placed = make_report(reg.tree.school_a2, location=reg.location)
    other_location_staff = make_membership(Role.NEWCOMER_CLASS_STAFF, make_location(reg.tree.municipality_a2))
    assert set(queries.reports_for(reg.officer)) == {mine, other_school, placed}
    assert set(queries.reports_for(reg.school_staff)) == {mine}
    assert set(queries.reports_for(reg.location_staff)) == {placed}
    assert set(queries.reports_for(other_location_staff)) == set()
    assert set(queries.reports_for(reg.officer_b)) == set()


def test_it_shows_parents_contact_only_to_officer_and_the_childs_location(reg):
    report = make_report(reg.tree.school_a, location=reg.location)
    assert queries.sees_parents(reg.officer, report) is True
    assert queries.sees_parents(reg.location_staff, report) is True
    assert queries.sees_parents(reg.school_staff, report) is False


def test_it_logs_every_view_and_answers_404_out_of_reach(reg):
    report = make_report(reg.tree.school_a)
    queries.report_or_404(reg.officer, report.pk, "placement.detail")
    with pytest.raises(NotFound):
        queries.report_or_404(reg.officer_b, report.pk, "placement.detail")
    assert list(AccessLog.objects.values_list("user", "pupil_id", "subject", "action", "context")) == [
        (reg.officer.pk, report.pk, AccessSubject.REPORT, "view", "placement.detail")
    ]


def test_it_exports_and_erases_one_child_freeing_the_place(reg):
    group = make_group(reg.location)
    report = make_report(reg.tree.school_a, parent_phone="0612345678")
    services.approve(reg.officer, make_placement(report, group))
    record = services.export_record(reg.officer, report)
    assert (record["parent_phone"], record["placements"][0]["status"]) == ("0612345678", "approved")
    services.erase_report(reg.officer, report, reason="parents asked")
    assert not Report.objects.filter(pk=report.pk).exists()
    assert Group.objects.get(pk=group.pk).occupied == 0
    assert list(AccessLog.objects.values_list("action", flat=True).order_by("id")) == ["export", "erase"]


def test_it_anonymises_records_after_the_retention_period(reg, settings):
    settings.PLACEMENT_RETENTION_MONTHS = 12
    old = make_report(
        reg.tree.school_a, status=ReportStatus.LEFT, left_at=timezone.localdate() - timedelta(days=400)
    )
    recent = make_report(
        reg.tree.school_a, status=ReportStatus.LEFT, left_at=timezone.localdate() - timedelta(days=20)
    )
    assert services.anonymise_expired() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.first_name, old.parent_phone, old.anonymised_at is not None) == ("-", "", True)
    assert recent.anonymised_at is None
    assert services.anonymise_expired() == 0
