from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core.views import healthz

# The admin logs in through allauth: the same rate limits, second factor and enumeration protection.
# allauth's documented way is to replace the bound method on the site, which mypy refuses for any method.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Overstap"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("api.urls")),
    path("courses/", include("courses.urls")),
    path("matching/", include("matching.urls")),
    path("caseloads/", include("caseloads.urls")),
    path("ouders/", include("parents.urls")),
    path("placement/", include("placement.urls")),
    path("", include("accounts.urls")),
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
