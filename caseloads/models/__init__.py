"""Caseloads of ambulant language supporters: support requests, supporter profiles, cases, visits.

A school files a :class:`SupportRequest`; the regional coordinator allocates it to a supporter, which opens a
:class:`Case`. The supporter logs :class:`Visit` s (with agreed :class:`NextStep` s). Workload is measured in
hours: logged visits (duration + preparation + travel) for what happened, and each active case's planned
hours per month for what is committed (the basis of "free hours" in allocation, see ``caseloads.workload``).
"""

from caseloads.models.allocation import (
    ACTIVE_ALLOCATION_STATUSES,
    AllocationRun,
    AllocationRunStatus,
    SupporterProfile,
)
from caseloads.models.cases import (
    CASE_TRANSITIONS,
    Case,
    CaseStatus,
    NextStep,
    Transfer,
    TransferStatus,
    Visit,
    VisitKind,
)
from caseloads.models.notifications import Notification
from caseloads.models.requests import (
    OPEN_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    TOPIC_HOURS,
    URGENCY_EXTRA_HOURS,
    RequestStatus,
    Subject,
    SupportRequest,
    Topic,
    Urgency,
    estimated_hours,
)

__all__ = [
    "ACTIVE_ALLOCATION_STATUSES",
    "CASE_TRANSITIONS",
    "OPEN_REQUEST_STATUSES",
    "REQUEST_TRANSITIONS",
    "TOPIC_HOURS",
    "URGENCY_EXTRA_HOURS",
    "AllocationRun",
    "AllocationRunStatus",
    "Case",
    "CaseStatus",
    "NextStep",
    "Notification",
    "RequestStatus",
    "Subject",
    "SupportRequest",
    "SupporterProfile",
    "Topic",
    "Transfer",
    "TransferStatus",
    "Urgency",
    "Visit",
    "VisitKind",
    "estimated_hours",
]
