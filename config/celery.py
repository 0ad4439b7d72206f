"""The Celery app. Without REDIS_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER).

Periodic tasks: each app lists its own in ``<app>/beat.py`` as ``SCHEDULE`` (plain dicts, no model imports).
"""

import os
from importlib import import_module

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("overstap")
# The default app of every thread (Celery's ``current_app`` is otherwise per thread): ``core.outbox`` finds it
# through ``current_app`` without importing the project's config.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_APPS = ("core", "accounts", "pupils", "courses", "matching", "caseloads", "placement", "parents")


def _beat_schedule() -> dict[str, dict]:
    schedule: dict[str, dict] = {}
    for name in BEAT_APPS:
        try:
            module = import_module(f"{name}.beat")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.beat":
                raise
            continue
        schedule.update(module.SCHEDULE)
    return schedule


app.conf.beat_schedule = _beat_schedule()
