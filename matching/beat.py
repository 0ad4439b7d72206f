from celery.schedules import crontab

SCHEDULE = {
    # Every 15 s (matching/leases.py SWEEP_SECONDS): a dead worker's batch goes out again within a lease
    # plus this; with nothing stalled the sweep is one or two indexed queries.
    "matching-resume-stalled-runs": {"task": "matching.resume_stalled_runs", "schedule": 15.0},
    "matching-nightly-runs": {"task": "matching.start_nightly_runs", "schedule": crontab(hour=2, minute=15)},
    "matching-end-expired": {"task": "matching.end_expired_matches", "schedule": crontab(hour=3, minute=0)},
    "matching-anonymise-expired": {
        "task": "matching.anonymise_expired",
        "schedule": crontab(hour=3, minute=30),
    },
}
