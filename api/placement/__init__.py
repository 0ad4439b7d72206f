"""API for the newcomer register: locations, groups, reports, placement runs, placements with their verbs."""

from rest_framework.routers import BaseRouter

from api.placement import views

urlpatterns: list = []


def register(router: BaseRouter) -> None:
    router.register("placement/locations", views.LocationViewSet, basename="placement-location")
    router.register("placement/groups", views.GroupViewSet, basename="placement-group")
    router.register("placement/reports", views.ReportViewSet, basename="placement-report")
    router.register("placement/runs", views.RunViewSet, basename="placement-run")
    router.register("placement/placements", views.PlacementViewSet, basename="placement-placement")
