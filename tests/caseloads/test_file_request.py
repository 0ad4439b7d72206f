import pytest

from accounts.roles import Role
from caseloads import services
from caseloads.models import RequestStatus, SupportRequest, Topic, Urgency
from core.errors import Forbidden, ServiceError
from tests.factories import make_membership
from tests.pupils.factories import make_pupil


def test_it_files_a_request_about_pupils_of_the_own_school(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    pupil = make_pupil(tree.school_a)

    request = services.file_request(
        staff_a,
        school=tree.school_a,
        subject="pupil",
        topic=Topic.PLACEMENT,
        description="  Which group fits? ",
        urgency=Urgency.HIGH,
        languages=["AR", "uk", "ar"],
        pupils=[pupil],
    )

    assert request.status == RequestStatus.NEW
    assert request.description == "Which group fits?"
    assert request.languages == ["ar", "uk"]
    assert list(request.pupils.values_list("pk", flat=True)) == [pupil.pk]
    assert request.estimated_hours == 8


def test_it_refuses_a_pupil_of_another_school_and_writes_nothing(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    pupil_b = make_pupil(tree.school_b)

    with pytest.raises(ServiceError) as exc:
        services.file_request(
            staff_a,
            school=tree.school_a,
            subject="pupil",
            topic=Topic.PLACEMENT,
            description="x",
            urgency=Urgency.LOW,
            pupils=[pupil_b.pk],
        )

    assert exc.value.field == "pupils"
    assert exc.value.code == "pupil_of_other_school"
    assert SupportRequest.objects.count() == 0


def test_it_refuses_a_request_for_a_school_outside_reach(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with pytest.raises(Forbidden):
        services.file_request(
            staff_a,
            school=tree.school_b,
            subject="team",
            topic=Topic.MULTILINGUALISM,
            description="x",
            urgency="low",
        )


def test_it_refuses_an_unknown_language_code(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.file_request(
            staff_a,
            school=tree.school_a,
            subject="class",
            topic=Topic.MULTILINGUALISM,
            description="x",
            urgency="low",
            languages=["xx"],
        )

    assert exc.value.field == "languages"
    assert SupportRequest.objects.count() == 0


def test_it_refuses_an_unknown_topic_in_the_service_too(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.file_request(
            staff_a, school=tree.school_a, subject="team", topic="astrology", description="x", urgency="low"
        )

    assert (exc.value.field, exc.value.message) == ("topic", "Choose one of the options.")
    assert SupportRequest.objects.count() == 0
