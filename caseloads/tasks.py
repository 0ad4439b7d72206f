"""Thin Celery tasks: ids as arguments, safe to run twice (a ``Notification`` row per message sent)."""

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from caseloads import retention
from caseloads.models import Case, Notification, SupportRequest, Transfer, TransferStatus
from core import notify
from core.retry import RETRY
from core.urls import absolute_url


def _send_once(key: str, recipients: list[User], template: str, context: dict[str, object]) -> bool:
    """Send ``template`` to each recipient in their own language, once per ``key`` and recipient."""
    sent = False
    for user in recipients:
        with translation.override(user.language):
            ctx = {**context, "recipient": user, "site_url": absolute_url("")}
            subject = render_to_string(f"caseloads/email/{template}_subject.txt", ctx).strip()
            body = render_to_string(f"caseloads/email/{template}_message.txt", ctx)
        if notify.send_once(
            Notification,
            lambda: send_mail(subject, body, None, [user.email]),  # noqa: B023 - called at once
            key=f"{key}:{user.pk}"[:120],
        ):
            sent = True
    return sent


@shared_task(name="caseloads.notify_allocation", ignore_result=True, **RETRY)
def notify_allocation(case_id: int) -> bool:
    case = Case.objects.select_related("supporter", "school").filter(pk=case_id).first()
    if case is None:
        return False
    url = absolute_url(reverse("caseloads:case_detail", args=[case.pk]))
    return _send_once(f"allocation:{case.pk}", [case.supporter], "allocation", {"case": case, "url": url})


@shared_task(name="caseloads.notify_transfer", ignore_result=True, **RETRY)
def notify_transfer(transfer_id: int) -> bool:
    transfer = (
        Transfer.objects.select_related("case__school", "from_supporter", "to_supporter")
        .filter(pk=transfer_id, status=TransferStatus.PENDING)
        .first()
    )
    if transfer is None:
        return False
    url = absolute_url(reverse("caseloads:case_detail", args=[transfer.case_id]))
    return _send_once(
        f"transfer:{transfer.pk}", [transfer.to_supporter], "transfer", {"transfer": transfer, "url": url}
    )


@shared_task(name="caseloads.notify_request_status", ignore_result=True, **RETRY)
def notify_request_status(request_id: int, status: str) -> bool:
    """Tell the school where its request stands: the person who filed it and the school's staff."""
    request = SupportRequest.objects.select_related("school", "filed_by").filter(pk=request_id).first()
    if request is None or request.status != status:
        return False  # a later change superseded this one; its own task tells the school
    staff = User.objects.filter(
        memberships__organisation=request.school,
        memberships__role__in=[Role.SCHOOL_STAFF, Role.SCHOOL_ADMIN],
        is_active=True,
    ).distinct()
    recipients = {u.pk: u for u in staff}
    if request.filed_by and request.filed_by.is_active:
        recipients[request.filed_by.pk] = request.filed_by
    url = absolute_url(reverse("caseloads:request_detail", args=[request.pk]))
    return _send_once(
        f"status:{request.pk}:{status}",
        [recipients[k] for k in sorted(recipients)],
        "request_status",
        {"request": request, "url": url},
    )


@shared_task(name="caseloads.anonymise_closed_cases", ignore_result=True)
def anonymise_closed_cases() -> int:
    return retention.anonymise_closed_cases()


@shared_task(name="caseloads.run_allocation", ignore_result=True, acks_late=True)
def run_allocation(run_id: int) -> bool:
    from caseloads.services import runs

    return runs.execute(run_id)
