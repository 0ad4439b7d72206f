"""What a validated CSV file would change: each row is new, an update of a record already held (same
school and name, and birth year for pupils or kind for buddies), or unchanged. The dry run shows this
plan; the "update existing" mode carries it out through the owners' verbs."""

from dataclasses import dataclass, field
from typing import Any

from accounts import scoping
from accounts.http import Viewer
from accounts.roles import Capability
from matching.models import Buddy, ImportKind
from pupils.languages import LANGUAGE_CHOICES
from pupils.models import Interest, Pupil

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
#: List fields compared as sets: nothing reads their order.
_SETS = {"home_languages", "other_languages", "languages"}


@dataclass
class RowPlan:
    row: int
    action: str
    changes: list[str] = field(default_factory=list)
    record: Pupil | Buddy | None = None


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)


def key(kind: str, school_id: int | None, values: dict[str, Any]) -> tuple[object, ...]:
    if kind == ImportKind.PUPILS:
        return (school_id, values["first_name"], values["last_initial"], values["birth_year"])
    return (school_id, values["kind"], values["first_name"], values["last_initial"])


def existing(kind: str, rows: list[dict[str, Any]]) -> dict[tuple[object, ...], Pupil | Buddy]:
    """Records already held with the same keys as the rows; one query plus one for their interests."""
    model = Pupil if kind == ImportKind.PUPILS else Buddy
    school_ids = {r["school"].pk for r in rows if r["school"] is not None}
    records = model.objects.filter(school_id__in=school_ids, anonymised_at__isnull=True).prefetch_related(
        "interests"
    )
    return {key(kind, obj.school_id, obj.__dict__): obj for obj in records}


def _same(name: str, held: Any, new: Any) -> bool:
    if name in _SETS:
        return sorted(held or []) == sorted(new or [])
    return (held if held is not None else "") == (new if new is not None else "")


def changes(record: Pupil | Buddy, values: dict[str, Any]) -> list[str]:
    """The columns whose value in the file differs from the record's."""
    changed = []
    for name, new in values.items():
        if name == "_row":
            continue
        if name == "interests":
            if {i.pk for i in record.interests.all()} != {i.pk for i in new}:
                changed.append(name)
        elif name == "school":
            if new is not None and new.pk != record.school_id:
                changed.append(name)
        elif name == "grade" and getattr(record, "kind", None) not in (None, "peer"):
            continue  # staff and volunteers hold no grade, whatever the file says
        elif not _same(name, getattr(record, name), new):
            changed.append(name)
    return changed


def plan(kind: str, rows: list[dict[str, Any]]) -> Plan:
    held = existing(kind, rows)
    result = Plan()
    for values in rows:
        record = held.get(key(kind, values["school"].pk if values["school"] else None, values))
        if record is None:
            result.rows.append(RowPlan(values["_row"], CREATE))
            continue
        diff = changes(record, values)
        result.rows.append(RowPlan(values["_row"], UPDATE if diff else UNCHANGED, diff, record))
    return result


def import_reference(user: Viewer, kind: str) -> dict[str, Any]:
    """What the import page shows next to the columns: the values to use, from this user's reach."""
    from matching.services.import_rows import COLUMNS

    schools = scoping.organisations_of_kind(user, Capability.MANAGE_PUPILS, ["school"]).order_by("name")
    return {
        "columns": COLUMNS[kind],
        "schools": list(schools.values("pk", "name", "brin")),
        "interests": list(Interest.objects.order_by("code")),
        "languages": LANGUAGE_CHOICES,
    }
