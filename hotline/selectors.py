"""Reads for the hotline desk: the caller's card, scripts, call-backs, call statistics."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from core import phones
from estate.models import Person, Unit
from estate.selectors import person_by_phone
from hotline.models import Call, CallBack, Script
from hotline.policies import visible
from incidents.selectors import open_incidents_at
from org.models import User
from tickets.selectors import person_card_extras


def caller_cards(*, user: User, number: str) -> list[Person]:
    """Everyone visible with this number (several people may share a phone), each with
    `card` = open tickets and last five contacts. Raises phones.InvalidPhone."""
    people = list(person_by_phone(user=user, number=number))
    extras = person_card_extras(user=user, person_ids=[p.id for p in people])
    for person in people:
        person.card = extras[person.id]
    return people


def incoming_for(*, user: User, since: datetime) -> Call | None:
    """The newest call still ringing for this agent's extension, or for nobody in
    particular in their offices, pushed after `since`."""
    qs = visible(
        user,
        Call.objects.filter(outcome=Call.Outcome.RINGING, started_at__gte=since, direction="in"),
    )
    mine = Q(agent=user) | Q(extension=user.extension) if user.extension else Q(agent=user)
    return (
        qs.filter(mine | Q(agent__isnull=True, extension="")).order_by("-started_at", "-id").first()
    )


@dataclass(frozen=True)
class ScriptLine:
    title: str
    text: str
    kind: str  # "incident" or the script's situation


def scripts_for(
    *,
    user: User,
    category: str | None = None,
    unit: Unit | None = None,
    community_id: int | None = None,
    situation: str | None = None,
) -> list[ScriptLine]:
    """What to say: an open incident at the caller's building first (its text for
    residents), then the scripts for this category and situation, then general ones."""
    lines = [
        ScriptLine(i.title, i.resident_text, "incident")
        for i in open_incidents_at(user=user, unit=unit, community_id=community_id)
    ]
    scripts = visible(user, Script.objects.filter(active=True))
    scripts = scripts.filter(Q(category="") | Q(category=category or ""))
    if situation:
        scripts = scripts.filter(situation__in=[situation, Script.Situation.GENERAL])
    ranked = sorted(
        scripts,
        key=lambda s: (
            s.situation != (situation or ""),
            s.category != (category or ""),
            s.position,
            s.id,
        ),
    )
    lines += [ScriptLine(s.title, s.text, s.situation) for s in ranked]
    return lines


def callbacks_for(
    *, user: User, mine: bool = True, due_before: datetime | None = None
) -> QuerySet[CallBack]:
    """Open call-backs: the user's own and unassigned ones (missed calls) of their offices."""
    qs = visible(user, CallBack.objects.filter(done_at__isnull=True)).select_related("person")
    if mine:
        qs = qs.filter(Q(agent=user) | Q(agent__isnull=True))
    if due_before is not None:
        qs = qs.filter(due_at__lte=due_before)
    return qs.order_by("due_at", "id")


def call_list(*, user: User, agent: int | None = None, number: str | None = None) -> QuerySet[Call]:
    qs = visible(user, Call.objects.select_related("person", "agent", "ticket"))
    if agent is not None:
        qs = qs.filter(agent_id=agent)
    if number:
        qs = qs.filter(number=phones.normalise(number))
    return qs


def call_stats(*, user: User, start: datetime, end: datetime, office_id: int | None = None) -> dict:
    """Calls per agent, per office and per hour of the day (company time)."""
    qs = visible(user, Call.objects.filter(started_at__gte=start, started_at__lt=end))
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    qs = qs.order_by()
    figures = {
        "total": Count("id"),
        "incoming": Count("id", filter=Q(direction="in")),
        "outgoing": Count("id", filter=Q(direction="out")),
        "answered": Count("id", filter=Q(outcome=Call.Outcome.ANSWERED)),
        "missed": Count("id", filter=Q(outcome=Call.Outcome.MISSED)),
        "avg_duration_s": Avg("duration_s", filter=Q(outcome=Call.Outcome.ANSWERED)),
    }
    per_agent = [
        {**row, "avg_duration_s": round(row["avg_duration_s"] or 0, 1)}
        for row in qs.values("agent_id", "agent__name", "agent__username")
        .annotate(**figures)
        .order_by("-total")
    ]
    per_office = [
        {**row, "avg_duration_s": round(row["avg_duration_s"] or 0, 1)}
        for row in qs.values("office_id", "office__name").annotate(**figures).order_by("office_id")
    ]
    tz = ZoneInfo(user.company.timezone) if user.company_id else timezone.get_current_timezone()
    hours = defaultdict(int)
    for row in (
        qs.annotate(hour=ExtractHour("started_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("id"))
    ):
        hours[row["hour"]] += row["n"]
    return {
        "per_agent": per_agent,
        "per_office": per_office,
        "per_hour": [hours.get(h, 0) for h in range(24)],
    }
