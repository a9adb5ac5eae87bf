from django.urls import path

from hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("extension/", views.extension_set, name="extension"),
    path("incoming/", views.incoming, name="incoming"),
    path("card/", views.card, name="card"),
    path("people/", views.people_search, name="people"),
    path("attach/", views.attach_number, name="attach"),
    path("suggest/", views.suggest_category, name="suggest"),
    path("scripts/", views.scripts_panel, name="scripts"),
    path("ticket/", views.desk_ticket_create, name="ticket_create"),
    path("calls/", views.call_list, name="calls"),
    path("calls/new/", views.call_log, name="call_log"),
    path("callbacks/", views.callback_list, name="callbacks"),
    path("callbacks/new/", views.callback_schedule, name="callback_schedule"),
    path("callbacks/<int:pk>/done/", views.callback_done, name="callback_done"),
    path("callbacks/<int:pk>/reveal/", views.callback_reveal, name="callback_reveal"),
    path("stats/", views.stats, name="stats"),
    path("kb/", views.kb_search, name="kb"),
    path("kb/panel/", views.kb_panel, name="kb_panel"),
    path("kb/new/", views.kb_create, name="kb_create"),
    # The "keep as an article" button of a resolved ticket posts here (ticket=<id>).
    path("kb/from-ticket/", views.kb_from_ticket, name="kb_from_ticket"),
    path("kb/<int:pk>/", views.kb_detail, name="kb_detail"),
    path("kb/<int:pk>/edit/", views.kb_edit, name="kb_edit"),
    path("kb/<int:pk>/helped/", views.kb_helped, name="kb_helped"),
]
