"""The verbs of placement. Each is one transaction, takes already-scoped objects and the acting user, and
raises ``core.errors`` domain errors with a translated message and the field at fault."""

from placement.services.groups import create_group, update_group
from placement.services.outflow import confirm_outflow, plan_outflow, record_progress
from placement.services.privacy import anonymise_expired, erase_report, export_record
from placement.services.reports import eligibility, file_report, record_interim
from placement.services.review import approve, place_by_hand, reject, start
from placement.services.runs import execute_run, start_run

__all__ = [
    "anonymise_expired",
    "approve",
    "confirm_outflow",
    "create_group",
    "eligibility",
    "erase_report",
    "execute_run",
    "export_record",
    "file_report",
    "place_by_hand",
    "plan_outflow",
    "record_interim",
    "record_progress",
    "reject",
    "start",
    "start_run",
    "update_group",
]
