"""Ticket pieces other apps' pages show: a person's contact history.

A template tag, so estate (which tickets build on) needs no import of tickets.
"""

from django import template

from tickets.models import Ticket
from tickets.policies import visible

register = template.Library()

HISTORY_LENGTH = 20


@register.inclusion_tag("tickets/_contact_history.html", takes_context=True)
def contact_history(context, person):
    """The person's latest requests (every channel, every state) the user may see."""
    user = context["request"].user
    rows = list(
        visible(user, Ticket.objects.filter(person=person))
        .select_related("unit", "assignee", "department")
        .order_by("-received_at", "-id")[: HISTORY_LENGTH + 1]
    )
    return {
        "tickets": rows[:HISTORY_LENGTH],
        "more": len(rows) > HISTORY_LENGTH,
        "length": HISTORY_LENGTH,
    }
