"""API for the caseloads domain: support requests, allocation, cases, visits, transfers, supporters' workload.

Every queryset comes from ``caseloads.reach`` (a wrong id answers 404); every write calls one service, whose
``ServiceError`` becomes the one JSON error shape (``api/errors.py``).
"""

from rest_framework.routers import BaseRouter

from api.caseloads.cases import CaseViewSet, TransferViewSet, VisitViewSet
from api.caseloads.requests import SupportRequestViewSet
from api.caseloads.supporters import SupporterViewSet

urlpatterns: list[object] = []

__all__ = [
    "CaseViewSet",
    "SupportRequestViewSet",
    "SupporterViewSet",
    "TransferViewSet",
    "VisitViewSet",
    "register",
    "urlpatterns",
]


def register(router: BaseRouter) -> None:
    """Add this domain's viewsets to the v1 router."""
    router.register("support-requests", SupportRequestViewSet, basename="support-request")
    router.register("cases", CaseViewSet, basename="case")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("transfers", TransferViewSet, basename="transfer")
    router.register("supporters", SupporterViewSet, basename="supporter")
