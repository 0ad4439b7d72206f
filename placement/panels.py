"""Dashboard panel for the placement officer: the waiting list at a glance."""

from django.http import HttpRequest

from placement import queries


def officer_panel(request: HttpRequest) -> dict[str, object] | None:
    return queries.officer_summary(request.user)
