"""The navigation registry: each app registers its entries in ``AppConfig.ready`` with the capability
that unlocks them, so the menu shows each role exactly what it may use."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capabilities: frozenset[str]  # any of these unlocks the entry; empty: every signed-in user
    order: int = 100


_ITEMS: list[NavItem] = []


def register(label: str | Promise, url_name: str, *capabilities: str, order: int = 100) -> None:
    if not any(item.url_name == url_name for item in _ITEMS):
        _ITEMS.append(NavItem(label, url_name, frozenset(capabilities), order))


def items_for(granted: frozenset[str], current_path: str) -> list[dict[str, object]]:
    visible = [
        i for i in sorted(_ITEMS, key=lambda i: i.order) if not i.capabilities or i.capabilities & granted
    ]
    result = []
    for item in visible:
        url = reverse(item.url_name)
        active = current_path == url or (url != "/" and current_path.startswith(url))
        result.append({"label": item.label, "url": url, "active": active})
    return result
