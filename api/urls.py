"""The API: /api/v1/ with one module per domain; each domain module adds its routes to the router."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import accounts
from api.permissions import enforce_defaults

router = DefaultRouter()
router.register("organisations", accounts.OrganisationViewSet, basename="organisation")
router.register("memberships", accounts.MembershipViewSet, basename="membership")
router.register("invitations", accounts.InvitationViewSet, basename="invitation")

extra_v1: list = [
    path("auth/token/", accounts.TokenView.as_view(), name="api-token"),
    path("me/", accounts.MeView.as_view(), name="api-me"),
]

# Domain modules: each defines ``register(router)`` and optionally ``urlpatterns``.
for name in ("courses", "pupils", "matching", "caseloads", "grants", "placement"):
    module = import_module(f"api.{name}")
    module.register(router)
    extra_v1 += getattr(module, "urlpatterns", [])

v1 = [*extra_v1, *router.urls]
enforce_defaults(v1)  # refuses to start when a view could answer without sign-in and second factor

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
