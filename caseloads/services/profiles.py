"""Supporters' profiles: set by the supporter themself or a coordinator in reach."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from caseloads.models import (
    SupporterProfile,
    Topic,
)
from core.errors import Forbidden, ServiceError
from pupils.services import clean_languages


@transaction.atomic
def save_profile(
    user: User,
    supporter: User,
    *,
    expertise: Sequence[str],
    languages: Sequence[str],
    home_municipality: Organisation | None,
    contract_hours_per_week: Any,
    active: bool = True,
) -> SupporterProfile:
    """Create or update a supporter's profile; by the supporter themself or a coordinator in reach."""
    services = [
        m.organisation
        for m in supporter.memberships.select_related("organisation")
        if m.organisation.kind == OrganisationKind.SUPPORT_SERVICE and m.role == "language_supporter"
    ]
    if not services:
        raise ServiceError(
            _("Only members of a support service have a supporter profile."), field="supporter"
        )
    service = services[0]
    if user.pk != supporter.pk and not scoping.can(user, Capability.ALLOCATE_SUPPORT, service):
        raise Forbidden(_("You cannot change this profile."))
    if any(t not in Topic.values for t in expertise):
        raise ServiceError(_("Unknown topic."), field="expertise")
    codes = clean_languages(list(languages), "languages")
    if home_municipality is not None and home_municipality.kind != OrganisationKind.MUNICIPALITY:
        raise ServiceError(_("Choose a municipality."), field="home_municipality")
    profile, _created = SupporterProfile.objects.update_or_create(
        user=supporter,
        defaults={
            "service": service,
            "expertise": sorted(set(expertise)),
            "languages": codes,
            "home_municipality": home_municipality,
            "contract_hours_per_week": contract_hours_per_week,
            "active": active,
        },
    )
    return profile
