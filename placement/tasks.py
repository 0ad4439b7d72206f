"""Celery entry points for placement: ids in, services do the work, every task safe to run twice."""

from celery import shared_task

from placement.services import runs


@shared_task(name="placement.run_placement", ignore_result=True, acks_late=True)
def run_placement(run_id: int) -> bool:
    """Solve one placement run; a second delivery of a finished run returns at once."""
    return runs.execute_run(run_id)


@shared_task(name="placement.anonymise_expired", ignore_result=True)
def anonymise_expired() -> int:
    from placement.services import privacy

    return privacy.anonymise_expired()
