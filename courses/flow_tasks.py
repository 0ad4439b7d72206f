"""Celery entry points of the series/approval/alert flows: thin, ids as arguments, safe to run twice."""

from celery import shared_task

from core.retry import RETRY
from courses import alerts, approval


@shared_task(name="courses.notify_theme_followers", ignore_result=True, **RETRY)
def notify_theme_followers(edition_id: int) -> int:
    return alerts.notify_followers(edition_id)


@shared_task(name="courses.remind_approvers", ignore_result=True, **RETRY)
def remind_approvers() -> int:
    return approval.remind_approvers()
