from django.urls import path

from caseloads import views, views_allocation, views_cases, views_requests

app_name = "caseloads"
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/", views_requests.request_list, name="request_list"),
    path("requests/new/", views_requests.request_create, name="request_create"),
    path("requests/allocate-open/", views_allocation.allocate_open, name="allocate_open"),
    path(
        "requests/allocation-runs/<int:pk>/progress/",
        views_allocation.run_progress,
        name="allocation_run_progress",
    ),
    path("requests/<int:pk>/", views_requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/allocate/", views_requests.request_allocate, name="request_allocate"),
    path("requests/<int:pk>/triage/", views_requests.request_triage, name="request_triage"),
    path("requests/<int:pk>/decline/", views_requests.request_decline, name="request_decline"),
    path("cases/", views_cases.case_list, name="case_list"),
    path("cases/<int:pk>/", views_cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views_cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/status/", views_cases.case_status, name="case_status"),
    path("cases/<int:pk>/transfer/", views_cases.case_transfer, name="case_transfer"),
    path("cases/<int:pk>/share/", views_cases.case_share, name="case_share"),
    path("cases/<int:pk>/visits/new/", views_cases.visit_create, name="visit_create"),
    path("cases/<int:pk>/visits/<int:visit_pk>/done/", views_cases.visit_done, name="visit_done"),
    path("cases/<int:pk>/steps/<int:step_pk>/done/", views_cases.step_done, name="step_done"),
    path("transfers/<int:pk>/answer/", views_cases.transfer_answer, name="transfer_answer"),
    path("my/", views.my_dashboard, name="my_dashboard"),
    path("region/", views.region_dashboard, name="region_dashboard"),
    path("region/report.csv", views.region_report_csv, name="region_report_csv"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("supporters/<int:user_id>/profile/", views.supporter_profile_edit, name="supporter_profile_edit"),
]
