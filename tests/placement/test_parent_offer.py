"""A placement offer answered by the family through the parents' signed link: accept, or ask to be called
first; the officer sees the answer (time and channel) on the child's page and timeline; the offer is in the
child's export and goes with the record."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from core.errors import Conflict, ServiceError
from parents import consent
from parents.models import ConsentChannel, ConsentRequest, ConsentStatus
from placement import parent_offer, queries, services
from placement.models import PlacementStatus, ReportStatus
from tests.parents.test_letters import _need_pdf_tools
from tests.placement.factories import make_group, make_placement, make_report

pytestmark = pytest.mark.django_db

START = date(2027, 3, 8)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _approved(reg, **report):  # type: ignore[no-untyped-def]
    defaults = {"parent_email": "ouder@example.test", "letter_language": "ar", "first_name": "Hamid"}
    child = make_report(reg.tree.school_a, **(defaults | report))
    return services.approve(reg.officer, make_placement(child, make_group(reg.location, intake_days=[1])))


def _link(asked: ConsentRequest) -> str:
    return f"/ouders/toestemming/{consent.token_for(asked)}/"


def test_it_mails_the_offer_in_the_familys_language_with_place_and_start(
    reg, django_capture_on_commit_callbacks
):
    placement = _approved(reg)
    with django_capture_on_commit_callbacks(execute=True):
        asked = parent_offer.offer(reg.officer, placement, start_date=START)
    assert (asked.place_name, asked.start_date, asked.language) == ("Haarlem-Noord", START, "ar")
    assert (asked.child_first_name, asked.other_first_name, asked.school_id) == ("Hamid", "", reg.location.pk)
    [sent] = mail.outbox
    assert sent.to == ["ouder@example.test"]
    assert sent.subject == "مكان في المدرسة لطفلك"
    assert "Hamid" not in sent.subject
    assert "يوجد مكان لـ Hamid في صف الوافدين الجدد في Haarlem-Noord." in sent.body
    assert "أول يوم دراسي هو 8 مارس 2027." in sent.body
    assert _link(asked) in sent.body


def test_it_records_an_acceptance_through_the_link_and_shows_it_to_the_officer(reg):
    placement = _approved(reg)
    asked = parent_offer.offer(reg.officer, placement, start_date=START)
    family = Client()
    page = family.get(_link(asked))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="ar" dir="rtl"' in html
    assert "نعم، نقبل المكان" in html  # accept
    assert "يرجى الاتصال بي أولًا" in html  # call me first
    done = family.post(_link(asked), {"answer": "accept"})
    assert "شكرًا لك. لقد قبلت المكان." in done.content.decode()
    asked.refresh_from_db()
    assert (asked.status, asked.channel) == (ConsentStatus.ACCEPTED, ConsentChannel.LINK)
    assert family.get(_link(asked)).status_code == 410  # used up

    officer_page = _client(reg.officer).get(f"/placement/children/{placement.report_id}/").content.decode()
    answered = timezone.localtime(asked.answered_at)
    assert "Place accepted</strong> (by the parent, through the link)" in officer_page
    assert date_format(answered, "DATETIME_FORMAT") in officer_page  # the moment of the answer
    labels = [e.label for e in queries.timeline(placement.report)]
    assert "Parents: Place accepted (By the parent, through the link)" in labels
    assert any(label.startswith("Offer to the parents: Haarlem-Noord, from ") for label in labels)


def test_it_lets_the_family_ask_for_a_call_and_accept_after_it(reg):
    asked = parent_offer.offer(reg.officer, _approved(reg, letter_language="ti"), start_date=START)
    family = Client()
    family.post(_link(asked), {"answer": "call"})
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.CALL_REQUESTED
    page = family.get(_link(asked)).content.decode()  # the link still works, to accept after the call
    assert "እወ፡ ነቲ ቦታ ንቕበሎ" in page
    assert "በጃኹም ቅድም ደውሉለይ" not in page  # asking twice is not offered
    family.post(_link(asked), {"answer": "call"})  # a second tab: nothing changes
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.CALL_REQUESTED
    family.post(_link(asked), {"answer": "accept"})
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.ACCEPTED
    assert [e.status for e in asked.events.all()] == ["pending", "call", "accepted"]


def test_it_records_an_acceptance_by_phone_only_with_a_reason(reg):
    asked = parent_offer.offer(reg.officer, _approved(reg), start_date=START)
    consent.answer_offer(asked, accept=False)
    with pytest.raises(ServiceError):
        parent_offer.record_on_paper(reg.officer, asked, reason="  ")
    client = _client(reg.officer)
    client.post(f"/placement/offers/{asked.pk}/answer/", {"offer-reason": "telefonisch op 3 maart, met tolk"})
    asked.refresh_from_db()
    assert (asked.status, asked.channel) == (ConsentStatus.ACCEPTED, ConsentChannel.PAPER)
    assert asked.events.last().reason == "telefonisch op 3 maart, met tolk"
    assert asked.events.last().recorded_by == reg.officer
    with pytest.raises(Conflict):
        consent.answer_offer(asked, accept=False)  # accepted is final


def test_it_offers_only_an_approved_place_and_only_within_reach(reg):
    child = make_report(reg.tree.school_a)
    proposal = make_placement(child, make_group(reg.location))
    with pytest.raises(Conflict):
        parent_offer.offer(reg.officer, proposal, start_date=START)
    placement = _approved(reg)
    response = _client(reg.officer_b).post(
        f"/placement/placements/{placement.pk}/offer/", {"start_date": "2027-03-08"}
    )
    assert response.status_code == 404
    assert not ConsentRequest.objects.exists()
    response = _client(reg.officer).post(
        f"/placement/placements/{placement.pk}/offer/", {"start_date": "8-3-2027"}
    )
    assert response.status_code == 302
    asked = ConsentRequest.objects.get()
    assert asked.start_date == START  # typed the Dutch way
    assert _client(reg.officer_b).get(f"/placement/offers/{asked.pk}/letter.pdf").status_code == 404
    assert _client(reg.school_staff).get(f"/placement/offers/{asked.pk}/letter.pdf").status_code == 404
    # The consent letters' address does not print offers, whoever asks.
    assert (
        _client(reg.location_staff).get(f"/ouders/beheer/toestemming/{asked.pk}/brief.pdf").status_code == 404
    )


def test_it_prints_the_offer_for_the_officer(reg):
    _need_pdf_tools()
    asked = parent_offer.offer(reg.officer, _approved(reg, parent_email=""), start_date=START)
    response = _client(reg.officer).get(f"/placement/offers/{asked.pk}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")


def test_it_falls_back_to_dutch_for_a_letter_language_not_offered(reg):
    asked = parent_offer.offer(reg.officer, _approved(reg, letter_language="xx"), start_date=START)
    assert asked.language == "nl"


def test_it_suggests_the_groups_next_intake_day(reg):
    placement = _approved(reg)  # intake on Mondays
    assert parent_offer.suggested_start(placement, today=date(2027, 3, 3)) == date(2027, 3, 8)
    assert parent_offer.suggested_start(placement, today=date(2027, 3, 8)) == date(2027, 3, 15)


def test_it_exports_the_offer_with_the_record_and_erases_it_with_the_record(reg):
    placement = _approved(reg)
    asked = parent_offer.offer(reg.officer, placement, start_date=START)
    consent.answer_offer(asked, accept=True)
    record = services.export_record(reg.officer, placement.report)
    [held] = record["letters_to_parents"]
    assert (held["kind"], held["parent_email"], held["place"], held["status"]) == (
        "placement_offer",
        "ouder@example.test",
        "Haarlem-Noord",
        "accepted",
    )
    assert [e["status"] for e in held["events"]] == ["pending", "accepted"]
    assert [e["channel"] for e in held["events"]] == ["", "link"]
    services.erase_report(reg.officer, placement.report, reason="parents asked")
    assert not ConsentRequest.objects.exists()


def test_it_erases_the_offers_when_the_record_is_anonymised(reg, settings):
    settings.PLACEMENT_RETENTION_MONTHS = 12
    placement = _approved(reg)
    parent_offer.offer(reg.officer, placement, start_date=START)
    placement.report.__class__.objects.filter(pk=placement.report_id).update(
        status=ReportStatus.LEFT, left_at=timezone.localdate() - timedelta(days=400)
    )
    assert services.anonymise_expired() == 1
    assert not ConsentRequest.objects.exists()
    assert placement.__class__.objects.get(pk=placement.pk).status == PlacementStatus.APPROVED


def test_it_withdraws_the_offer_of_an_earlier_place_when_another_is_offered(reg):
    first = _approved(reg)
    old = parent_offer.offer(reg.officer, first, start_date=START)
    first.__class__.objects.filter(pk=first.pk).update(status=PlacementStatus.ENDED)
    first.report.__class__.objects.filter(pk=first.report_id).update(status=ReportStatus.WAITING)
    second = services.approve(reg.officer, make_placement(first.report, make_group(reg.location)))
    new = parent_offer.offer(reg.officer, second, start_date=START)
    old.refresh_from_db()
    assert old.status == ConsentStatus.WITHDRAWN
    assert Client().get(_link(old)).status_code == 410
    assert Client().get(_link(new)).status_code == 200
