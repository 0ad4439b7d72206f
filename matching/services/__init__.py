"""The verbs of matching, one module per thing the user works on: buddies, match runs, review of
proposals, follow-up of approved matches, the CSV import and retention. Reports are read-side and live in
``matching.reports``; who may open a run in ``matching.run_access``.

Every verb takes already-scoped objects (or ids it looks up within the user's reach, refusing with
``core.errors.NotFound``) and the acting ``User``; it refuses with ``core.errors.ServiceError``.
"""

from matching.services.buddies import (
    BUDDY_FIELDS,
    check_buddy_consent,
    create_buddy,
    delete_buddy,
    update_buddy,
)
from matching.services.followup import (
    can_undo_end,
    check_in_dates,
    end_expired_matches,
    end_for_revoked_consent,
    end_match,
    overdue_check_ins,
    record_check_in,
    record_fit,
    schedule_check_ins,
    undo_end,
)
from matching.services.imports import ImportInvalid, RowError, import_csv, process_job, read_upload, validate
from matching.services.retention import anonymise_expired, erase_pupil, export_pupil
from matching.services.review import approve, approve_many, can_undo_reject, lock, reject, swap, undo_reject
from matching.services.runs import (
    RUN_SCOPE_KINDS,
    fail_run,
    prepare_run,
    run_batch,
    stalled_runs,
    start_nightly_runs,
    start_run,
)

__all__ = [
    "BUDDY_FIELDS",
    "RUN_SCOPE_KINDS",
    "ImportInvalid",
    "RowError",
    "anonymise_expired",
    "approve",
    "approve_many",
    "can_undo_end",
    "can_undo_reject",
    "check_buddy_consent",
    "check_in_dates",
    "create_buddy",
    "delete_buddy",
    "end_expired_matches",
    "end_for_revoked_consent",
    "end_match",
    "erase_pupil",
    "export_pupil",
    "fail_run",
    "import_csv",
    "lock",
    "overdue_check_ins",
    "prepare_run",
    "process_job",
    "read_upload",
    "record_check_in",
    "record_fit",
    "reject",
    "run_batch",
    "schedule_check_ins",
    "stalled_runs",
    "start_nightly_runs",
    "start_run",
    "swap",
    "undo_end",
    "undo_reject",
    "update_buddy",
    "validate",
]
