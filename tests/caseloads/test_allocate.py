import pytest
from django.utils import translation

from accounts.roles import Role
from caseloads import services
from caseloads.models import Case, RequestStatus, Topic, Urgency
from core.errors import Conflict, ServiceError
from core.models import OutboxMessage
from tests.caseloads.factories import make_case, make_request, make_supporter
from tests.factories import make_membership
from tests.pupils.factories import make_pupil


def test_it_allocates_a_request_and_opens_a_case_with_its_pupils(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=16)
    pupil = make_pupil(tree.school_a)
    request = make_request(tree.school_a, pupils=[pupil], urgency=Urgency.HIGH)

    case = services.allocate(coordinator_a, request, supporter, goals="Reading")

    request.refresh_from_db()
    assert request.status == RequestStatus.ALLOCATED
    assert (case.supporter, case.school, case.goals, case.planned_hours_per_month) == (
        supporter,
        tree.school_a,
        "Reading",
        8,
    )
    assert list(case.pupils.all()) == [pupil]
    assert sorted(OutboxMessage.objects.values_list("task", flat=True)) == [
        "caseloads.notify_allocation",
        "caseloads.notify_request_status",
    ]


def test_it_warns_when_the_supporter_has_no_free_hours_and_writes_nothing(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=2)  # 8.7 h a month
    make_case(supporter, tree.school_a2, planned_hours=6)  # 2.7 h free
    request = make_request(tree.school_a)  # needs 6 h

    with pytest.raises(ServiceError) as exc:
        services.allocate(coordinator_a, request, supporter)

    assert exc.value.code == "no_free_hours"
    assert exc.value.field == "override"
    assert "2.7" in exc.value.message
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW
    assert Case.objects.count() == 1
    assert OutboxMessage.objects.count() == 0


def test_it_allocates_without_free_hours_with_an_explicit_override(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=0)
    request = make_request(tree.school_a)

    case = services.allocate(coordinator_a, request, supporter, override=True)

    assert case.supporter == supporter


def test_it_refuses_a_supporter_outside_the_coordinators_reach(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    from accounts.roles import OrganisationKind
    from tests.factories import make_org

    support_b = make_org(OrganisationKind.SUPPORT_SERVICE, "Support B", tree.region_b)
    supporter_b = make_supporter(support_b)
    request = make_request(tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.allocate(coordinator_a, request, supporter_b)

    assert exc.value.field == "supporter"


def test_it_refuses_to_allocate_a_request_twice(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)
    services.allocate(coordinator_a, request, supporter)

    with pytest.raises(Conflict):
        services.allocate(coordinator_a, request, supporter)

    assert Case.objects.count() == 1


def test_it_ranks_supporters_with_reasons(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    expert = make_supporter(
        tree.support_a,
        municipality=tree.municipality_a1,
        expertise=(Topic.PLACEMENT,),
        languages=("nl", "ar"),
        hours=16,
    )
    other = make_supporter(tree.support_a, expertise=(Topic.MULTILINGUALISM,), languages=("uk",), hours=16)
    full = make_supporter(tree.support_a, expertise=(Topic.PLACEMENT,), languages=("ar",), hours=1)
    request = make_request(tree.school_a, topic=Topic.PLACEMENT, pupils=[make_pupil(tree.school_a)])

    with translation.override("en"):
        ranked = services.ranking(coordinator_a, request)

    assert [r.load.profile.user for r in ranked] == [expert, other, full]
    assert [r.fits for r in ranked] == [True, True, False]
    assert ranked[0].cost == 0
    assert ranked[0].reasons == [
        "expertise in this topic",
        "speaks Arabic",
        "lives in the same municipality",
        "69.3 h free this month",
    ]
    assert ranked[1].reasons[:2] == ["no expertise in this topic", "no shared language"]
