"""The one place that decides what a user may reach.

A membership grants its role's capabilities over its organisation and everything below it (a support
service's members reach the region it serves). Every list, page and endpoint filters through
:func:`scope` or :func:`get_in_reach_or_404`, so a person from school A never sees school B's records,
and a wrong id answers 404, never 403 with data.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from accounts.http import Viewer
from accounts.models import Membership, Organisation, User
from accounts.roles import CAPABILITIES, Capability, OrganisationKind


@dataclass(frozen=True)
class Reach:
    """The organisations a user reaches for one capability: everything (superuser) or subtrees by path."""

    everything: bool
    paths: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.everything and not self.paths

    def organisations(self) -> QuerySet[Organisation]:
        if self.everything:
            return Organisation.objects.all()
        if not self.paths:
            return Organisation.objects.none()
        return Organisation.objects.filter(reduce(or_, (Q(path__startswith=p) for p in self.paths)))

    def contains(self, organisation: Organisation | None) -> bool:
        if organisation is None:
            return False
        return self.everything or any(organisation.path.startswith(p) for p in self.paths)


def _memberships(user: Viewer) -> list[Membership]:
    if not isinstance(user, User):
        return []
    cached: list[Membership] | None = getattr(user, "_overstap_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation__parent"))
        setattr(user, "_overstap_memberships", cached)  # noqa: B010 (a per-request cache the model does not declare)
    return cached


def memberships(user: Viewer) -> list[Membership]:
    """The user's memberships (cached on the user for the request)."""
    return _memberships(user)


def _root_path(membership: Membership) -> str:
    org = membership.organisation
    if org.kind == OrganisationKind.SUPPORT_SERVICE and org.parent is not None:
        return org.parent.path
    return org.path


def reach(user: Viewer, capability: Capability) -> Reach:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Reach(False, ())
    if getattr(user, "is_superuser", False):
        return Reach(True, ())
    paths = sorted(
        {_root_path(m) for m in _memberships(user) if capability in CAPABILITIES.get(m.role, frozenset())}
    )
    # Drop paths already covered by a shorter one.
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return Reach(False, tuple(sorted(kept)))


def can(user: Viewer, capability: Capability, organisation: Organisation | None = None) -> bool:
    r = reach(user, capability)
    return r.contains(organisation) if organisation is not None else not r.empty


def capabilities(user: Viewer) -> frozenset[Capability]:
    if getattr(user, "is_superuser", False):
        return frozenset(Capability)
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    found: set[Capability] = set()
    for m in _memberships(user):
        found |= CAPABILITIES.get(m.role, frozenset())
    return frozenset(found)


def scope[M: Model](
    queryset: QuerySet[M], user: Viewer, capability: Capability, field: str = "organisation"
) -> QuerySet[M]:
    """Filter ``queryset`` to rows whose ``field`` (a foreign key to Organisation, or "" for Organisation
    itself) lies within the user's reach for ``capability``."""
    r = reach(user, capability)
    if r.everything:
        return queryset
    if r.empty:
        return queryset.none()
    orgs = r.organisations().values("pk")
    return queryset.filter(**{f"{field}__in" if field else "pk__in": orgs})


def q(user: Viewer, capability: Capability, field: str = "organisation") -> Q | None:
    """The reach as a filter on ``field`` (a foreign key to Organisation): ``Q()`` for everything, None for
    nothing, so callers can OR the reaches of several capabilities."""
    r = reach(user, capability)
    if r.everything:
        return Q()
    if r.empty:
        return None
    return Q(**{f"{field}__in": r.organisations().values("pk")})


def get_in_reach_or_404[M: Model](
    queryset: QuerySet[M], user: Viewer, capability: Capability, field: str = "organisation", **lookup: object
) -> M:
    try:
        return scope(queryset, user, capability, field).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organisations_of_kind(
    user: Viewer, capability: Capability, kinds: Iterable[str]
) -> QuerySet[Organisation]:
    return reach(user, capability).organisations().filter(kind__in=list(kinds))


def forget(user: Viewer) -> None:
    """Drop the cached memberships, after they changed in this request."""
    if hasattr(user, "_overstap_memberships"):
        delattr(user, "_overstap_memberships")


def roles_over(user: Viewer, organisation: Organisation) -> set[str]:
    """The roles ``user`` holds at ``organisation`` or above it."""
    return {m.role for m in _memberships(user) if organisation.path.startswith(_root_path(m))}
