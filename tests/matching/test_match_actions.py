"""The match page's actions: each posts a form, says what happened to which pair, and takes reasons.

Reject and end take a reason and a note and can be undone the same day; check-ins carry the day they were
held and a note; an ended match lists no contact moments ahead; odd input is a form error, never a 500.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from matching.models import CheckIn, EndReason, Match, MatchStatus, RejectReason
from matching.services import followup
from tests.matching.factories import make_buddy, make_match, make_pupil


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions compare English msgids; one test checks the Dutch message."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def proposal(tree):
    buddy = make_buddy(tree.school_a, first_name="Bram", last_initial="K")
    other = make_buddy(tree.school_a)
    return make_match(
        make_pupil(tree.school_a, first_name="Hamid", last_initial="R"), buddy, alternatives=[[other.pk, 2.0]]
    )


@pytest.fixture
def approved(tree):
    today = timezone.localdate()
    match = make_match(
        make_pupil(tree.school_a, first_name="Hamid", last_initial="R"),
        make_buddy(tree.school_a, first_name="Bram", last_initial="K"),
        status=MatchStatus.APPROVED,
        starts_on=today - timedelta(days=30),
        ends_on=followup.add_months(today, 5),
    )
    followup.schedule_check_ins(match)
    return match


def _post(client, user, match, **data):
    client.force_login(user)
    return client.post(f"/matching/matches/{match.pk}/", data)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _later(days):
    """The clock ``days`` from now, for the code under test (``timezone.now`` and ``localdate``)."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=days))


@pytest.mark.parametrize("buddy", ["abc", "", "-1", "99999999999", "é" * 300])
def test_it_refuses_a_swap_to_an_odd_buddy_without_a_server_error(client, coordinator_a, proposal, buddy):
    response = _post(client, coordinator_a, proposal, action="swap", buddy=buddy)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.buddy.first_name == "Bram"
    assert len(_messages(response)) == 1


def test_it_says_in_dutch_which_pair_was_approved(client, coordinator_a, proposal, settings):
    settings.LANGUAGE_CODE = "nl"

    response = _post(client, coordinator_a, proposal, action="approve")

    assert _messages(response) == ["Koppeling Hamid R. - Bram K. goedgekeurd."]


def test_it_rejects_with_a_reason_and_a_note(client, coordinator_a, proposal):
    response = _post(
        client, coordinator_a, proposal, action="reject", reason="age_gap", note=" Groep 3 en 8 "
    )

    proposal.refresh_from_db()
    assert (proposal.status, proposal.reject_reason, proposal.reject_note) == (
        MatchStatus.REJECTED,
        RejectReason.AGE_GAP,
        "Groep 3 en 8",
    )
    assert _messages(response) == ["Match Hamid R. - Bram K. rejected; it will not be proposed again."]


def test_it_shows_a_form_error_when_rejecting_without_a_reason(client, coordinator_a, proposal):
    response = _post(client, coordinator_a, proposal, action="reject", reason="")

    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PROPOSED


def test_it_undoes_a_rejection_the_same_day(client, coordinator_a, proposal):
    _post(client, coordinator_a, proposal, action="reject", reason="other")

    _post(client, coordinator_a, proposal, action="undo_reject")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.reject_reason, proposal.decided_at) == (MatchStatus.PROPOSED, "", None)


def test_it_keeps_a_rejection_of_yesterday(client, coordinator_a, proposal):
    _post(client, coordinator_a, proposal, action="reject", reason="other")

    with _later(days=1):
        response = _post(client, coordinator_a, proposal, action="undo_reject")

    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.REJECTED
    assert _messages(response)[-1] == "Only a rejection made today can be undone."


def test_it_ends_with_a_reason_and_lists_no_contact_moments_ahead(client, coordinator_a, approved):
    response = _post(client, coordinator_a, approved, action="end", reason="pupil_left", note="Verhuisd")

    approved.refresh_from_db()
    assert (approved.status, approved.end_reason, approved.end_note) == (
        MatchStatus.ENDED,
        EndReason.PUPIL_LEFT,
        "Verhuisd",
    )
    today = timezone.localdate()
    assert not CheckIn.objects.filter(match=approved, due_on__gte=today).exists()
    page = client.get(f"/matching/matches/{approved.pk}/")
    assert [c.due_on for c, _late in page.context["check_ins"] if c.due_on >= today] == []
    assert _messages(response) == ["Match Hamid R. - Bram K. ended."]


def test_it_undoes_an_ending_the_same_day_with_its_check_ins_ahead(client, coordinator_a, approved):
    ahead = list(approved.check_ins.filter(due_on__gte=timezone.localdate()).values_list("due_on", flat=True))
    _post(client, coordinator_a, approved, action="end", reason="buddy_left")

    _post(client, coordinator_a, approved, action="undo_end")

    approved.refresh_from_db()
    assert (approved.status, approved.end_reason, approved.ended_at) == (MatchStatus.APPROVED, "", None)
    after = approved.check_ins.filter(due_on__gte=timezone.localdate()).values_list("due_on", flat=True)
    assert list(after) == ahead != []


def test_it_keeps_an_ending_of_yesterday(client, coordinator_a, approved):
    _post(client, coordinator_a, approved, action="end", reason="buddy_left")

    with _later(days=1):
        _post(client, coordinator_a, approved, action="undo_end")

    assert Match.objects.get(pk=approved.pk).status == MatchStatus.ENDED


def test_it_records_a_check_in_with_the_day_it_was_held_and_a_note(client, coordinator_a, approved):
    held = timezone.localdate() - timedelta(days=2)

    response = _post(
        client,
        coordinator_a,
        approved,
        action="check_in",
        outcome="going_well",
        held_on=held.isoformat(),
        note="Samen gelunchd",
    )

    check_in = CheckIn.objects.get(match=approved, done_at__isnull=False)
    assert (check_in.held_on, check_in.note, check_in.outcome) == (held, "Samen gelunchd", "going_well")
    assert _messages(response) == ["Check-in of Hamid R. - Bram K. saved."]


@pytest.mark.parametrize("held_on", ["", "abc", "tomorrow"])
def test_it_shows_a_form_error_for_an_odd_or_future_check_in_date(client, coordinator_a, approved, held_on):
    if held_on == "tomorrow":
        held_on = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = _post(
        client, coordinator_a, approved, action="check_in", outcome="going_well", held_on=held_on
    )

    assert not CheckIn.objects.filter(match=approved, done_at__isnull=False).exists()
    if response.status_code == 200:
        assert response.context["check_in_form"].errors["held_on"]
    else:
        assert _messages(response) == ["A check-in cannot be in the future."]


def test_it_keeps_the_message_naming_the_pair_out_of_cookies(client, coordinator_a, proposal):
    response = _post(client, coordinator_a, proposal, action="approve")

    assert "messages" not in response.cookies
    assert "Hamid" not in str(response.cookies)


@pytest.mark.parametrize("target", ["abc", "-1", "", "//evil.example/", "https://evil.example/"])
def test_it_lands_on_the_match_list_for_an_odd_next_after_a_bulk_approval(
    client, coordinator_a, proposal, target
):
    client.force_login(coordinator_a)

    response = client.post("/matching/matches/approve/", {"match": [str(proposal.pk)], "next": target})

    assert (response.status_code, response["Location"]) == (302, "/matching/matches/")


def test_it_returns_to_the_run_page_after_a_bulk_approval(client, coordinator_a, proposal):
    client.force_login(coordinator_a)
    run_page = f"/matching/runs/{proposal.run_id}/"

    response = client.post("/matching/matches/approve/", {"match": [str(proposal.pk)], "next": run_page})

    assert response["Location"] == run_page
