"""Groups at newcomer-class locations: created and resized by the placement officer. Capacity never drops
below the places given (checked under a lock on the group row; the database backs it)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, SchoolStage, User
from accounts.roles import Capability, OrganisationKind
from core.errors import ServiceError
from placement.models import Group
from placement.services.common import require


def _check(stage: str, age_min: int, age_max: int, capacity: int, intake_days: Sequence[int]) -> list[int]:
    if stage not in SchoolStage.values:
        raise ServiceError(_("Choose a stage."), field="stage")
    if not 3 <= age_min <= age_max <= 20:
        raise ServiceError(
            _("The age band runs from the youngest to the oldest age (3-20)."), field="age_max"
        )
    if not 0 <= capacity <= 60:
        raise ServiceError(_("Capacity is between 0 and 60."), field="capacity")
    days = sorted({int(d) for d in intake_days})
    if any(not 1 <= d <= 7 for d in days):
        raise ServiceError(_("Intake days are weekdays 1 (Monday) to 7."), field="intake_days")
    return days


@transaction.atomic
def create_group(
    user: User,
    location: Organisation,
    *,
    name: str,
    stage: str,
    age_min: int,
    age_max: int,
    capacity: int,
    intake_days: Sequence[int] = (),
) -> Group:
    if location.kind != OrganisationKind.NEWCOMER_CLASS:
        raise ServiceError(_("Choose a newcomer-class location."), field="location")
    require(user, Capability.KEEP_REGISTER, location, field="location")
    days = _check(stage, age_min, age_max, capacity, intake_days)
    if not name.strip() or Group.objects.filter(location=location, name=name.strip()).exists():
        raise ServiceError(_("Give the group a name of its own at this location."), field="name")
    return Group.objects.create(
        location=location,
        name=name.strip(),
        stage=stage,
        age_min=age_min,
        age_max=age_max,
        capacity=capacity,
        intake_days=days,
    )


@transaction.atomic
def update_group(
    user: User,
    group: Group,
    *,
    capacity: int,
    age_min: int,
    age_max: int,
    intake_days: Sequence[int] = (),
    active: bool = True,
) -> Group:
    require(user, Capability.KEEP_REGISTER, group.location)
    # The lock orders this change against approvals, which take the same row before counting.
    group = Group.objects.select_for_update().get(pk=group.pk)
    days = _check(group.stage, age_min, age_max, capacity, intake_days)
    if capacity < group.occupied:
        raise ServiceError(
            _("%(n)s places are taken: the capacity cannot go below that.") % {"n": group.occupied},
            field="capacity",
        )
    group.capacity, group.age_min, group.age_max, group.intake_days, group.active = (
        capacity,
        age_min,
        age_max,
        days,
        active,
    )
    group.save(update_fields=["capacity", "age_min", "age_max", "intake_days", "active"])
    return group
