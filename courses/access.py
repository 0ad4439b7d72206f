"""Who sees which modules, editions and enrolments. Built on ``accounts.scoping`` (the one place that
computes reach); this module only translates reach into the catalogue's notion of visibility.

A module is visible in a region or municipality (``visible_in``): every school below it sees it. A user
browsing from a school therefore sees modules whose ``visible_in`` is an *ancestor* of their school (the
ids are in the school's materialised path, so no query is needed), and a coordinator sees modules
visible anywhere inside their own reach.
"""

from django.db.models import Q, QuerySet

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Membership, Organisation, User
from accounts.roles import CAPABILITIES, Capability
from courses.models import ACTIVE_STATUSES, Edition, EditionStatus, Enrolment, Module


def _ancestor_ids(paths: tuple[str, ...]) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def visible_q(user: Viewer, prefix: str = "") -> Q:
    """A Q over Module (``prefix`` "module__" for Edition) for what ``user`` may browse."""
    browse = scoping.reach(user, Capability.BROWSE_CATALOGUE)
    organise = scoping.reach(user, Capability.ORGANISE_COURSES)
    if browse.everything or organise.everything:
        return Q()
    q = Q(pk__in=[])
    if browse.paths:
        q |= Q(**{f"{prefix}visible_in_id__in": _ancestor_ids(browse.paths)})
        q |= Q(**{f"{prefix}visible_in__in": browse.organisations()})
    if organise.paths:
        q |= Q(**{f"{prefix}organiser__in": organise.organisations()})
    return q


def catalogue_modules(user: Viewer) -> QuerySet[Module]:
    return Module.objects.filter(visible_q(user))


def organised_q(user: Viewer, prefix: str = "") -> Q | None:
    """Q for rows organised within the user's ORGANISE_COURSES reach; None when the user organises nothing."""
    organise = scoping.reach(user, Capability.ORGANISE_COURSES)
    if organise.everything:
        return Q()
    if organise.empty:
        return None
    return Q(**{f"{prefix}organiser__in": organise.organisations()})


def catalogue_editions(user: Viewer) -> QuerySet[Edition]:
    """Editions a user may see: published, cancelled and completed ones of visible modules, plus drafts
    of modules they organise."""
    organised = organised_q(user, "module__")
    shown = ~Q(status=EditionStatus.DRAFT)
    if organised is not None:
        shown |= organised
    return Edition.objects.filter(visible_q(user, "module__")).filter(shown)


def organised_editions(user: Viewer) -> QuerySet[Edition]:
    organised = organised_q(user, "module__")
    return Edition.objects.none() if organised is None else Edition.objects.filter(organised)


def organised_modules(user: Viewer) -> QuerySet[Module]:
    organised = organised_q(user)
    return Module.objects.none() if organised is None else Module.objects.filter(organised)


def can_organise(user: Viewer, module: Module) -> bool:
    return scoping.can(user, Capability.ORGANISE_COURSES, module.organiser)


def enrolling_school(user: User, module: Module) -> Organisation | None:
    """The school through which ``user`` enrols in ``module``: a membership with ENROL at a school below
    the module's visibility. None when the module is outside every such school (another region)."""
    visible_path = module.visible_in.path
    for membership in scoping.memberships(user):
        if Capability.ENROL not in CAPABILITIES.get(membership.role, frozenset()):
            continue
        if membership.organisation.path.startswith(visible_path):
            return membership.organisation
    return None


def school_can_see(school: Organisation, module: Module) -> bool:
    return school.path.startswith(module.visible_in.path)


def visible_enrolments(user: Viewer) -> QuerySet[Enrolment]:
    """Own enrolments, those of editions the user organises, and those of schools where the user
    reserves seats (school staff approve and name their team)."""
    q = Q(teacher=user)
    organised = organised_q(user, "edition__module__")
    if organised is not None:
        q |= organised
    reserve = scoping.reach(user, Capability.RESERVE_SEATS)
    if reserve.everything:
        q = Q()
    elif reserve.paths:
        q |= Q(school__in=reserve.organisations())
    return Enrolment.objects.filter(q)


def is_teacher_at(user: User, school: Organisation) -> bool:
    roles = {r for r, caps in CAPABILITIES.items() if Capability.ENROL in caps}
    return Membership.objects.filter(user=user, organisation=school, role__in=roles).exists()


__all__ = ["ACTIVE_STATUSES"]
