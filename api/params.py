"""Query and path parameters, read the same way by every viewset: ids that fit a bigint (anything else is a
wrong id: 404 for a detail route, no match for a filter) and months as ``YYYY-MM``."""

from datetime import date

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from core.errors import ServiceError

MAX_ID = 2**63 - 1  # bigint


def id_or_none(value: str | None) -> int | None:
    """``value`` as an id, or None when it is not one (not digits, or past a bigint)."""
    value = str(value or "")
    return int(value) if value.isdigit() and int(value) <= MAX_ID else None


def pk_or_404(pk: str) -> int:
    """A detail route's id; anything but a bigint is a wrong id: 404, as for an id out of reach."""
    value = id_or_none(pk)
    if value is None:
        raise NotFound()
    return value


def int_param(request: Request, name: str) -> int | None:
    """An id filter from the query string; None (no filter) when absent or not an id."""
    return id_or_none(request.query_params.get(name, ""))


def month_param(request: Request, name: str = "month") -> date | None:
    """The first day of the ``YYYY-MM`` month in the query string; None when absent; a field error (400)
    when it cannot be read."""
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    try:
        return date(int(raw[:4]), int(raw[5:7]), 1)
    except ValueError:
        raise ServiceError(_("Give the month as YYYY-MM."), field=name) from None
