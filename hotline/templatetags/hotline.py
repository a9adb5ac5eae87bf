"""Hotline pieces other apps' pages show: the knowledge-base button on a ticket.

A template tag, so the tickets app (which the hotline builds on) needs no import of it.
"""

from django import template

from hotline.policies import can
from tickets.models import Status

register = template.Library()


@register.inclusion_tag("hotline/_kb_from_ticket.html", takes_context=True)
def kb_from_ticket_button(context, ticket):
    """'Keep as a knowledge-base article' on a resolved ticket, for those who edit the KB."""
    user = context["request"].user
    shown = (
        ticket.status in (Status.RESOLVED, Status.CLOSED)
        and bool(ticket.resolution)
        and can(user, "edit_kb")
    )
    return {"shown": shown, "ticket": ticket, "csrf_token": context.get("csrf_token")}
