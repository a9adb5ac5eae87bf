from django.urls import path

from estate import views

app_name = "estate"
urlpatterns = [
    path("communities/", views.community_list, name="community_list"),
    path("communities/new/", views.community_create, name="community_create"),
    path("communities/<int:pk>/", views.community_detail, name="community_detail"),
    path("communities/<int:pk>/edit/", views.community_edit, name="community_edit"),
    path("communities/<int:pk>/units/new/", views.unit_create, name="unit_create"),
    path("communities/<int:pk>/roster/", views.roster_import, name="roster_import"),
    path("communities/<int:pk>/roster/export/", views.roster_export, name="roster_export"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path(
        "people/<int:pk>/phones/reveal/",
        views.person_phones_reveal,
        name="person_phones_reveal",
    ),
    path("roster/", views.roster_index, name="roster_index"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
]
