"""The verbs of caseloads. Each is one transaction, takes already-scoped objects and the acting user, checks
who may do it, and raises ``core.errors`` domain errors with a translated message and the field at fault.
Pages, the API and tasks all call these."""

from caseloads.reach import open_requests_for, supporters_for
from caseloads.services.allocating import allocate, confirm_open, propose_open, ranking
from caseloads.services.cases import answer_transfer, offer_transfer, set_case_status, share_case, update_case
from caseloads.services.profiles import save_profile
from caseloads.services.requests import decline_request, file_request, start_triage
from caseloads.services.runs import execute, latest_run, start_run
from caseloads.services.visits import complete_step, log_visit, mark_visit_done

__all__ = [
    "allocate",
    "answer_transfer",
    "complete_step",
    "confirm_open",
    "decline_request",
    "execute",
    "file_request",
    "latest_run",
    "log_visit",
    "mark_visit_done",
    "offer_transfer",
    "open_requests_for",
    "propose_open",
    "ranking",
    "save_profile",
    "set_case_status",
    "share_case",
    "start_run",
    "start_triage",
    "supporters_for",
    "update_case",
]
