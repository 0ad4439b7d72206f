from celery.schedules import crontab

SCHEDULE = {
    "parents-erase-expired-contacts": {
        "task": "parents.erase_expired_contacts",
        "schedule": crontab(hour=3, minute=50),
    },
}
