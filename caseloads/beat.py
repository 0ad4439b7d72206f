from celery.schedules import crontab

SCHEDULE = {
    "caseloads-anonymise-closed-cases": {
        "task": "caseloads.anonymise_closed_cases",
        "schedule": crontab(hour=3, minute=40),
    },
}
