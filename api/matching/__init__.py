"""API for buddy matching: buddies, CSV imports, match runs, matches and check-ins (pupils: ``api.pupils``)."""

from api.matching.views import register, urlpatterns

__all__ = ["register", "urlpatterns"]
