"""The buddy coordinator's dashboard panel: proposals waiting for review, overdue check-ins, runs in
progress. Three queries."""

from django.http import HttpRequest
from django.utils import timezone

from accounts import scoping
from accounts.roles import Capability
from matching.models import ACTIVE_RUN_STATUSES, CheckIn, Match, MatchRun, MatchStatus, RunStatus


def coordinator_panel(request: HttpRequest) -> dict[str, object] | None:
    user = request.user
    matches = scoping.scope(Match.objects.all(), user, Capability.RUN_MATCHING, field="school")
    pending = matches.filter(status=MatchStatus.PROPOSED, run__status=RunStatus.DONE).count()
    overdue = CheckIn.objects.filter(
        match__in=matches.filter(status=MatchStatus.APPROVED),
        done_at__isnull=True,
        due_on__lt=timezone.localdate(),
    ).count()
    running = list(
        scoping.scope(MatchRun.objects.select_related("scope"), user, Capability.RUN_MATCHING, field="scope")
        .filter(status__in=ACTIVE_RUN_STATUSES)
        .order_by("created_at")[:5]
    )
    return {"pending": pending, "overdue": overdue, "running": running}
