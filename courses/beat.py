SCHEDULE = {
    "courses-send-reminders": {"task": "courses.send_reminders", "schedule": 3600.0},
    "courses-expire-offers": {"task": "courses.expire_offers", "schedule": 300.0},
    "courses-lapse-reservations": {"task": "courses.lapse_reservations", "schedule": 900.0},
    # Reminder copies to school leaders, evaluation invitations (after the last meeting) and one reminder.
    "courses-queue-followups": {"task": "courses.queue_followups", "schedule": 3600.0},
    # Hourly, but each approver is mailed once a day at most (ApprovalReminder per user and day).
    "courses-remind-approvers": {"task": "courses.remind_approvers", "schedule": 3600.0},
}
