"""core.transitions: allowed moves per model, checked in one place, with the from/to in the error."""

import pytest
from django.db import models
from django.utils import translation

from caseloads.models import CASE_TRANSITIONS, REQUEST_TRANSITIONS, CaseStatus, RequestStatus
from core.transitions import InvalidTransition, Transitions
from matching.models import MATCH_TRANSITIONS, Match, MatchStatus


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"


LIGHT = Transitions(Light, {Light.RED: {Light.GREEN}, Light.GREEN: {Light.AMBER}, Light.AMBER: {Light.RED}})


class _Obj:
    def __init__(self, status: str) -> None:
        self.status = status


def test_it_moves_along_an_allowed_edge() -> None:
    obj = _Obj(Light.RED)

    LIGHT.move(obj, Light.GREEN)

    assert obj.status == Light.GREEN


def test_it_refuses_a_move_with_the_source_and_target_in_the_error() -> None:
    obj = _Obj(Light.RED)

    with translation.override("en"), pytest.raises(InvalidTransition) as refused:
        LIGHT.move(obj, Light.AMBER)

    assert (refused.value.source, refused.value.target) == ("red", "amber")
    assert refused.value.message == "This cannot change from red to amber."
    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert obj.status == Light.RED


def test_it_keeps_a_verbs_own_message_code_and_status() -> None:
    with pytest.raises(InvalidTransition) as refused:
        LIGHT.check(Light.GREEN, Light.RED, message="Wait for amber.", code="not_amber", status=400)

    assert (refused.value.message, refused.value.code, refused.value.status) == (
        "Wait for amber.",
        "not_amber",
        400,
    )
    assert (refused.value.source, refused.value.target) == ("green", "red")


def test_it_refuses_a_table_that_names_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="no status"):
        Transitions(Light, {Light.RED: {"blue"}})


def test_it_refuses_a_conditional_update_along_a_forbidden_edge() -> None:
    with pytest.raises(ValueError, match="approved -> proposed"):
        MATCH_TRANSITIONS.update(Match.objects.none(), MatchStatus.APPROVED, MatchStatus.PROPOSED)


@pytest.mark.parametrize(
    ("table", "source", "target", "allowed"),
    [
        (MATCH_TRANSITIONS, MatchStatus.PROPOSED, MatchStatus.APPROVED, True),
        (MATCH_TRANSITIONS, MatchStatus.PROPOSED, MatchStatus.REJECTED, True),
        (MATCH_TRANSITIONS, MatchStatus.REJECTED, MatchStatus.PROPOSED, True),  # undo the same day
        (MATCH_TRANSITIONS, MatchStatus.APPROVED, MatchStatus.ENDED, True),
        (MATCH_TRANSITIONS, MatchStatus.ENDED, MatchStatus.APPROVED, True),  # undo the same day
        (MATCH_TRANSITIONS, MatchStatus.REJECTED, MatchStatus.APPROVED, False),
        (MATCH_TRANSITIONS, MatchStatus.SUPERSEDED, MatchStatus.APPROVED, False),
        (MATCH_TRANSITIONS, MatchStatus.APPROVED, MatchStatus.REJECTED, False),
        (REQUEST_TRANSITIONS, RequestStatus.NEW, RequestStatus.TRIAGE, True),
        (REQUEST_TRANSITIONS, RequestStatus.TRIAGE, RequestStatus.ALLOCATED, True),
        (REQUEST_TRANSITIONS, RequestStatus.TRIAGE, RequestStatus.TRIAGE, False),
        (REQUEST_TRANSITIONS, RequestStatus.DECLINED, RequestStatus.ALLOCATED, False),
        (REQUEST_TRANSITIONS, RequestStatus.ALLOCATED, RequestStatus.DECLINED, False),
        (CASE_TRANSITIONS, CaseStatus.ACTIVE, CaseStatus.PAUSED, True),
        (CASE_TRANSITIONS, CaseStatus.PAUSED, CaseStatus.CLOSED, True),
        (CASE_TRANSITIONS, CaseStatus.CLOSED, CaseStatus.ACTIVE, False),
    ],
)
def test_it_holds_each_models_table(table: Transitions, source: str, target: str, allowed: bool) -> None:
    assert table.allows(source, target) is allowed
