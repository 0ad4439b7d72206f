"""Reading a CSV file of pupils or buddies: the columns, the header, every row's fields, schools in reach,
interests and duplicates. Nothing here writes; ``imports`` plans and writes what was read.

Files are read as Dutch Excel writes them (``core.csvimport``: ``;`` or ``,``, UTF-8 or Windows-1252).
Lists (languages, interests) are separated by ``;`` (or ``,``). Dates are ``DD-MM-YYYY``, ``DD/MM/YYYY``
or ``YYYY-MM-DD``. ``school`` is the school's BRIN code or id. Errors carry their row number (the header
is row 1).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core import csvimport
from core.errors import ServiceError
from core.forms import parse_date
from matching.models import BuddyConsentBy, BuddyKind, ImportKind
from matching.services.buddies import check_buddy_consent
from pupils import languages
from pupils.models import ConsentBy, Gender, Interest

COLUMNS: dict[str, list[tuple[str, bool, Any]]] = {
    ImportKind.PUPILS: [
        ("school", True, gettext_lazy("BRIN code or id of the receiving school")),
        ("first_name", True, gettext_lazy("first name")),
        ("last_initial", True, gettext_lazy("initial of the last name")),
        ("birth_year", True, gettext_lazy("year, e.g. 2014")),
        ("grade", True, gettext_lazy("group 1-8 (primary) or year 1-6 (secondary)")),
        ("transition_date", True, gettext_lazy("a date such as 25-01-2027, today or later")),
        ("home_languages", True, gettext_lazy("ISO 639 codes separated by ;, e.g. ar;ku")),
        ("other_languages", False, gettext_lazy("ISO 639 codes separated by ;")),
        ("interests", False, gettext_lazy("interest codes separated by ;")),
        ("gender", False, gettext_lazy("f, m, x or empty")),
        ("buddy_gender_preference", False, gettext_lazy("f, m, x or empty")),
        ("consent_by", False, gettext_lazy("parent, guardian or empty")),
    ],
    ImportKind.BUDDIES: [
        ("school", True, gettext_lazy("BRIN code or id of the school")),
        ("kind", True, gettext_lazy("peer, staff or volunteer")),
        ("first_name", True, gettext_lazy("first name")),
        ("last_initial", True, gettext_lazy("initial of the last name")),
        ("grade", False, gettext_lazy("peers only: group 1-8 or year 1-6")),
        ("languages", True, gettext_lazy("ISO 639 codes separated by ;")),
        ("interests", False, gettext_lazy("interest codes separated by ;")),
        ("gender", False, gettext_lazy("f, m, x or empty")),
        ("capacity", True, gettext_lazy("1, 2 or 3")),
        ("available_from", False, gettext_lazy("a date such as 25-01-2027")),
        ("available_until", False, gettext_lazy("a date such as 25-01-2027, today or later")),
        ("consent_by", False, gettext_lazy("parent or guardian (peers), self (staff, volunteers)")),
        ("trained_on", False, gettext_lazy("a date such as 25-01-2027")),
    ],
}

EXAMPLES = {
    ImportKind.PUPILS: [
        "01ZK",
        "Amira",
        "H",
        "2014",
        "6",
        "11-01-2027",
        "ar",
        "en",
        "football;drawing",
        "f",
        "f",
        "parent",
    ],
    ImportKind.BUDDIES: [
        "01ZK",
        "peer",
        "Lotte",
        "J",
        "6",
        "nl;en",
        "football",
        "f",
        "2",
        "",
        "",
        "parent",
        "",
    ],
}


def template_rows(kind: str) -> list[list[str]]:
    """The header and one example row: the downloadable template."""
    return [[name for name, _req, _help in COLUMNS[kind]], EXAMPLES[ImportKind(kind)]]


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


class ImportInvalid(ServiceError):
    """The file has problems; ``rows`` lists them all. Nothing was written."""

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(
            ngettext(
                "The file has %(n)s problem; nothing was imported.",
                "The file has %(n)s problems; nothing was imported.",
                len(rows),
            )
            % {"n": len(rows)},
            code="invalid_rows",
            field="file",
        )
        self.rows = rows


@dataclass
class Parsed:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def read_upload(upload: Any) -> str:
    if upload is None:
        raise ServiceError(_("Choose a CSV file."), field="file")
    if upload.size > settings.MAX_UPLOAD_BYTES:
        limit = filesizeformat(settings.MAX_UPLOAD_BYTES)
        raise ServiceError(_("The file is too large: at most %(limit)s.") % {"limit": limit}, field="file")
    try:
        return csvimport.decode(upload.read())
    except csvimport.UnreadableFile:
        raise ServiceError(_("Save the file as CSV (UTF-8 or Windows)."), field="file") from None


class _Row:
    """Field readers for one row that collect errors instead of raising."""

    def __init__(self, number: int, raw: dict[str, str], errors: list[RowError], today: date) -> None:
        self.number, self.raw, self.errors, self.today = number, raw, errors, today

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, name, message))

    def text(self, name: str, required: bool = True, max_length: int = 50) -> str:
        value = (self.raw.get(name) or "").strip()
        if required and not value:
            self.error(name, _("This field is required."))
        elif len(value) > max_length:
            self.error(name, _("At most %(n)s characters.") % {"n": max_length})
        return value

    def integer(self, name: str, low: int, high: int, required: bool = True) -> int | None:
        value = (self.raw.get(name) or "").strip()
        if not value:
            if required:
                self.error(name, _("This field is required."))
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            self.error(name, _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
            return None
        return int(value)

    def day(self, name: str, required: bool = False, future: bool = False) -> date | None:
        value = (self.raw.get(name) or "").strip()
        if not value:
            if required:
                self.error(name, _("This field is required."))
            return None
        day = parse_date(value)
        if day is None:
            self.error(name, _("Give a date such as 25-01-2027."))
            return None
        if future and day < self.today:
            self.error(name, _("This date is in the past."))
        return day

    def codes(self, name: str, required: bool = False) -> list[str]:
        raw = _split(self.raw.get(name) or "")
        try:
            codes = languages.validate_codes(raw)
        except ValueError as exc:
            self.error(name, _("Unknown language code: %(code)s.") % {"code": exc.args[0]})
            return []
        if required and not codes:
            self.error(name, _("This field is required."))
        return codes

    def choice(self, name: str, choices: list[str]) -> str:
        value = (self.raw.get(name) or "").strip().lower()
        if value and value not in choices:
            self.error(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
            return ""
        return value


def _header_errors(kind: str, header: list[str]) -> list[RowError]:
    """Unknown and missing columns, or an empty file: reported on row 1."""
    known = {name for name, _r, _h in COLUMNS[kind]}
    required = {name for name, req, _h in COLUMNS[kind] if req}
    unknown = [h for h in header if h not in known]
    missing = sorted(required - set(header))
    errors = []
    if unknown:
        errors.append(RowError(1, "", _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)}))
    if missing:
        errors.append(RowError(1, "", _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}))
    if not header:
        errors.append(RowError(1, "", _("The file is empty.")))
    return errors


def _schools_in_reach(user: User, raw_rows: list[dict[str, str]]) -> dict[str, Organisation]:
    """The schools the file names (by BRIN code or id) where the user manages pupils, under both keys."""
    refs = {r.get("school", "").strip() for r in raw_rows}
    ids = [int(ref) for ref in refs if ref.isdigit()]
    reach = scoping.reach(user, Capability.MANAGE_PUPILS)
    schools: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(kind=OrganisationKind.SCHOOL).filter(
        brin__in=[r for r in refs if r]
    ) | Organisation.objects.filter(kind=OrganisationKind.SCHOOL, pk__in=ids):
        if reach.contains(org):
            schools[org.brin] = org
            schools[str(org.pk)] = org
    return schools


def _common_values(
    row: _Row, schools: dict[str, Organisation], interests: dict[str, Interest]
) -> dict[str, Any]:
    """The fields pupils and buddies share: school, name, interests, gender."""
    ref = row.raw.get("school", "").strip()
    school = schools.get(ref)
    if school is None:
        row.error(
            "school", _("School %(ref)s does not exist or is outside your reach.") % {"ref": ref or "-"}
        )
    codes = _split(row.raw.get("interests") or "")
    bad = [c for c in codes if c not in interests]
    if bad:
        row.error("interests", _("Unknown interests: %(codes)s.") % {"codes": ", ".join(bad)})
    return {
        "school": school,
        "first_name": row.text("first_name"),
        "last_initial": row.text("last_initial", max_length=3),
        "interests": [interests[c] for c in codes if c in interests],
        "gender": row.choice("gender", Gender.values),
    }


def _pupil_values(row: _Row, values: dict[str, Any]) -> tuple[object, ...]:
    """Add a pupil's own fields to ``values``; the key that makes two rows the same pupil."""
    today, school = row.today, values["school"]
    values |= {
        "birth_year": row.integer("birth_year", today.year - 20, today.year),
        "grade": row.integer("grade", 1, 8),
        "transition_date": row.day("transition_date", required=True, future=True),
        "home_languages": row.codes("home_languages", required=True),
        "other_languages": row.codes("other_languages"),
        "buddy_gender_preference": row.choice("buddy_gender_preference", Gender.values),
        "consent_by": row.choice("consent_by", ConsentBy.values),
    }
    if school and values["grade"] and values["grade"] > (8 if school.stage == "primary" else 6):
        row.error("grade", _("Grade must be between 1 and %(n)s for this stage.") % {"n": 6})
    ref = row.raw.get("school", "").strip()
    return (ref, values["first_name"].lower(), values["last_initial"].lower(), values["birth_year"])


def _buddy_values(row: _Row, values: dict[str, Any]) -> tuple[object, ...]:
    """Add a buddy's own fields to ``values``; the key that makes two rows the same buddy."""
    values |= {
        "kind": row.choice("kind", BuddyKind.values) or None,
        "grade": row.integer("grade", 1, 8, required=False),
        "languages": row.codes("languages", required=True),
        "capacity": row.integer("capacity", 1, 3),
        "available_from": row.day("available_from"),
        "available_until": row.day("available_until", future=True),
        "consent_by": row.choice("consent_by", BuddyConsentBy.values),
        "trained_on": row.day("trained_on"),
    }
    try:
        check_buddy_consent(values["kind"], values["consent_by"])
    except ServiceError as exc:
        row.error(exc.field or "", exc.message)
    if not values["kind"]:
        row.error("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(BuddyKind.values)})
    elif values["kind"] == BuddyKind.PEER and not values["grade"]:
        row.error("grade", _("A peer buddy needs a grade."))
    if (
        values["available_from"]
        and values["available_until"]
        and values["available_until"] < values["available_from"]
    ):
        row.error("available_until", _("Available until must be on or after available from."))
    ref = row.raw.get("school", "").strip()
    return (ref, values["kind"], values["first_name"].lower(), values["last_initial"].lower())


def parse(user: User, kind: str, text: str, today: date | None = None) -> Parsed:
    """Validate the whole file: header, every row, schools in reach, interests, duplicates.

    Queries: schools named in the file, interests, existing records with the same keys (3 in all)."""
    today = today or timezone.localdate()
    parsed = Parsed(kind)
    header, reader = csvimport.dict_rows(text)
    parsed.errors = _header_errors(kind, header)
    if parsed.errors:
        return parsed
    raw_rows = list(reader)
    if not raw_rows:
        parsed.errors.append(RowError(1, "", _("The file has no rows.")))
        return parsed
    schools = _schools_in_reach(user, raw_rows)
    interests = {i.code: i for i in Interest.objects.all()}
    own_values = _pupil_values if kind == ImportKind.PUPILS else _buddy_values
    seen: dict[tuple[object, ...], int] = {}
    for number, raw in enumerate(raw_rows, start=2):
        row = _Row(number, raw, parsed.errors, today)
        values = _common_values(row, schools, interests)
        key = own_values(row, values)
        if key in seen:
            row.error("", _("Duplicate of row %(n)s.") % {"n": seen[key]})
        else:
            seen[key] = number
        values["_row"] = number
        parsed.rows.append(values)
    parsed.errors.sort(key=lambda e: (e.row, e.field))
    return parsed
