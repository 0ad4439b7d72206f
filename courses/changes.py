"""Changing what was published: a module's texts and hours, a meeting's time and place, removing a meeting,
cancelling an edition with a message. Every change that matters to participants (time, place,
cancellation) raises the meeting's calendar ``sequence`` and reaches every enrolled and waitlisted teacher
once (``courses.meetings.send_changed``); the feed carries it under the same UID.

A meeting moved (or added) into the past is refused unless the organiser says, on purpose, that they are
recording attendance afterwards (``record_attendance_afterwards``): a typo in the year must not silently
make a meeting that nobody can attend.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError
from courses import access, meetings, services
from courses.models import (
    ActivityType,
    AudienceRole,
    AudienceStage,
    Edition,
    EditionStatus,
    Format,
    Meeting,
    Module,
    Theme,
)

#: What the module edit page may change; the organiser and where it is visible stay as created.
MODULE_EDIT_FIELDS = (
    "title",
    "summary",
    "description",
    "themes",
    "format",
    "activity_type",
    "audience_stage",
    "audience_role",
    "pd_hours",
    "self_study_hours",
    "provider",
)


def _refuse_past(starts_at: datetime, record_attendance_afterwards: bool) -> None:
    if starts_at < timezone.now() and not record_attendance_afterwards:
        raise ServiceError(
            _(
                "This moment has passed. Choose a later time, or tick “record attendance afterwards” "
                "if the meeting took place then."
            ),
            code="in_past",
            field="starts_at",
        )


@transaction.atomic
def update_module(actor: User, module: Module, **data: object) -> Module:
    """Edit a module, also once editions are published (texts and hours; hours count for certificates
    issued from now on, not for those already issued)."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    if not access.can_organise(actor, module):
        raise Forbidden(_("You do not organise this module."), code="not_organiser")
    values = {name: data[name] for name in MODULE_EDIT_FIELDS if name in data}
    if "themes" in values:
        themes = list(values["themes"])  # type: ignore[call-overload]
        if not themes or any(t not in Theme.values for t in themes):
            raise ServiceError(_("Choose at least one theme from the list."), code="invalid", field="themes")
        # A form posts themes in the list's order: the same set keeps its primary theme first.
        values["themes"] = (
            module.themes if set(themes) == set(module.theme_list) else Module.wrap_themes(themes)
        )
    choices = {
        "format": Format,
        "activity_type": ActivityType,
        "audience_stage": AudienceStage,
        "audience_role": AudienceRole,
    }
    for name, enum in choices.items():
        if name in values and values[name] not in enum.values:
            raise ServiceError(_("Choose a value from the list."), code="invalid", field=name)
    for name, value in values.items():
        setattr(module, name, value.strip() if isinstance(value, str) and name != "themes" else value)
    hours, self_study = Decimal(module.pd_hours), Decimal(module.self_study_hours)
    if hours < 0:
        raise ServiceError(_("Hours cannot be negative."), code="invalid", field="pd_hours")
    if not 0 <= self_study <= hours:
        raise ServiceError(
            _("Self-study hours are part of the hours: between 0 and %(hours)s.") % {"hours": hours},
            code="invalid",
            field="self_study_hours",
        )
    if not module.title:
        raise ServiceError(_("Give a title."), code="required", field="title")
    module.save(update_fields=list(values))
    return module


def add_meeting(
    actor: User,
    edition: Edition,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    online_url: str = "",
    record_attendance_afterwards: bool = False,
) -> Meeting:
    _refuse_past(starts_at, record_attendance_afterwards)
    return services.add_meeting(
        actor, edition, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url
    )


def move_meeting(
    actor: User,
    meeting: Meeting,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    online_url: str = "",
    record_attendance_afterwards: bool = False,
) -> Meeting:
    """Move a meeting or change its place; participants hear of it when time or place changed."""
    unchanged_time = (meeting.starts_at, meeting.ends_at) == (starts_at, ends_at)
    if not unchanged_time:  # a venue change of a meeting that already took place is a correction
        _refuse_past(starts_at, record_attendance_afterwards)
    return meetings.change_meeting(
        actor, meeting, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url
    )


@transaction.atomic
def cancel_meeting(actor: User, meeting: Meeting, message: str) -> Meeting:
    """Remove a meeting from an edition: it stays as a cancelled row (calendars remove the event), no
    longer counts for the edition's dates or for completion, and everyone on the edition hears why."""
    edition = Edition.objects.select_for_update().select_related("module").get(pk=meeting.edition_id)
    if not access.can_organise(actor, edition.module):
        raise Forbidden(_("You do not organise this module."), code="not_organiser")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting has already been cancelled."), code="meeting_cancelled")
    if edition.status not in (EditionStatus.DRAFT, EditionStatus.PUBLISHED):
        raise Conflict(_("This edition can no longer be changed."), code="closed")
    if meeting.has_started:
        raise ServiceError(
            _("A meeting that has started cannot be removed."), code="started", field="message"
        )
    if not edition.meetings.filter(cancelled_at__isnull=True).exclude(pk=meeting.pk).exists():
        raise ServiceError(
            _("This is the only meeting left: cancel the edition instead."), code="last_meeting"
        )
    message = message.strip()
    if not message:
        raise ServiceError(_("Tell the participants why."), code="required", field="message")
    meeting.cancelled_at = timezone.now()
    meeting.cancellation_message = message
    meeting.save()  # raises ``sequence``: the event is cancelled
    meetings.refresh_dates(edition)
    outbox.enqueue("courses.send_meeting_changed", meeting.pk, meeting.sequence)
    return meeting


def cancel_edition(actor: User, edition: Edition, message: str) -> int:
    """Cancel with a required message to everyone released (``services.cancel_edition`` tells them)."""
    if not message.strip():
        raise ServiceError(_("Tell the participants why."), code="required", field="reason")
    return services.cancel_edition(actor, edition, message)
