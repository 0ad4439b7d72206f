"""Checks shared by the placement verbs: who may act where, and the region of an organisation."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core.errors import Forbidden
from placement.models import EligibilityRule


def today() -> date:
    return timezone.localdate()


def region_of(organisation: Organisation) -> Organisation | None:
    if organisation.kind == OrganisationKind.REGION:
        return organisation
    return organisation.ancestor_of_kind(OrganisationKind.REGION)


def require(
    user: User, capability: Capability, organisation: Organisation | None, field: str | None = None
) -> None:
    if organisation is None or not scoping.can(user, capability, organisation):
        raise Forbidden(_("You cannot do this here."), code="out_of_reach", field=field)


def rule_for(region: Organisation | None) -> EligibilityRule:
    """The region's rule, or the defaults (4-17 years, at most 24 months in the Netherlands)."""
    rule = EligibilityRule.objects.filter(region=region).first() if region else None
    return rule or EligibilityRule(region=region)


def age_on(birth_year: int, birth_month: int, day: date) -> int:
    """Whole years on ``day`` for a child born in ``birth_month`` (counted from the month's first day)."""
    return day.year - birth_year - (1 if day.month < birth_month else 0)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
