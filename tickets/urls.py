from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("export.xlsx", views.ticket_export, name="export"),
    path("filters/", views.saved_filter_create, name="filter_create"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="filter_delete"),
    path("new/", views.ticket_create, name="create"),
    path("new/lookup/", views.ticket_create_lookup, name="create_lookup"),
    # Services link here in their notices: keep the name and the path.
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("<int:ticket_id>/act/<str:action>/", views.ticket_act, name="act"),
]
