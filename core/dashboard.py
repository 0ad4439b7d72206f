"""Dashboard panels: each app registers a panel (a template and a context function) with the capability
that unlocks it, so every role's dashboard shows its own work first."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict[str, object] | None]  # None: nothing to show
    capabilities: frozenset[str]
    order: int


_PANELS: list[Panel] = []


def register(
    template: str,
    context: Callable[[HttpRequest], dict[str, object] | None],
    *capabilities: str,
    order: int = 100,
) -> None:
    if not any(p.template == template for p in _PANELS):
        _PANELS.append(Panel(template, context, frozenset(capabilities), order))


def panels_for(request: HttpRequest, granted: frozenset[str]) -> list[dict[str, object]]:
    shown: list[dict[str, object]] = []
    for panel in sorted(_PANELS, key=lambda p: p.order):
        if panel.capabilities and not panel.capabilities & granted:
            continue
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
