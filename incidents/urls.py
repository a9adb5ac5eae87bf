"""Staff pages of incidents; included at "incidents/" (namespace incidents)."""

from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list_view, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<int:incident_id>/", views.incident_detail, name="detail"),
    path("<int:incident_id>/end/", views.incident_end, name="end"),
]
