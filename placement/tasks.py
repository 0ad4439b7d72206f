"""Celery entry points for placement: ids in, services do the work, every task safe to run twice."""

from celery import shared_task

from placement import services


@shared_task(name="placement.run_placement", ignore_result=True, acks_late=True)
def run_placement(run_id: int) -> bool:
    """Solve one placement run; a second delivery of a finished run returns at once."""
    return services.execute_run(run_id)


@shared_task(name="placement.anonymise_expired", ignore_result=True)
def anonymise_expired() -> int:
    return services.anonymise_expired()
