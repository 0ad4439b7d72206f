"""Every link on a caseload page leads somewhere for the person who sees it (no dead links): the caseload page
of a superuser, and the case page of a supporter to whom the case is offered or was transferred."""

import re

import pytest

from caseloads import services
from tests.caseloads.factories import make_case, make_request, make_supporter
from tests.factories import make_user

LINK = re.compile(r'href="(/(?:caseloads|matching|courses)/[^"#?]*)"')


def _follow_every_link(client, path: str) -> dict[str, int]:
    page = client.get(path)
    assert page.status_code == 200
    links = sorted(set(LINK.findall(page.content.decode())))
    assert links, "the page links somewhere"
    answers = {link: client.get(link, follow=True).status_code for link in links}  # a redirect must land
    return {link: status for link, status in answers.items() if status != 200}


def test_it_shows_a_superuser_no_dead_link_on_the_caseload_page(client, tree):
    client.force_login(make_user(is_superuser=True, is_staff=True))

    assert _follow_every_link(client, "/caseloads/my/") == {}


def test_it_shows_a_supporter_their_profile_link(client, tree):
    client.force_login(make_supporter(tree.support_a))

    page = client.get("/caseloads/my/").content.decode()

    assert 'href="/caseloads/profile/"' in page
    assert client.get("/caseloads/profile/").status_code == 200


@pytest.mark.parametrize("accepted", [False, True], ids=["offered", "transferred"])
def test_it_opens_the_request_behind_a_case_for_the_colleague_it_went_to(client, tree, accepted):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a, request=make_request(tree.school_a))
    transfer = services.offer_transfer(owner, case, colleague, "Ouderschapsverlof")
    if accepted:
        services.answer_transfer(colleague, transfer, accept=True)
    client.force_login(colleague)

    assert (
        f'href="/caseloads/requests/{case.request_id}/"'
        in client.get(f"/caseloads/cases/{case.pk}/").content.decode()
    )
    assert _follow_every_link(client, f"/caseloads/cases/{case.pk}/") == {}
