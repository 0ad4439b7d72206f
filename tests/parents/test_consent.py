"""Consent by the parent through a signed link: asked, answered once, revocable by the same route; wrong,
expired and used links say so and nothing else; the asking domain hears of every change."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from core.errors import Conflict, ServiceError
from parents import consent
from parents.models import ConsentChannel, ConsentPurpose, ConsentRequest, ConsentStatus
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    calls: list[tuple[int, str]] = []
    monkeypatch.setitem(consent._HANDLERS, "tests.buddy", lambda r: calls.append((r.subject_id, r.status)))
    return calls


def _ask(tree, **kw) -> ConsentRequest:
    subject = consent.Subject("tests.buddy", 42, tree.school_a, "Bram", "Hamid")
    return consent.request_consent(
        subject, make_user(), purpose=ConsentPurpose.CHILD_AS_BUDDY, parent_email="ouder@example.test", **kw
    )


def _link(request: ConsentRequest) -> str:
    return f"/ouders/toestemming/{consent.token_for(request)}/"


def test_it_mails_the_link_in_the_familys_language_with_no_name_in_the_subject(
    tree, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(tree, language="ar")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Bram" not in message.subject
    assert "Hamid" not in message.subject
    assert message.subject == "سؤال من مدرسة طفلك"
    assert _link(request) in message.body
    assert "Bram" in message.body
    assert heard == [(42, ConsentStatus.PENDING)]


def test_it_records_a_yes_given_through_the_link(tree, heard):
    request = _ask(tree, language="uk")
    client = Client()
    page = client.get(_link(request))
    assert page.status_code == 200
    assert '<html lang="uk" dir="ltr"' in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    client.post(_link(request), {"answer": "yes"})
    request.refresh_from_db()
    assert (request.status, request.channel) == (ConsentStatus.GIVEN, ConsentChannel.LINK)
    assert request.answered_at is not None
    assert heard[-1] == (42, ConsentStatus.GIVEN)
    assert list(request.events.values_list("status", flat=True)) == ["pending", "given"]


def test_it_lets_the_parent_revoke_later_through_the_same_link(tree, heard):
    request = _ask(tree)
    client = Client()
    client.post(_link(request), {"answer": "yes"})
    client.post(_link(request), {"answer": "revoke"})
    request.refresh_from_db()
    assert request.status == ConsentStatus.REVOKED
    assert heard[-1] == (42, ConsentStatus.REVOKED)
    used = client.get(_link(request))
    assert used.status_code == 410


def test_it_refuses_a_second_answer(tree):
    request = _ask(tree)
    consent.answer(request, given=False)
    with pytest.raises(Conflict):
        consent.answer(request, given=True)
    assert Client().get(_link(request)).status_code == 410


def test_it_says_a_link_expired_without_revealing_anything(tree):
    request = _ask(tree)
    ConsentRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(_link(request))
    assert response.status_code == 410
    assert "Bram" not in response.content.decode()
    assert tree.school_a.name not in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.Signer(salt="another.purpose").sign_object([1, "x"]),
        signing.Signer(salt=consent.SALT).sign_object([999999, "x"]),
    ],
)
def test_it_answers_404_for_a_forged_or_foreign_token(tree, token):
    _ask(tree)
    response = Client().get(f"/ouders/toestemming/{token}/")
    assert response.status_code == 404
    assert "Bram" not in response.content.decode()


def test_it_answers_404_for_a_signed_token_with_another_nonce(tree):
    request = _ask(tree)
    token = signing.Signer(salt=consent.SALT).sign_object([request.pk, "0" * 32])
    assert Client().get(f"/ouders/toestemming/{token}/").status_code == 404


def test_it_voids_the_old_link_when_a_new_request_replaces_it(tree):
    first = _ask(tree)
    second = _ask(tree)
    first.refresh_from_db()
    assert first.status == ConsentStatus.WITHDRAWN
    assert Client().get(_link(first)).status_code == 410
    assert Client().get(_link(second)).status_code == 200


def test_it_records_consent_on_paper_only_with_a_reason(tree, heard):
    request = _ask(tree)
    staff = make_user()
    with pytest.raises(ServiceError) as refused:
        consent.answer(request, given=True, channel=ConsentChannel.PAPER, user=staff)
    assert refused.value.field == "reason"
    consent.answer(
        request, given=True, channel=ConsentChannel.PAPER, user=staff, reason="Formulier getekend op 3 maart"
    )
    request.refresh_from_db()
    assert (request.status, request.channel) == (ConsentStatus.GIVEN, ConsentChannel.PAPER)
    assert request.events.last().recorded_by == staff


def test_it_limits_how_often_one_address_may_try_links(tree, settings):
    request = _ask(tree)
    client = Client()
    codes = [client.get(_link(request)).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429


def test_it_sends_the_mail_once_when_the_task_runs_twice(tree, django_capture_on_commit_callbacks):
    from parents.tasks import send_consent_request

    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(tree)
    assert send_consent_request(request.pk) is False  # already sent on commit
    assert len(mail.outbox) == 1
