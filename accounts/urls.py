from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
