from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/review/", views.review_save, name="review_save"),
    path("monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("monthly.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
]
