"""Rows a verb may touch, found within the acting user's reach; an id outside it is refused with
``core.errors.NotFound`` (404 in pages and API alike), never Django's ``Http404`` from domain code."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.roles import Capability
from core.errors import NotFound


def in_reach[M: Model](queryset: QuerySet[M], user: Viewer, capability: Capability, pk: int) -> M:
    """The row ``pk`` of ``queryset`` whose school lies in the user's reach for ``capability``."""
    try:
        return scoping.scope(queryset, user, capability, field="school").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found.")) from None  # DRF's wording and its translation, as before
