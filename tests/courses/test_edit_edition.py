"""Editing an edition's settings after creation (label, window, deadlines, rules); capacity stays its own verb."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from courses import services
from courses.models import EditionStatus


def _local(moment: object) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")  # type: ignore[arg-type]


def test_it_changes_the_label_and_window_through_the_page(client, organiser_a, edition_a):  # type: ignore[no-untyped-def]
    client.force_login(organiser_a)
    closes = (edition_a.enrol_closes_at - timedelta(days=1)).replace(second=0, microsecond=0)

    response = client.post(
        reverse("courses:edition_edit", args=[edition_a.pk]),
        {
            "label": "Najaar",
            "enrol_opens_at": _local(edition_a.enrol_opens_at),
            "enrol_closes_at": _local(closes),
            "cancel_deadline": _local(edition_a.cancel_deadline),
            "promotion_mode": "immediate",
            "offer_hours": "48",
        },
    )

    edition_a.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:edition_manage", args=[edition_a.pk])
    assert (edition_a.label, edition_a.enrol_closes_at, edition_a.capacity) == ("Najaar", closes, 10)


def test_it_shows_a_form_error_and_writes_nothing_when_enrolment_closes_before_it_opens(  # type: ignore[no-untyped-def]
    client, organiser_a, edition_a
):
    client.force_login(organiser_a)
    before = (edition_a.label, edition_a.enrol_opens_at, edition_a.enrol_closes_at)

    response = client.post(
        reverse("courses:edition_edit", args=[edition_a.pk]),
        {
            "label": "Kapot",
            "enrol_opens_at": _local(edition_a.enrol_closes_at),
            "enrol_closes_at": _local(edition_a.enrol_opens_at),
            "cancel_deadline": _local(edition_a.cancel_deadline),
            "promotion_mode": "immediate",
            "offer_hours": "48",
        },
    )

    edition_a.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors["enrol_closes_at"] == ["Enrolment must close after it opens."]
    assert (edition_a.label, edition_a.enrol_opens_at, edition_a.enrol_closes_at) == before


def test_it_refuses_to_edit_a_cancelled_edition(organiser_a, edition_a):  # type: ignore[no-untyped-def]
    edition_a.status = EditionStatus.CANCELLED
    edition_a.save(update_fields=["status"])

    with pytest.raises(Conflict):
        services.update_edition(organiser_a, edition_a, label="Toch")

    edition_a.refresh_from_db()
    assert edition_a.label == ""


def test_it_answers_404_to_someone_who_does_not_organise_it(client, tree, edition_a):  # type: ignore[no-untyped-def]
    from accounts.roles import Role
    from tests.factories import make_membership

    client.force_login(make_membership(Role.REGIONAL_COORDINATOR, tree.region_b))

    assert client.get(reverse("courses:edition_edit", args=[edition_a.pk])).status_code == 404
