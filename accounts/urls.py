from django.urls import path

from accounts import views, views_grants

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("grants/", views_grants.grant_list, name="grant_list"),
    path("grants/log/", views_grants.grant_log, name="grant_log"),
    path("grants/log.csv", views_grants.grant_log_csv, name="grant_log_csv"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
