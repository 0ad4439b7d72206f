"""The demo region's register: locations, groups within capacity, three years of reports, a waiting list."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from placement.models import Group, Interim, Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_it_seeds_a_register_with_history_and_a_waiting_list_and_stays_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reports = Report.objects.count()
    assert Organisation.objects.filter(kind=OrganisationKind.NEWCOMER_CLASS).count() == 3
    assert reports > 300
    assert Report.objects.filter(status=ReportStatus.LEFT).count() > 100
    assert Report.objects.filter(status=ReportStatus.WAITING).exists()
    # A waiting list as a region has it: mostly recent reports; the few who wait longer have an interim
    # arrangement (before, every child who found no place at once waited for ever: a median of 400 days).
    today = timezone.localdate()
    waiting = Report.objects.filter(status=ReportStatus.WAITING)
    days = sorted((today - timezone.localtime(r.reported_at).date()).days for r in waiting)
    assert days[len(days) // 2] <= 60
    long_waiting = [r for r in waiting if (today - timezone.localtime(r.reported_at).date()).days > 21]
    assert all(r.interim == Interim.REGULAR_WITH_SUPPORT for r in long_waiting)
    assert all(g.occupied <= g.capacity for g in Group.objects.all())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Report.objects.count() == reports
