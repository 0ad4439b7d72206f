"""The demo region's register: locations, groups within capacity, three years of reports, a waiting list."""

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from placement.models import Group, Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_it_seeds_a_register_with_history_and_a_waiting_list_and_stays_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reports = Report.objects.count()
    assert Organisation.objects.filter(kind=OrganisationKind.NEWCOMER_CLASS).count() == 3
    assert reports > 300
    assert Report.objects.filter(status=ReportStatus.LEFT).count() > 100
    assert Report.objects.filter(status=ReportStatus.WAITING).exists()
    assert all(g.occupied <= g.capacity for g in Group.objects.all())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Report.objects.count() == reports
