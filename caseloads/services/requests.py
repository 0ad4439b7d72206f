"""Requests: a school files one; the coordinator takes it into triage or declines it."""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from caseloads import reach
from caseloads.models import (
    REQUEST_TRANSITIONS,
    RequestStatus,
    Subject,
    SupportRequest,
    Topic,
    Urgency,
)
from core import outbox
from core.errors import Forbidden, ServiceError
from pupils.models import Pupil
from pupils.services import clean_languages


def notify_status(request: SupportRequest) -> None:
    outbox.enqueue("caseloads.notify_request_status", request.pk, request.status)


@transaction.atomic
def file_request(
    user: User,
    *,
    school: Organisation,
    subject: str,
    topic: str,
    description: str,
    urgency: str,
    languages: Sequence[str] = (),
    pupils: Iterable[Pupil | int] = (),
) -> SupportRequest:
    if school.kind != OrganisationKind.SCHOOL or not scoping.can(user, Capability.REQUEST_SUPPORT, school):
        raise Forbidden(_("You cannot file requests for this school."), field="school")
    codes = clean_languages(list(languages), "languages")
    if not description.strip():
        raise ServiceError(_("Describe what you need help with."), field="description")
    for value, choices, field in (
        (subject, Subject, "subject"),
        (topic, Topic, "topic"),
        (urgency, Urgency, "urgency"),
    ):
        if value not in choices.values:
            raise ServiceError(_("Choose one of the options."), field=field)
    pupil_ids = sorted({p if isinstance(p, int) else p.pk for p in pupils})
    found = set(
        Pupil.objects.filter(pk__in=pupil_ids, school=school, anonymised_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if len(found) != len(pupil_ids):
        raise ServiceError(
            _("Only pupils of %(school)s can be named in this request.") % {"school": school.name},
            code="pupil_of_other_school",
            field="pupils",
        )
    request = SupportRequest.objects.create(
        school=school,
        filed_by=user,
        subject=subject,
        topic=topic,
        description=description.strip(),
        urgency=urgency,
        languages=codes,
    )
    request.pupils.set(pupil_ids)
    return request


def lock_request(user: User, request_id: int) -> SupportRequest:
    request = (
        SupportRequest.objects.select_for_update(of=("self",)).select_related("school").get(pk=request_id)
    )
    if not reach.can_allocate(user, request.school):
        raise Forbidden(_("You cannot allocate requests of this school."))
    return request


@transaction.atomic
def start_triage(user: User, request: SupportRequest) -> SupportRequest:
    request = lock_request(user, request.pk)
    REQUEST_TRANSITIONS.move(
        request,
        RequestStatus.TRIAGE,
        message=_("Only a new request can be taken into triage."),
        code="not_new",
    )
    request.save(update_fields=["status", "updated_at"])
    notify_status(request)
    return request


@transaction.atomic
def decline_request(user: User, request: SupportRequest, reason: str) -> SupportRequest:
    request = lock_request(user, request.pk)
    if not reason.strip():
        raise ServiceError(_("Give the school a reason for declining."), field="reason")
    REQUEST_TRANSITIONS.move(
        request, RequestStatus.DECLINED, message=_("This request has already been decided."), code="decided"
    )
    request.decline_reason = reason.strip()
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decline_reason", "decided_at", "updated_at"])
    notify_status(request)
    return request
