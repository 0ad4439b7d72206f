"""Who may open a match run: whoever reaches its scope, and whoever reaches a school with a result in it.

A regional run writes proposals for De Kring; De Kring's coordinator sees them in her lists, so she can
open the run they belong to, and sees only her schools' part of it (and who started it, for what).
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.roles import Capability
from core.errors import NotFound
from matching.models import Match, MatchRun, UnmatchedPupil


def visible_runs(user: Viewer) -> QuerySet[MatchRun]:
    cap = Capability.RUN_MATCHING
    own = scoping.scope(MatchRun.objects.all(), user, cap, field="scope").values("pk")
    proposed = scoping.scope(Match.objects.all(), user, cap, field="school").values("run_id")
    unmatched = scoping.scope(UnmatchedPupil.objects.all(), user, cap, field="school").values("run_id")
    return MatchRun.objects.select_related("scope", "started_by").filter(
        Q(pk__in=own) | Q(pk__in=proposed) | Q(pk__in=unmatched)
    )


def get_visible_or_404(user: Viewer, pk: int) -> MatchRun:
    """The run ``pk`` if the user may open it; ``NotFound`` (a 404) otherwise."""
    try:
        return visible_runs(user).get(pk=pk)
    except (MatchRun.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found.")) from None  # DRF's wording and its translation, as before


def sees_whole_run(user: Viewer, run: MatchRun) -> bool:
    return scoping.can(user, Capability.RUN_MATCHING, run.scope)


def part[M: (Match, UnmatchedPupil)](queryset: QuerySet[M], user: Viewer) -> QuerySet[M]:
    """The rows of a run in the user's schools."""
    return scoping.scope(queryset, user, Capability.RUN_MATCHING, field="school")
