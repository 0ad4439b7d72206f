"""Factories for caseloads tests, built per test on top of tests/factories.py."""

import itertools
from datetime import date, timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation, User
from accounts.roles import Role
from caseloads.models import (
    Case,
    CaseStatus,
    RequestStatus,
    SupporterProfile,
    SupportRequest,
    Topic,
    Urgency,
    Visit,
    VisitKind,
)
from pupils.models import Pupil
from tests.factories import make_membership

_seq = itertools.count(1)


def make_supporter(
    service: Organisation,
    *,
    municipality: Organisation | None = None,
    expertise: tuple[str, ...] = (Topic.LANGUAGE_DEVELOPMENT,),
    languages: tuple[str, ...] = ("nl",),
    hours: float = 16,
    active: bool = True,
    user: User | None = None,
) -> User:
    user = make_membership(Role.LANGUAGE_SUPPORTER, service, user)
    SupporterProfile.objects.create(
        user=user,
        service=service,
        expertise=list(expertise),
        languages=list(languages),
        home_municipality=municipality,
        contract_hours_per_week=hours,
        active=active,
    )
    return user


def make_request(
    school: Organisation,
    *,
    filed_by: User | None = None,
    topic: str = Topic.LANGUAGE_DEVELOPMENT,
    urgency: str = Urgency.NORMAL,
    status: str = RequestStatus.NEW,
    languages: list[str] | None = None,
    pupils: list[Pupil] = (),  # type: ignore[assignment]
    description: str = "Needs help with reading",
    **extra: object,
) -> SupportRequest:
    request = SupportRequest.objects.create(
        school=school,
        filed_by=filed_by,
        topic=topic,
        urgency=urgency,
        status=status,
        languages=languages or [],
        description=description,
        decline_reason="Not our field" if status == RequestStatus.DECLINED else "",
        **extra,
    )
    request.pupils.set(pupils)
    return request


def make_case(
    supporter: User,
    school: Organisation,
    *,
    status: str = CaseStatus.ACTIVE,
    planned_hours: int = 4,
    pupils: list[Pupil] = (),  # type: ignore[assignment]
    advisor: User | None = None,
    request: SupportRequest | None = None,
    closed_at: object = None,
    **extra: object,
) -> Case:
    if status == CaseStatus.CLOSED and closed_at is None:
        closed_at = timezone.now()
    case = Case.objects.create(
        supporter=supporter,
        school=school,
        topic=Topic.LANGUAGE_DEVELOPMENT,
        status=status,
        planned_hours_per_month=planned_hours,
        advisor=advisor,
        request=request,
        closed_at=closed_at,
        closing_summary="Done" if status == CaseStatus.CLOSED else "",
        goals="Reading at grade level",
        **extra,
    )
    case.pupils.set(pupils)
    return case


def make_visit(
    case: Case,
    *,
    on: date | None = None,
    done: bool = True,
    duration: int = 60,
    preparation: int = 0,
    travel: int = 0,
    notes: str = "Observed group 4",
    supporter: User | None = None,
) -> Visit:
    return Visit.objects.create(
        case=case,
        supporter=supporter or case.supporter,
        date=on or timezone.localdate() - timedelta(days=1),
        kind=VisitKind.OBSERVATION,
        duration_minutes=duration,
        preparation_minutes=preparation,
        travel_minutes=travel,
        notes=notes,
        done=done,
    )


def api_client(user: User) -> APIClient:
    """An API client signed in as ``user``."""
    api = APIClient()
    api.force_authenticate(user)
    return api
