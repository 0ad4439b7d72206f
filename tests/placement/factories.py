"""Factories for placement tests, built per test on top of tests/factories.py. Dates are relative to today."""

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import OrganisationKind, Role
from placement.models import Group, Placement, PlacementStatus, Report, ReportStatus
from tests.factories import OrgTree, make_membership, make_org

_seq = itertools.count(1)


def make_location(
    municipality: Organisation, name: str | None = None, lat: str = "52.38", lon: str = "4.64"
) -> Organisation:
    return make_org(
        OrganisationKind.NEWCOMER_CLASS, name, municipality, latitude=Decimal(lat), longitude=Decimal(lon)
    )


def make_group(
    location: Organisation, *, capacity: int = 3, age_min: int = 6, age_max: int = 8, **extra: object
) -> Group:
    n = next(_seq)
    defaults: dict[str, object] = {"name": f"Groep {n}", "stage": "primary"}
    defaults.update(extra)
    return Group.objects.create(
        location=location, capacity=capacity, age_min=age_min, age_max=age_max, **defaults
    )


def make_report(school: Organisation, *, age: int = 7, waited_days: int = 10, **extra: object) -> Report:
    n = next(_seq)
    today = timezone.localdate()
    defaults: dict[str, object] = {
        "first_name": f"Kind{n}",
        "last_initial": "K",
        "birth_year": today.year - age - (1 if today.month < 1 else 0),
        "birth_month": 1,
        "arrival_date": today - timedelta(days=waited_days + 20),
        "home_languages": ["ar"],
        "status": ReportStatus.WAITING,
        "eligibility_reason": "Qualifies",
        "reported_at": timezone.now() - timedelta(days=waited_days),
    }
    defaults.update(extra)
    return Report.objects.create(school=school, **defaults)


def make_placement(
    report: Report, group: Group, status: str = PlacementStatus.PROPOSED, **extra: object
) -> Placement:
    return Placement.objects.create(report=report, group=group, status=status, **extra)


@dataclass
class Register:
    """Region A with a newcomer-class location in municipality A1, its staff, and the officer."""

    tree: OrgTree
    location: Organisation
    officer: User
    location_staff: User
    school_staff: User
    officer_b: User


def make_register(tree: OrgTree) -> Register:
    tree.school_a.latitude, tree.school_a.longitude = Decimal("52.37"), Decimal("4.62")
    tree.school_a.save()
    location = make_location(tree.municipality_a1, "Haarlem-Noord")
    return Register(
        tree=tree,
        location=location,
        officer=make_membership(Role.PLACEMENT_OFFICER, tree.region_a),
        location_staff=make_membership(Role.NEWCOMER_CLASS_STAFF, location),
        school_staff=make_membership(Role.SCHOOL_STAFF, tree.school_a),
        officer_b=make_membership(Role.PLACEMENT_OFFICER, tree.region_b),
    )
