"""Pages: every verb through the browser, reach (404 on wrong ids), notes and pupils only for the right people."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import scoping
from accounts.roles import Role
from caseloads.models import Case, CaseStatus, RequestStatus, SupportRequest, Visit
from core.dashboard import panels_for
from pupils.models import AccessLog
from tests.caseloads.factories import make_case, make_request, make_supporter, make_visit
from tests.factories import make_membership
from tests.pupils.factories import make_pupil


def test_it_files_a_request_through_the_page(tree, client):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    pupil = make_pupil(tree.school_a)
    client.force_login(staff_a)

    response = client.post(
        reverse("caseloads:request_create"),
        {
            "school": tree.school_a.pk,
            "subject": "pupil",
            "topic": "placement",
            "description": "Which group?",
            "urgency": "high",
            "languages": ["ar"],
            "pupils": [pupil.pk],
        },
    )

    request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("caseloads:request_detail", args=[request.pk])
    assert list(request.pupils.all()) == [pupil]


def test_it_shows_the_form_error_for_a_pupil_of_another_school(tree, client):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    make_membership(Role.SCHOOL_STAFF, tree.school_a2, staff_a)
    pupil_a2 = make_pupil(tree.school_a2)
    client.force_login(staff_a)

    response = client.post(
        reverse("caseloads:request_create"),
        {
            "school": tree.school_a.pk,
            "subject": "pupil",
            "topic": "placement",
            "description": "x",
            "urgency": "low",
            "pupils": [pupil_a2.pk],
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["pupils"] == [
        "Only pupils of School A can be named in this request."
    ]
    assert SupportRequest.objects.count() == 0


def test_it_lists_only_the_own_schools_requests_and_answers_404_for_others(tree, client):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    own = make_request(tree.school_a)
    other = make_request(tree.school_a2)
    client.force_login(staff_a)

    listed = list(client.get(reverse("caseloads:request_list")).context["page"])

    assert listed == [own]
    assert client.get(reverse("caseloads:request_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("caseloads:request_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("caseloads:request_detail", args=[999999])).status_code == 404


def test_it_shows_the_school_where_its_request_stands(tree, client):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    request = make_request(tree.school_a, status=RequestStatus.DECLINED)
    client.force_login(staff_a)

    response = client.get(reverse("caseloads:request_detail", args=[request.pk]))

    assert "Not our field" in response.content.decode()
    assert "allocate_form" not in response.context


def test_it_allocates_from_the_request_page_with_a_warning_then_an_override(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=0)
    request = make_request(tree.school_a)
    client.force_login(coordinator_a)
    url = reverse("caseloads:request_allocate", args=[request.pk])

    refused = client.post(url, {"supporter": supporter.pk})
    assert refused.status_code == 400
    assert refused.context["allocate_form"].errors["override"][0].startswith(str(supporter))
    assert Case.objects.count() == 0

    done = client.post(url, {"supporter": supporter.pk, "override": "on"})
    assert done.status_code == 302
    assert Case.objects.get().supporter == supporter


def test_it_triages_and_declines_from_the_request_page(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    request = make_request(tree.school_a)
    client.force_login(coordinator_a)

    client.post(reverse("caseloads:request_triage", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGE
    client.post(reverse("caseloads:request_decline", args=[request.pk]), {"reason": "Full"})
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (RequestStatus.DECLINED, "Full")


def test_it_refuses_allocation_pages_to_school_staff(tree, client):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)
    client.force_login(staff_a)

    assert (
        client.post(
            reverse("caseloads:request_allocate", args=[request.pk]), {"supporter": supporter.pk}
        ).status_code
        == 404
    )
    assert client.get(reverse("caseloads:allocate_open")).status_code == 404
    assert client.get(reverse("caseloads:region_dashboard")).status_code == 404
    assert Case.objects.count() == 0


def test_it_shows_a_supporter_the_pupils_and_notes_of_their_case_and_logs_the_view(tree, client):
    supporter = make_supporter(tree.support_a)
    pupil = make_pupil(tree.school_a, first_name="Amira")
    case = make_case(supporter, tree.school_a, pupils=[pupil])
    make_visit(case, notes="Secret observation")
    client.force_login(supporter)

    body = client.get(reverse("caseloads:case_detail", args=[case.pk])).content.decode()

    assert "Amira" in body
    assert "Secret observation" in body
    assert list(AccessLog.objects.values_list("user_id", "pupil_id", "action", "context")) == [
        (supporter.pk, pupil.pk, "view", "caseloads.case_detail")
    ]


def test_it_hides_another_supporters_case_pupils_and_notes(tree, client):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a, pupils=[make_pupil(tree.school_a)])
    client.force_login(colleague)

    assert client.get(reverse("caseloads:case_detail", args=[case.pk])).status_code == 404
    assert list(client.get(reverse("caseloads:case_list")).context["page"]) == []
    assert AccessLog.objects.count() == 0


def test_it_shows_the_regional_coordinator_notes_but_not_pupil_names(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, pupils=[make_pupil(tree.school_a, first_name="Amira")])
    make_visit(case, notes="Secret observation")
    client.force_login(coordinator_a)

    body = client.get(reverse("caseloads:case_detail", args=[case.pk])).content.decode()

    assert "Secret observation" in body
    assert "Amira" not in body


def test_it_never_shows_notes_to_buddy_coordinators_or_school_staff(tree, client):
    buddy_region = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    teacher_a = make_membership(Role.TEACHER, tree.school_a)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a, status=RequestStatus.ALLOCATED)
    case = make_case(supporter, tree.school_a, request=request)
    make_visit(case, notes="Secret observation")

    for user in (buddy_region, staff_a, teacher_a):
        client.force_login(user)
        assert client.get(reverse("caseloads:case_detail", args=[case.pk])).status_code == 404
        page = client.get(reverse("caseloads:request_detail", args=[request.pk]))
        assert "Secret observation" not in page.content.decode()


def test_it_logs_a_visit_and_refuses_a_future_one_marked_done(tree, client):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    client.force_login(supporter)
    url = reverse("caseloads:visit_create", args=[case.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "date": tomorrow,
        "kind": "observation",
        "duration_minutes": 60,
        "preparation_minutes": 10,
        "travel_minutes": 15,
        "notes": "n",
        "done": "on",
        "step": "Try cards",
        "step_due": tomorrow,
    }

    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.context["form"].errors["done"] == ["A visit in the future cannot be marked as done."]
    assert Visit.objects.count() == 0

    data["date"] = timezone.localdate()
    assert client.post(url, data).status_code == 302
    assert Visit.objects.get().total_minutes == 85


def test_it_refuses_to_edit_a_closed_case_through_the_page(tree, client):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, status=CaseStatus.CLOSED)
    client.force_login(supporter)

    response = client.post(
        reverse("caseloads:case_edit", args=[case.pk]), {"goals": "x", "planned_hours_per_month": 3}
    )

    assert response.status_code == 400
    assert response.context["case_form"].non_field_errors() == [
        "This case is closed and can no longer be changed."
    ]
    case.refresh_from_db()
    assert case.goals == "Reading at grade level"


def test_it_transfers_a_case_through_the_pages(tree, client):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)
    client.force_login(owner)
    client.post(
        reverse("caseloads:case_transfer", args=[case.pk]), {"supporter": colleague.pk, "message": "Please"}
    )
    transfer = case.transfers.get()

    client.force_login(colleague)
    assert client.get(reverse("caseloads:case_detail", args=[case.pk])).context["offered_to_me"] is True
    client.post(reverse("caseloads:transfer_answer", args=[transfer.pk]), {"answer": "accept"})

    case.refresh_from_db()
    assert case.supporter == colleague


def test_it_shows_the_supporter_dashboard_and_panel(tree, client):
    supporter = make_supporter(tree.support_a, hours=10)
    case = make_case(supporter, tree.school_a)
    make_visit(case, on=timezone.localdate(), duration=60, preparation=30, travel=30)
    client.force_login(supporter)

    page = client.get(reverse("caseloads:my_dashboard"))
    request = RequestFactory().get("/")
    request.user = supporter
    panels = {p["template"]: p["context"] for p in panels_for(request, scoping.capabilities(supporter))}
    panel = render_to_string(
        "caseloads/panel_supporter.html", {"panel": panels["caseloads/panel_supporter.html"]}
    )

    assert page.status_code == 200
    assert page.context["panel"]["worked"].total_minutes == 120
    assert str(page.context["panel"]["contract"]) == "43.3"
    assert "Your caseload" in panel
    assert "caseloads/panel_region.html" not in panels


def test_it_shows_the_region_dashboard_and_proposal_pages(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    client.force_login(coordinator_a)

    region = client.get(reverse("caseloads:region_dashboard"))
    proposal = client.get(reverse("caseloads:allocate_open"))

    assert region.status_code == 200
    assert len(region.context["waiting"]) == 1
    assert len(proposal.context["rows"]) == 1


def test_it_confirms_the_proposal_from_the_page(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)
    client.force_login(coordinator_a)
    proposal = client.get(reverse("caseloads:allocate_open")).context["proposal"]

    response = client.post(
        reverse("caseloads:allocate_open"),
        {"pair": [f"{request.pk}:{supporter.pk}"], "fingerprint": proposal.fingerprint},
    )

    assert response.status_code == 302
    assert Case.objects.get().supporter == supporter


def test_it_edits_the_own_supporter_profile(tree, client):
    supporter = make_supporter(tree.support_a, hours=10)
    client.force_login(supporter)

    response = client.post(
        reverse("caseloads:profile_edit"),
        {
            "expertise": ["placement", "multilingualism"],
            "languages": ["uk"],
            "home_municipality": tree.municipality_a2.pk,
            "contract_hours_per_week": "12.5",
            "active": "on",
        },
    )

    assert response.status_code == 302
    profile = supporter.supporter_profile
    profile.refresh_from_db()
    assert (profile.expertise, profile.languages, str(profile.contract_hours_per_week)) == (
        ["multilingualism", "placement"],
        ["uk"],
        "12.5",
    )


def test_it_lets_the_regional_coordinator_set_a_supporters_hours_within_reach_only(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    coordinator_b = make_membership(Role.REGIONAL_COORDINATOR, tree.region_b)
    supporter = make_supporter(tree.support_a, hours=10)
    url = reverse("caseloads:supporter_profile_edit", args=[supporter.pk])
    data = {"expertise": ["placement"], "languages": ["ar"], "contract_hours_per_week": "20", "active": "on"}

    client.force_login(coordinator_b)
    assert client.post(url, data).status_code == 404
    client.force_login(coordinator_a)
    assert client.post(url, data).status_code == 302

    supporter.supporter_profile.refresh_from_db()
    assert str(supporter.supporter_profile.contract_hours_per_week) == "20.0"
    assert client.get(reverse("caseloads:supporter_profile_edit", args=[coordinator_a.pk])).status_code == 404


def test_it_answers_404_for_page_ids_beyond_the_database_range(tree, client):
    supporter = make_supporter(tree.support_a)
    client.force_login(supporter)
    huge = 4011877006549074689563430824

    assert client.get(reverse("caseloads:case_detail", args=[huge])).status_code == 404
    assert client.get(reverse("caseloads:request_detail", args=[huge])).status_code == 404
    assert (
        client.post(reverse("caseloads:transfer_answer", args=[huge]), {"answer": "accept"}).status_code
        == 404
    )
