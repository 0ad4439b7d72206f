from celery import shared_task

from core import outbox


@shared_task(name="core.flush_outbox", ignore_result=True)
def flush_outbox() -> int:
    return outbox.flush()
