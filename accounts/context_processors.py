from django.http import HttpRequest

from accounts import scoping
from core.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": items_for(frozenset(scoping.capabilities(user)), request.path)}
