from django.urls import path

from courses import urls_flow, views, views_changes, views_organise, views_records

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("modules/<int:pk>/", views.module_detail, name="module_detail"),
    path("modules/<int:pk>/interest/", views.interest, name="interest"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
    path("editions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("editions/<int:pk>/reserve/", views.reserve, name="reserve"),
    path("enrolments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("enrolments/<int:pk>/offer/", views.offer, name="offer"),
    path("enrolments/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("mine/", views.my_courses, name="my_courses"),
    path("mine/record/", views.pd_record, name="pd_record"),
    path("mine/feed/reset/", views.reset_feed, name="reset_feed"),
    path("feed/<str:token>.ics", views.ical_feed, name="ical_feed"),
    path("check-in/", views.check_in, name="check_in"),
    path("certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("team/", views.school_enrolments, name="school_enrolments"),
    path("team/enrolments/<int:pk>/decide/", views.decide, name="decide"),
    path("team/reservations/<int:pk>/name/", views.name_teacher, name="name_teacher"),
    path("team/reservations/<int:pk>/release/", views.release_reservation, name="release_reservation"),
    path("trajectories/", views.trajectory_list, name="trajectory_list"),
    path("trajectories/<int:pk>/", views.trajectory_detail, name="trajectory_detail"),
    path("trajectories/participants/<int:pk>/plan/", views.participant_plan, name="participant_plan"),
    path("organise/", views_organise.organise, name="organise"),
    path("organise/modules/new/", views_organise.module_create, name="module_create"),
    path("organise/modules/<int:pk>/editions/new/", views_organise.edition_create, name="edition_create"),
    path("organise/editions/<int:pk>/", views_organise.edition_manage, name="edition_manage"),
    path("organise/editions/<int:pk>/edit/", views_organise.edition_edit, name="edition_edit"),
    path("organise/editions/<int:pk>/meetings/", views_organise.meeting_add, name="meeting_add"),
    path("organise/editions/<int:pk>/publish/", views_organise.publish, name="publish"),
    path("organise/editions/<int:pk>/capacity/", views_organise.capacity, name="capacity"),
    path("organise/editions/<int:pk>/cancel/", views_organise.cancel_edition, name="cancel_edition"),
    path("organise/editions/<int:pk>/complete/", views_organise.complete, name="complete"),
    path(
        "organise/editions/<int:pk>/participants.csv",
        views_organise.participants_csv,
        name="participants_csv",
    ),
    path("organise/meetings/<int:pk>/attendance/", views_organise.attendance, name="attendance"),
    path(
        "organise/participants/<int:pk>/complete/",
        views_organise.complete_participant,
        name="complete_participant",
    ),
    # Issue 15: changing what was published, follow-up and records.
    path("organise/modules/<int:pk>/edit/", views_changes.module_edit, name="module_edit"),
    path("organise/meetings/<int:pk>/edit/", views_changes.meeting_edit, name="meeting_edit"),
    path("organise/meetings/<int:pk>/remove/", views_changes.meeting_cancel, name="meeting_cancel"),
    path("organise/meetings/<int:pk>/sign-in.pdf", views_records.signin_sheet, name="signin_sheet"),
    path(
        "organise/editions/<int:pk>/evaluations/",
        views_records.evaluation_results,
        name="evaluation_results",
    ),
    path("mine/record.pdf", views_records.pd_record_pdf, name="pd_record_pdf"),
]
urlpatterns += urls_flow.urlpatterns
