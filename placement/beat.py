from celery.schedules import crontab

SCHEDULE = {
    "placement-anonymise-expired": {
        "task": "placement.anonymise_expired",
        "schedule": crontab(hour=3, minute=40),
    },
}
