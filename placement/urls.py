from django.urls import path

from placement import views, views_admin, views_offer

app_name = "placement"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report_create, name="report_create"),
    path("children/<int:pk>/", views.report_detail, name="report_detail"),
    path("children/<int:pk>/export/", views.report_export, name="report_export"),
    path("children/<int:pk>/place/", views.report_action, {"verb": "place"}, name="report_place"),
    path("children/<int:pk>/interim/", views.report_action, {"verb": "interim"}, name="report_interim"),
    path("children/<int:pk>/erase/", views.report_action, {"verb": "erase"}, name="report_erase"),
    path("placements/<int:pk>/approve/", views.placement_action, {"verb": "approve"}, name="approve"),
    path("placements/<int:pk>/reject/", views.placement_action, {"verb": "reject"}, name="reject"),
    path("placements/<int:pk>/start/", views.placement_action, {"verb": "start"}, name="start"),
    path("placements/<int:pk>/progress/", views.placement_action, {"verb": "progress"}, name="progress"),
    path("placements/<int:pk>/outflow/", views.placement_action, {"verb": "outflow"}, name="outflow"),
    path("placements/<int:pk>/confirm/", views.placement_action, {"verb": "confirm"}, name="confirm"),
    path("placements/<int:pk>/offer/", views_offer.send, name="offer_send"),
    path("offers/<int:pk>/letter.pdf", views_offer.letter, name="offer_letter"),
    path("offers/<int:pk>/answer/", views_offer.answer, name="offer_answer"),
    path("groups/", views_admin.group_list, name="group_list"),
    path("groups/<int:pk>/", views_admin.group_edit, name="group_edit"),
    path("runs/", views_admin.run_list, name="run_list"),
    path("runs/<int:pk>/", views_admin.run_detail, name="run_detail"),
    path("runs/<int:pk>/approve-all/", views_admin.run_approve_all, name="run_approve_all"),
    path("figures/", views_admin.figures_page, name="figures"),
    path("figures/bezetting.csv", views_admin.figures_csv, name="figures_csv"),
]
