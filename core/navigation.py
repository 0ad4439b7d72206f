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
    urls = [reverse(item.url_name) for item in visible]
    # The entry whose address is the longest prefix of the current path is the current one (so
    # "/courses/organise/" does not also light up "/courses/").
    matching = [u for u in urls if current_path == u or (u != "/" and current_path.startswith(u))]
    current = max(matching, key=len, default=None)
    return [
        {"label": item.label, "url": url, "active": url == current}
        for item, url in zip(visible, urls, strict=True)
    ]
