"""Routes of ``views_flow`` (series, waitlist control, approvals, theme alerts), in the courses namespace."""

from django.urls import path

from courses import views_flow

urlpatterns = [
    path("organise/modules/<int:pk>/series/new/", views_flow.series_create, name="series_create"),
    path("organise/series/<int:pk>/", views_flow.series_detail, name="series_detail"),
    path("organise/series/<int:pk>/edit/", views_flow.series_edit, name="series_edit"),
    path("organise/series/<int:pk>/publish/", views_flow.series_publish, name="series_publish"),
    path("organise/editions/<int:pk>/waitlist/", views_flow.waitlist, name="waitlist"),
    path("organise/editions/<int:pk>/school-limit/", views_flow.school_seat_limit, name="school_seat_limit"),
    path("organise/enrolments/<int:pk>/move/", views_flow.waitlist_move, name="waitlist_move"),
    path("organise/enrolments/<int:pk>/offer-seat/", views_flow.waitlist_offer, name="waitlist_offer"),
    path("approvals/", views_flow.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views_flow.approval_decide, name="approval_decide"),
    path("approvals/absences/new/", views_flow.absence_add, name="absence_add"),
    path("approvals/absences/<int:pk>/end/", views_flow.absence_end, name="absence_end"),
    path("mine/themes/", views_flow.theme_alerts, name="theme_alerts"),
]
