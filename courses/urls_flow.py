"""Routes of the series, waitlist-control, approval and theme-alert pages (issue 15), in the courses
namespace."""

from django.urls import path

from courses import views_approvals, views_mine, views_series, views_waitlist

urlpatterns = [
    path("organise/modules/<int:pk>/series/new/", views_series.series_create, name="series_create"),
    path("organise/series/<int:pk>/", views_series.series_detail, name="series_detail"),
    path("organise/series/<int:pk>/edit/", views_series.series_edit, name="series_edit"),
    path("organise/series/<int:pk>/publish/", views_series.series_publish, name="series_publish"),
    path("organise/editions/<int:pk>/waitlist/", views_waitlist.waitlist, name="waitlist"),
    path(
        "organise/editions/<int:pk>/school-limit/", views_waitlist.school_seat_limit, name="school_seat_limit"
    ),
    path("organise/enrolments/<int:pk>/move/", views_waitlist.waitlist_move, name="waitlist_move"),
    path("organise/enrolments/<int:pk>/offer-seat/", views_waitlist.waitlist_offer, name="waitlist_offer"),
    path("approvals/", views_approvals.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views_approvals.approval_decide, name="approval_decide"),
    path("approvals/absences/new/", views_approvals.absence_add, name="absence_add"),
    path("approvals/absences/<int:pk>/end/", views_approvals.absence_end, name="absence_end"),
    path("mine/themes/", views_mine.theme_alerts, name="theme_alerts"),
]
