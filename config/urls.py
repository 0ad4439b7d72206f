from django.contrib import admin
from django.urls import include, path

from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("api.urls")),
    path("courses/", include("courses.urls")),
    path("matching/", include("matching.urls")),
    path("caseloads/", include("caseloads.urls")),
    path("", include("accounts.urls")),
]
