"""API for the caseloads domain: ``serializers`` and ``views`` (with ``register(router)``)."""

from api.caseloads.views import register, urlpatterns

__all__ = ["register", "urlpatterns"]
