from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
]
