from django.urls import include, path

from matching import views, views_review, views_runs

app_name = "matching"
urlpatterns = [
    path("pupils/", include("pupils.urls")),
    path("pupils/<int:pk>/export/", views.pupil_export, name="pupil_export"),
    path("buddies/", views.buddy_list, name="buddy_list"),
    path("buddies/new/", views.buddy_form, name="buddy_create"),
    path("buddies/<int:pk>/edit/", views.buddy_form, name="buddy_edit"),
    path("buddies/<int:pk>/consent/", views.buddy_ask_consent, name="buddy_ask_consent"),
    path("import/<str:kind>/", views.import_page, name="import"),
    path("import/<str:kind>/template.csv", views.import_template, name="import_template"),
    path("import-jobs/<int:pk>/", views.import_job, name="import_job"),
    path("import-jobs/<int:pk>/progress.json", views.import_job_progress, name="import_job_progress"),
    path("runs/", views_runs.run_list, name="run_list"),
    path("runs/<int:pk>/", views_runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress.json", views_runs.run_progress, name="run_progress"),
    path("matches/", views_runs.match_list, name="match_list"),
    path("matches/approve/", views_review.bulk_approve, name="bulk_approve"),
    path("matches/<int:pk>/", views_review.match_detail, name="match_detail"),
    path("reports/", views_runs.report, name="report"),
]
