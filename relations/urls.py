"""Staff pages of owner relations; included at "relations/" (namespace relations)."""

from django.urls import path

from relations import views

app_name = "relations"
urlpatterns = [
    path("", views.index, name="index"),
    path("quotas/", views.quotas, name="quotas"),
    path("attitudes/", views.attitudes, name="attitudes"),
    path("attitudes/<int:person_id>/confirm/", views.attitude_confirm, name="attitude_confirm"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/open/", views.survey_open, name="survey_open"),
    path("surveys/<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path(
        "surveys/<int:survey_id>/invitations/<int:invitation_id>/answer/",
        views.survey_answer,
        name="survey_answer",
    ),
]
