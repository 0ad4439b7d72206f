"""CSV import of pupils and buddies: the whole file is validated first, then imported all-or-nothing.

Columns are documented in :data:`COLUMNS` (and in the downloadable template); reading the file and its
rows is ``import_rows``. Small files are imported in the request; larger ones become an :class:`ImportJob`
that a task imports (again in one transaction) while the page shows progress. Any bad row: nothing is
written, and every row's problems are reported with their row number (the header is row 1).
"""

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from core import outbox
from core.errors import ServiceError
from matching import import_plan
from matching.import_plan import Plan
from matching.models import Buddy, BuddyKind, ImportJob, ImportKind, ImportStatus
from matching.services import buddies
from matching.services.import_rows import (
    COLUMNS,
    EXAMPLES,
    ImportInvalid,
    Parsed,
    RowError,
    parse,
    read_upload,
    template_rows,
)
from pupils import services as pupil_services

__all__ = [
    "CHUNK",
    "COLUMNS",
    "EXAMPLES",
    "INLINE_ROWS",
    "ImportInvalid",
    "ImportOutcome",
    "Parsed",
    "RowError",
    "import_csv",
    "job_progress",
    "outcome_message",
    "parse",
    "process_job",
    "read_upload",
    "template_rows",
    "validate",
]

#: Files up to this many rows are imported in the request; larger ones by a task with progress.
INLINE_ROWS = 300
CHUNK = 500


def _create_buddies(user: User, rows: list[dict[str, Any]]) -> None:
    now = timezone.now()
    user_ref = user
    objects = []
    for r in rows:
        values = {k: v for k, v in r.items() if k not in {"interests", "_row"}}
        values["gender"] = values.get("gender") or ""
        if values["kind"] != BuddyKind.PEER:
            values["grade"] = None
        if values.get("consent_by"):
            values["consent_at"] = now
            values["consent_recorded_by"] = user_ref
        objects.append(Buddy(**values))
    created = Buddy.objects.bulk_create(objects)
    through = Buddy.interests.through
    through.objects.bulk_create(
        [
            through(buddy_id=obj.pk, interest_id=i.pk)
            for obj, r in zip(created, rows, strict=True)
            for i in r["interests"]
        ]
    )


def _write(user: User, kind: str, rows: list[dict[str, Any]], progress: Any = None) -> int:
    """Create every row in the caller's transaction; ``progress(rows_done)`` after every chunk. Pupils
    are written by their owner's verb (``pupils.services.import_pupils``)."""
    done = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if kind == ImportKind.PUPILS:
            pupil_services.import_pupils(user, chunk)
        else:
            _create_buddies(user, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


def validate(user: User, kind: str, text: str, *, update: bool = False) -> tuple[Parsed, Plan]:
    """Parse the file and plan it. Without ``update``, a row for a record already held is an error."""
    parsed = parse(user, kind, text)
    planned = import_plan.plan(kind, parsed.rows) if parsed.rows else Plan()
    if not update:
        pupils = kind == ImportKind.PUPILS
        known = _("This pupil is already registered.") if pupils else _("This buddy is already registered.")
        parsed.errors += [RowError(r.row, "", known) for r in planned.rows if r.action != import_plan.CREATE]
        parsed.errors.sort(key=lambda e: (e.row, e.field))
    return parsed, planned


def _update(user: User, kind: str, record: Any, values: dict[str, Any]) -> None:
    data = {k: v for k, v in values.items() if k != "_row"}
    try:
        if kind == ImportKind.PUPILS:
            pupil_services.update_pupil(user, record, **data)
        else:
            buddies.update_buddy(user, record, **data)
    except ServiceError as exc:
        raise ImportInvalid([RowError(values["_row"], exc.field or "", exc.message)]) from None


def _carry_out(user: User, parsed: Parsed, planned: Plan, progress: Any = None) -> tuple[int, int]:
    """Create the new rows and update the changed ones, in the caller's transaction."""
    pairs = list(zip(parsed.rows, planned.rows, strict=True))
    new = [values for values, row in pairs if row.action == import_plan.CREATE]
    created = _write(user, parsed.kind, new, progress)
    changed = [(values, row) for values, row in pairs if row.action == import_plan.UPDATE]
    for values, row in changed:
        _update(user, parsed.kind, row.record, values)
    return created, len(changed)


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    job: ImportJob | None = None
    plan: Plan | None = None  # set on a dry run: what would change, row by row


def outcome_message(outcome: ImportOutcome) -> str:
    return _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
    }


def import_csv(
    user: User, kind: str, text: str, *, update: bool = False, dry_run: bool = False
) -> ImportOutcome:
    """Validate ``text`` whole; show what would change (``dry_run``), import it now (small files) or queue
    a job (large ones). With ``update``, rows for records already held update them."""
    if not scoping.can(user, Capability.MANAGE_PUPILS):
        raise ServiceError(_("You cannot import records."), code="forbidden")
    parsed, planned = validate(user, kind, text, update=update)
    if parsed.errors:
        raise ImportInvalid(parsed.errors)
    if dry_run:
        return ImportOutcome(planned.created, planned.updated, planned.unchanged, plan=planned)
    if len(parsed.rows) <= INLINE_ROWS:
        with transaction.atomic():
            created, updated = _carry_out(user, parsed, planned)
        return ImportOutcome(created, updated, planned.unchanged)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind, created_by=user, content=text, rows_total=len(parsed.rows), update_existing=update
        )
        outbox.enqueue("matching.process_import", job.pk)
    return ImportOutcome(job=job)


def _progress_key(job_id: int) -> str:
    return f"matching:import:{job_id}:rows"


def job_progress(job: ImportJob) -> int:
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job.rows_done
    return int(cache.get(_progress_key(job.pk), 0))


def process_job(job_id: int) -> bool:
    """Import a queued job in one transaction. Progress goes to the cache (the transaction hides row
    updates from the page until it commits). The file content is dropped afterwards."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING
    ):
        return False
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    parsed, planned = validate(job.created_by, job.kind, job.content, update=job.update_existing)
    if parsed.errors:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            errors=[e.as_dict() for e in parsed.errors],
            content="",
            finished_at=timezone.now(),
        )
        return False
    try:
        with transaction.atomic():
            created, updated = _carry_out(
                job.created_by, parsed, planned, lambda n: cache.set(_progress_key(job_id), n, 3600)
            )
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportStatus.DONE,
                rows_done=len(parsed.rows),
                created_count=created,
                updated_count=updated,
                content="",
                finished_at=timezone.now(),
            )
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            errors=[{"row": 0, "field": "", "message": type(exc).__name__}],
            content="",
            finished_at=timezone.now(),
        )
        return False
    return True
