from django.core import mail

from accounts.roles import Role
from caseloads import services, tasks
from tests.caseloads.factories import make_case, make_request, make_supporter
from tests.factories import make_membership


def test_it_tells_the_supporter_about_a_new_allocation_once_in_their_language(
    tree, django_capture_on_commit_callbacks
):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    supporter.language = "en"
    supporter.save()
    request = make_request(tree.school_a)

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends on commit, eagerly in tests
        case = services.allocate(coordinator_a, request, supporter)
    assert tasks.notify_allocation(case.pk) is False  # a second delivery sends nothing

    allocation_mails = [m for m in mail.outbox if m.to == [supporter.email]]
    assert [m.subject for m in allocation_mails] == ["New case for you at School A"]
    assert f"/caseloads/cases/{case.pk}/" in allocation_mails[0].body


def test_it_tells_the_school_about_a_status_change_once(tree, django_capture_on_commit_callbacks):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    staff_a.language = "en"
    staff_a.save()
    make_membership(Role.SCHOOL_STAFF, tree.school_a2)
    request = make_request(tree.school_a, filed_by=staff_a)

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(coordinator_a, request, "Outside our remit")
    assert tasks.notify_request_status(request.pk, "declined") is False

    assert [(m.to, m.subject) for m in mail.outbox] == [([staff_a.email], "Your support request: Declined")]
    assert "Outside our remit" in mail.outbox[0].body


def test_it_skips_a_status_message_that_a_later_change_superseded(tree):
    request = make_request(tree.school_a, status="allocated")
    make_membership(Role.SCHOOL_STAFF, tree.school_a)

    assert tasks.notify_request_status(request.pk, "triage") is False
    assert mail.outbox == []


def test_it_tells_a_colleague_about_a_transfer_without_pupil_data_in_the_subject(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    colleague.language = "en"
    colleague.save()
    case = make_case(owner, tree.school_a)

    transfer = services.offer_transfer(owner, case, colleague)
    assert tasks.notify_transfer(transfer.pk) is True

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([colleague.email], "A colleague offers you a case at School A")
    ]
