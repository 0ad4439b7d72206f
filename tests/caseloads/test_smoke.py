"""Every caseloads page renders for the demo people who may see it (and answers 404 for those who may not)."""

from django.urls import reverse

from accounts import demo as accounts_demo
from caseloads import demo
from caseloads.models import Case, SupportRequest


def test_it_renders_every_page_for_the_demo_roles(db, client):
    ctx = accounts_demo.seed()
    demo.seed(ctx)
    case = Case.objects.filter(supporter=ctx.users["supporter"], status="active").first()
    request = SupportRequest.objects.filter(status="new").first()
    own_request = SupportRequest.objects.filter(school=ctx.school("De Kring")).first()
    expectations = {
        "supporter": {
            reverse("caseloads:my_dashboard"): 200,
            reverse("caseloads:case_list"): 200,
            reverse("caseloads:case_detail", args=[case.pk]): 200,
            reverse("caseloads:visit_create", args=[case.pk]): 200,
            reverse("caseloads:profile_edit"): 200,
            reverse("caseloads:request_list"): 200,
            reverse("caseloads:region_dashboard"): 404,
        },
        "regional": {
            reverse("caseloads:region_dashboard"): 200,
            reverse("caseloads:allocate_open"): 200,
            reverse("caseloads:request_detail", args=[request.pk]): 200,
            reverse("caseloads:case_detail", args=[case.pk]): 200,
            reverse("caseloads:region_report_csv"): 200,
            reverse("caseloads:my_dashboard"): 404,
        },
        "school_staff": {
            reverse("caseloads:request_list"): 200,
            reverse("caseloads:request_create"): 200,
            reverse("caseloads:request_detail", args=[own_request.pk]): 200,
            reverse("caseloads:case_detail", args=[case.pk]): 404,
        },
        "buddy_region": {
            reverse("caseloads:case_detail", args=[case.pk]): 404,
            reverse("caseloads:home"): 404,
        },
    }

    for key, pages in expectations.items():
        client.force_login(ctx.users[key])
        got = {url: client.get(url).status_code for url in pages}
        assert got == pages, key
