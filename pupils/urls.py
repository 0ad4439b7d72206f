"""Included by ``matching.urls`` under ``/matching/pupils/`` (names in the ``matching`` namespace)."""

from django.urls import path

from pupils import views

urlpatterns = [
    path("", views.pupil_list, name="pupil_list"),
    path("new/", views.pupil_form, name="pupil_create"),
    path("<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("<int:pk>/edit/", views.pupil_form, name="pupil_edit"),
    path("<int:pk>/erase/", views.pupil_erase, name="pupil_erase"),
    path("access-log/", views.access_log, name="access_log"),
]
