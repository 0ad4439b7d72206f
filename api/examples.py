"""Examples for the main request and response bodies of the schema (tests/api/test_schema_docs.py checks
that each one validates against the schema it illustrates)."""

from drf_spectacular.utils import OpenApiExample

TOKEN_REQUEST = OpenApiExample(
    "Sign in", {"email": "leerkracht@overstap.demo", "password": "overstap-demo"}, request_only=True
)
TOKEN = OpenApiExample(
    "Token", {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True, status_codes=["200"]
)
_MEETING = {
    "id": 31,
    "starts_at": "2027-02-03T13:00:00+01:00",
    "ends_at": "2027-02-03T16:30:00+01:00",
    "venue": "Stadhuis Haarlem, zaal 2",
    "online_url": "",
}
EDITION = OpenApiExample(
    "Edition",
    {
        "id": 12,
        "module": {"id": 4, "title": "NT2 in de klas", "format": "training_module", "pd_hours": "3.5"},
        "label": "Voorjaar 2027",
        "status": "published",
        "capacity": 24,
        "held": 20,
        "reserved": 0,
        "waiting": 0,
        "free": 4,
        "enrol_opens_at": "2026-11-01T09:00:00+01:00",
        "enrol_closes_at": "2027-01-27T17:00:00+01:00",
        "cancel_deadline": "2027-01-27T17:00:00+01:00",
        "starts_at": "2027-02-03T13:00:00+01:00",
        "ends_at": "2027-02-03T16:30:00+01:00",
        "requires_school_approval": False,
        "promotion_mode": "immediate",
        "offer_hours": 48,
        "meetings": [_MEETING],
    },
    response_only=True,
    status_codes=["200"],
)
ENROLMENT = OpenApiExample(
    "Confirmed enrolment",
    {
        "id": 501,
        "edition": 12,
        "teacher": 77,
        "teacher_name": "Sanne de Vries",
        "school": 9,
        "status": "confirmed",
        "waitlist_position": None,
        "offer_expires_at": None,
        "created_at": "2026-12-01T10:15:00+01:00",
        "confirmed_at": "2026-12-01T10:15:00+01:00",
        "cancelled_at": None,
    },
    response_only=True,
    status_codes=["200", "201"],
)
START_RUN = OpenApiExample("Run for a school", {"scope": 9, "buddy_kind": "peer"}, request_only=True)
MATCH_RUN = OpenApiExample(
    "Run in progress",
    {
        "id": 3,
        "scope": 9,
        "buddy_kind": "peer",
        "status": "running",
        "trigger": "manual",
        "created_at": "2026-12-01T10:20:00+01:00",
        "started_at": "2026-12-01T10:20:01+01:00",
        "finished_at": None,
        "progress": {
            "percent": 50,
            "components_done": 1,
            "components_total": 2,
            "batches_done": 1,
            "batches_total": 2,
            "pupils_total": 14,
            "pupils_matched": 6,
        },
        "stats": {},
        "error": "",
    },
    response_only=True,
    status_codes=["200", "202"],
)
MATCH = OpenApiExample(
    "Proposed match",
    {
        "id": 88,
        "run": 3,
        "pupil": {"id": 140, "name": "Hamid R."},
        "buddy": {"id": 51, "name": "Bram K."},
        "school": 9,
        "kind": "peer",
        "status": "proposed",
        "locked": False,
        "cost": 1.5,
        "explanation": "spreekt ook Arabisch; zelfde groep; 2 gedeelde interesses",
        "reasons": [["shared_home_language", {"languages": ["ar"]}], ["same_grade", {}]],
        "alternatives": [],
        "starts_on": None,
        "ends_on": None,
        "ended_at": None,
        "end_reason": None,
        "fit": None,
    },
    response_only=True,
    status_codes=["200"],
)
SUPPORT_REQUEST = OpenApiExample(
    "Request for a pupil",
    {
        "school": 9,
        "subject": "pupil",
        "topic": "language_development",
        "description": "Begeleiding bij begrijpend lezen na de overstap uit de ITK.",
        "urgency": "normal",
        "languages": ["ar"],
        "pupils": [140],
    },
    request_only=True,
)
