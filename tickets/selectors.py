"""Reads for tickets; each starts from `policies.visible`.

Overdue and due-soon are computed from `due_at` at query time: no flag for a timer
to flip.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from org.models import User
from tickets.models import OPEN_STATUSES, Supervision, Ticket, TicketEvent, TicketParty
from tickets.policies import visible

DUE_SOON = timedelta(hours=4)


def _base(user: User) -> QuerySet[Ticket]:
    return visible(user, Ticket.objects.all()).select_related(
        "community", "unit", "person", "department", "assignee"
    )


def overdue_q(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, due_at__lt=now)


@dataclass
class TicketFilters:
    community: int | None = None
    building: int | None = None
    unit: int | None = None
    person: int | None = None
    status: str | None = None
    kind: str | None = None
    category: str | None = None
    channel: str | None = None
    department: int | None = None
    assignee: int | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    supervised: bool | None = None
    open: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""


def ticket_list(
    *, user: User, filters: TicketFilters | None = None, now: datetime | None = None
) -> QuerySet[Ticket]:
    f = filters or TicketFilters()
    now = now or timezone.now()
    qs = _base(user)
    exact = {
        "community_id": f.community,
        "unit__building_id": f.building,
        "unit_id": f.unit,
        "person_id": f.person,
        "status": f.status,
        "kind": f.kind,
        "category": f.category,
        "channel": f.channel,
        "department_id": f.department,
        "assignee_id": f.assignee,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v not in (None, "")})
    if f.open:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.overdue is True:
        qs = qs.filter(overdue_q(now))
    elif f.overdue is False:
        qs = qs.exclude(overdue_q(now))
    if f.due_soon:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + DUE_SOON)
    if f.supervised:
        qs = qs.filter(status__in=OPEN_STATUSES).filter(
            Exists(Supervision.objects.filter(ticket_id=OuterRef("pk"), due_at=OuterRef("due_at")))
        )
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.q:
        qs = qs.filter(
            Q(number__icontains=f.q) | Q(title__icontains=f.q) | Q(unit__number__startswith=f.q)
        )
    return qs


def ticket_get(*, user: User, ticket_id: int, for_page: bool = True) -> Ticket | None:
    """One visible ticket with its timeline and dispute parties. For its page, also the
    related rows it shows, its supervisions and attachments; the API answers with ids,
    so it reads the ticket's own row only (a third of a creation's time otherwise)."""
    events = Prefetch(
        "events", queryset=TicketEvent.objects.select_related("actor").order_by("at", "id")
    )
    if not for_page:
        qs = visible(user, Ticket.objects.all()).prefetch_related(events, "parties")
        return qs.filter(id=ticket_id).first()
    parties = Prefetch("parties", queryset=TicketParty.objects.select_related("person", "unit"))
    return (
        _base(user)
        .select_related("office", "created_by")
        .prefetch_related(events, parties, "supervisions", "attachments")
        .filter(id=ticket_id)
        .first()
    )


class ContactOut:
    """The short form of a ticket shown on a person's card."""

    @staticmethod
    def of(t: Ticket) -> dict:
        return {
            "id": t.id,
            "number": t.number,
            "kind": t.kind,
            "category": t.category,
            "title": t.title,
            "status": t.status,
            "received_at": t.received_at,
            "due_at": t.due_at,
        }


def person_card_extras(*, user: User, person_ids: list[int]) -> dict[int, dict]:
    """Per person: open tickets and the last five contacts (any state), newest first,
    visible to the user. One query whatever the number of people."""
    extras: dict[int, dict] = {
        pid: {"open_tickets": [], "recent_contacts": []} for pid in person_ids
    }
    if not person_ids:
        return extras
    rows = (
        visible(user, Ticket.objects.all())
        .filter(person_id__in=person_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("person_id")],
                order_by=[F("received_at").desc(), F("id").desc()],
            )
        )
        .filter(Q(rank__lte=5) | Q(status__in=OPEN_STATUSES))
        .order_by("person_id", "rank")
    )
    for t in rows:
        if t.status in OPEN_STATUSES:
            extras[t.person_id]["open_tickets"].append(ContactOut.of(t))
        if t.rank <= 5:
            extras[t.person_id]["recent_contacts"].append(ContactOut.of(t))
    return extras
