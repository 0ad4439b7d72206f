"""The invitation e-mail, sent by a real `celery worker` process through Redis, on PostgreSQL."""

import pytest

from accounts import services
from accounts.models import Invitation
from accounts.roles import Role
from tests.factories import make_membership, make_org_tree
from tests.support import require_postgres, require_redis
from tests.worker import celery_worker, wait_for


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_sends_the_invitation_email_from_a_real_worker(tmp_path):
    require_postgres()
    redis_url = require_redis()
    tree = make_org_tree()
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    mail_dir = tmp_path / "mail"

    with celery_worker(
        redis_url,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        },
    ):
        invitation = services.invite(
            admin, email="worker@example.test", organisation=tree.school_a, role=Role.TEACHER
        )
        sent = wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at is not None)

    assert sent, "the worker did not send the invitation within 60 s"
    messages = [p.read_text() for p in mail_dir.iterdir()]
    assert len(messages) == 1
    assert "worker@example.test" in messages[0]
    assert f"/invitations/{invitation.token}/" in messages[0]
