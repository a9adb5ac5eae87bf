"""Staff UI for tickets."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tickets import selectors


def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return render(request, "tickets/detail.html", {"ticket": ticket})
