from django.urls import path

from parents import views, views_consent, views_edit

app_name = "parents"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("taal/", views.set_language, name="set_language"),
    path("toestemming/<str:token>/", views_consent.answer, name="consent"),
    path("beheer/", views_edit.page_list, name="edit_list"),
    path("beheer/nieuw/", views_edit.page_create, name="create"),
    path("beheer/<int:pk>/", views_edit.page_edit, name="edit"),
    path("beheer/toestemming/<int:pk>/brief.pdf", views_edit.consent_letter, name="consent_letter"),
    path("beheer/brief/<int:pk>.pdf", views_edit.letter_pdf, name="letter_pdf"),
    path("beheer/<int:pk>/<str:lang>/", views_edit.translation_edit, name="translate"),
    path("<str:lang>/", views.municipalities, name="municipalities"),
    path("<str:lang>/<slug:slug>/", views.portal, name="portal"),
    path("<str:lang>/<slug:slug>/schoolpad/", views.school_path, name="timeline"),
    path("<str:lang>/<slug:slug>/<int:page_id>/", views.page, name="page"),
]
