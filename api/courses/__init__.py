"""API for the courses domain: ``serializers`` and ``views`` (with ``register(router)``)."""

from api.courses.views import register, urlpatterns

__all__ = ["register", "urlpatterns"]
