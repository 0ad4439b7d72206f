"""Visits and next steps: logged by a supporter of the case."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from caseloads.models import (
    Case,
    NextStep,
    Visit,
    VisitKind,
)
from caseloads.services.cases import editable
from core.errors import ServiceError


def _future_done_error() -> ServiceError:
    return ServiceError(
        _("A visit in the future cannot be marked as done."), code="visit_in_future", field="done"
    )


@transaction.atomic
def log_visit(
    user: User,
    case: Case,
    *,
    date: date,
    kind: str,
    duration_minutes: int,
    preparation_minutes: int = 0,
    travel_minutes: int = 0,
    notes: str = "",
    advice: str = "",
    next_visit_date: date | None = None,
    done: bool = False,
    steps: Sequence[dict[str, Any]] = (),
) -> Visit:
    case = editable(user, case)
    today = timezone.localdate()
    if kind not in VisitKind.values:
        raise ServiceError(_("Choose one of the options."), field="kind")
    if done and date > today:
        raise _future_done_error()
    if next_visit_date is not None and next_visit_date < date:
        raise ServiceError(_("The next visit cannot be before this one."), field="next_visit_date")
    for step in steps:
        if not str(step.get("description", "")).strip():
            raise ServiceError(_("Describe each agreed next step."), field="steps")
        if not step.get("due_date"):
            raise ServiceError(_("Give each next step a due date."), field="steps")
    visit = Visit.objects.create(
        case=case,
        supporter=user,
        date=date,
        kind=kind,
        duration_minutes=duration_minutes,
        preparation_minutes=preparation_minutes,
        travel_minutes=travel_minutes,
        notes=notes.strip(),
        advice=advice.strip(),
        next_visit_date=next_visit_date,
        done=done,
    )
    NextStep.objects.bulk_create(
        [
            NextStep(
                visit=visit, case=case, description=str(s["description"]).strip(), due_date=s["due_date"]
            )
            for s in steps
        ]
    )
    return visit


@transaction.atomic
def mark_visit_done(user: User, visit: Visit) -> Visit:
    editable(user, visit.case)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.date > timezone.localdate():
        raise _future_done_error()
    if not visit.done:
        visit.done = True
        visit.save(update_fields=["done"])
    return visit


@transaction.atomic
def complete_step(user: User, step: NextStep) -> NextStep:
    editable(user, step.case)
    NextStep.objects.filter(pk=step.pk, done_at__isnull=True).update(done_at=timezone.now())
    step.refresh_from_db()
    return step
