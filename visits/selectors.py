"""Reads for return visits. State is computed from timestamps at query time:
done (recorded), overdue (not done after due_by), due (window open), upcoming."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from org.models import User
from visits.models import ReturnVisit
from visits.policies import visible

STATES = ("due", "done", "overdue", "upcoming")


def state_q(state: str, now: datetime) -> Q:
    if state == "done":
        return Q(done_at__isnull=False)
    if state == "overdue":
        return Q(done_at__isnull=True, due_by__lt=now)
    if state == "upcoming":
        return Q(done_at__isnull=True, due_from__gt=now)
    # due: not done and not overdue (API.md: "due|done|overdue")
    return Q(done_at__isnull=True, due_by__gte=now)


def state_of(visit: ReturnVisit, now: datetime) -> str:
    if visit.done_at is not None:
        return "done"
    if visit.due_by < now:
        return "overdue"
    return "due"


def visit_list(
    *,
    user: User,
    state: str | None = None,
    community: int | None = None,
    building: int | None = None,
    assignee: int | None = None,
    unattended: bool = False,
    ticket: int | None = None,
    now: datetime | None = None,
) -> QuerySet[ReturnVisit]:
    """Visits the user may see. `unattended`: nobody will make them — no visitor (the
    office had no customer-service staff), or one who has left."""
    now = now or timezone.now()
    qs = visible(
        user, ReturnVisit.objects.select_related("ticket", "person", "unit", "rule", "assignee")
    )
    if state:
        qs = qs.filter(state_q(state, now))
    if community is not None:
        qs = qs.filter(Q(unit__community_id=community) | Q(ticket__community_id=community))
    if building is not None:
        qs = qs.filter(unit__building_id=building)
    if assignee is not None:
        qs = qs.filter(assignee_id=assignee)
    if unattended:
        qs = qs.filter(Q(assignee__isnull=True) | Q(assignee__is_active=False))
    if ticket is not None:
        qs = qs.filter(ticket_id=ticket)
    return qs


def visit_get(*, user: User, visit_id: int) -> ReturnVisit | None:
    return (
        visit_list(user=user)
        .prefetch_related("records__recorded_by", "events__actor")
        .filter(id=visit_id)
        .first()
    )
