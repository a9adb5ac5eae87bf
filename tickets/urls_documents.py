"""A ticket's documents in the staff UI; included at "tickets/docs/" (namespace ticket_docs)."""

from django.urls import path

from tickets import views_documents as views

app_name = "ticket_docs"
urlpatterns = [
    path("<int:ticket_id>/", views.panel, name="panel"),
    path("<int:ticket_id>/liaison/", views.liaison_issue, name="liaison_issue"),
    path("<int:ticket_id>/liaison/progress/", views.liaison_progress, name="liaison_progress"),
    path("<int:ticket_id>/liaison/accept/", views.liaison_accept, name="liaison_accept"),
    path("<int:ticket_id>/liaison.pdf", views.liaison_pdf, name="liaison_pdf"),
    path("<int:ticket_id>/quote/", views.quote_create, name="quote_create"),
    path("<int:ticket_id>/quote/accept/", views.quote_accept, name="quote_accept"),
    path("<int:ticket_id>/quote/pay/", views.quote_pay, name="quote_pay"),
    path("<int:ticket_id>/quote/confirm/", views.quote_confirm, name="quote_confirm"),
    path("<int:ticket_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<int:ticket_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:attachment_id>/", views.attachment_file, name="attachment"),
    path("<int:ticket_id>/dispute-notice/", views.dispute_notice, name="dispute_notice"),
    path("<int:ticket_id>/dispute-notice.pdf", views.dispute_notice_pdf, name="dispute_notice_pdf"),
]
