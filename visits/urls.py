"""Staff pages of return visits; included at "visits/" (namespace visits)."""

from django.urls import path

from visits import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("sheets.pdf", views.visit_sheets_pdf, name="sheets_pdf"),
    path("plan/", views.visit_plan, name="plan"),
    path("<int:visit_id>/", views.visit_detail, name="detail"),
    path("<int:visit_id>/record/", views.visit_record, name="record"),
    path("<int:visit_id>/correct/", views.visit_correct, name="correct"),
    path("<int:visit_id>/send-code/", views.visit_send_code, name="send_code"),
    path("<int:visit_id>/assign/", views.visit_assign, name="assign"),
    path("<int:visit_id>/sheet.pdf", views.visit_sheet_pdf, name="sheet_pdf"),
    path(
        "<int:visit_id>/records/<int:version>/signature.png",
        views.visit_signature,
        name="signature",
    ),
]
