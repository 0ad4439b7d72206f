SCHEDULE = {
    "flush-outbox": {"task": "core.flush_outbox", "schedule": 60.0},
}
