"""The monthly analysis (管理员每月末, DOMAIN §5; API.md Reports).

A ticket belongs to the month of its `received_at` in the company's time zone; a
return visit to the month its ticket was resolved (its `period`). Figures are
aggregated in the database, so an office month of 80,000 tickets stays fast.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Q, QuerySet, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import BadInput
from org.models import User
from reports.models import ReportSettings
from tickets.models import Kind, Status, Ticket
from tickets.policies import visible as visible_tickets
from visits.models import ReturnVisit, VisitRecord
from visits.policies import visible as visible_visits

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Scope:
    community: int | None = None
    office: int | None = None

    @property
    def key(self) -> str:
        if self.community:
            return f"community:{self.community}"
        if self.office:
            return f"office:{self.office}"
        return "company"


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    m = MONTH.match(month or "")
    if not m:
        raise BadInput(
            _("The month is YYYY-MM."), fields={"month": [_("Use YYYY-MM, e.g. 2026-11.")]}
        )
    year, mon = int(m.group(1)), int(m.group(2))
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=tz)
    return start, end


def _tickets(user: User, scope: Scope, start: datetime, end: datetime) -> QuerySet[Ticket]:
    qs = visible_tickets(user, Ticket.objects.all()).filter(
        received_at__gte=start, received_at__lt=end
    )
    if scope.community:
        qs = qs.filter(community_id=scope.community)
    if scope.office:
        qs = qs.filter(office_id=scope.office)
    return qs.order_by()


def _visits(user: User, scope: Scope, month: str) -> QuerySet[ReturnVisit]:
    qs = visible_visits(user, ReturnVisit.objects.all()).filter(
        period=month, purpose=ReturnVisit.Purpose.TICKET
    )
    if scope.community:
        qs = qs.filter(ticket__community_id=scope.community)
    if scope.office:
        qs = qs.filter(office_id=scope.office)
    return qs.order_by()


def _counts(qs: QuerySet, field: str) -> dict[str, int]:
    return {
        row[field]: row["n"] for row in qs.values(field).annotate(n=Count("id")).order_by(field)
    }


def _on_time_rate(tickets: QuerySet[Ticket], now: datetime) -> float | None:
    """Share of tickets with a deadline settled in time: resolved by `due_at`. A ticket
    still open past its deadline counts as late; one still within it is not counted."""
    figures = (
        tickets.exclude(status=Status.CANCELLED)
        .filter(due_at__isnull=False)
        .aggregate(
            on_time=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("due_at"))),
            late=Count(
                "id",
                filter=Q(resolved_at__isnull=False, resolved_at__gt=F("due_at"))
                | Q(resolved_at__isnull=True, due_at__lt=now),
            ),
        )
    )
    judged = figures["on_time"] + figures["late"]
    return round(figures["on_time"] / judged, 4) if judged else None


def _visit_figures(visits: QuerySet[ReturnVisit]) -> dict:
    rows = visits.values("rule__code").annotate(
        required=Count("id"),
        done=Count("id", filter=Q(done_at__isnull=False)),
        on_time=Count("id", filter=Q(done_at__isnull=False, done_at__lte=F("due_by"))),
    )
    by_rule = {}
    totals = Counter()
    for row in rows.order_by("rule__code"):
        totals.update({k: row[k] for k in ("required", "done", "on_time")})
        by_rule[row["rule__code"]] = (
            round(row["done"] / row["required"], 4) if row["required"] else None
        )
    current = VisitRecord.objects.filter(visit__in=visits, superseded_by__isnull=True)
    satisfaction = current.aggregate(avg=Avg("satisfaction"))["avg"]
    return {
        "required": totals["required"],
        "done": totals["done"],
        "on_time": totals["on_time"],
        "rate_by_rule": by_rule,
        "satisfaction_avg": round(satisfaction, 2) if satisfaction is not None else None,
    }


def _unqualified(visits: QuerySet[ReturnVisit]) -> list[dict]:
    current = {
        r.visit_id: r
        for r in VisitRecord.objects.filter(
            visit__in=visits.filter(qualified=False), superseded_by__isnull=True
        ).only("visit_id", "visited_at", "shortcomings", "opinions", "satisfaction")
    }
    rows = visits.filter(qualified=False).select_related("ticket", "unit", "person").order_by("id")
    return [
        {
            "visit": v.id,
            "ticket": v.ticket_id,
            "ticket_number": v.ticket.number if v.ticket_id else None,
            "unit": v.unit_id,
            "unit_number": v.unit.number if v.unit_id else None,
            "person": v.person_id,
            "visited_at": current[v.id].visited_at if v.id in current else None,
            "satisfaction": current[v.id].satisfaction if v.id in current else None,
            "shortcomings": current[v.id].shortcomings if v.id in current else "",
            "opinions": current[v.id].opinions if v.id in current else "",
        }
        for v in rows
    ]


def _repeats(
    tickets: QuerySet[Ticket], kind: str, threshold: int, *, by_person: bool
) -> list[dict]:
    """Groups of the same matter (same category) reaching `threshold` within the month:
    one per unit and category and, with `by_person`, one per person and category,
    whatever units the person's tickets carry. A person's group made of exactly the
    tickets of a unit's group is that group (listed once, with both filled).

    One query: the database counts each ticket's unit–category and person–category
    group (window functions) and returns only the tickets of groups that reach the
    threshold; they are put together here."""
    counts = {"unit_n": Window(Count("unit_id"), partition_by=[F("unit_id"), F("category")])}
    reached = Q(unit_n__gte=threshold)
    if by_person:
        counts["person_n"] = Window(
            Count("person_id"), partition_by=[F("person_id"), F("category")]
        )
        reached |= Q(person_n__gte=threshold)
    rows = (
        tickets.filter(kind=kind)
        .annotate(**counts)
        .filter(reached)
        .values_list("id", "unit_id", "person_id", "category", "unit__number", *counts)
        .order_by("received_at", "id")
    )
    by_unit: dict[tuple, list] = defaultdict(list)
    by_person_groups: dict[tuple, list] = defaultdict(list)
    for tid, unit_id, person_id, category, unit_number, unit_n, *person_n in rows:
        if unit_id is not None and unit_n >= threshold:
            by_unit[(unit_id, category)].append((tid, unit_id, person_id, unit_number))
        if by_person and person_id is not None and person_n[0] >= threshold:
            by_person_groups[(person_id, category)].append(tid)
    result = {}
    for (_unit, category), members in by_unit.items():
        if by_person:
            # The person behind every one of the tickets, if there is one; else the group
            # is the unit's alone (whoever complained repeatedly has a group of their own).
            people = {m[2] for m in members}
            person = people.pop() if len(people) == 1 else None
        else:
            contacts = Counter(m[2] for m in members if m[2] is not None)
            person = contacts.most_common(1)[0][0] if contacts else None
        tids = [m[0] for m in members]
        result[(category, tuple(tids))] = {
            "unit": members[0][1],
            "unit_number": members[0][3],
            "person": person,
            "category": category,
            "count": len(members),
            "tickets": tids,
        }
    for (person, category), tids in by_person_groups.items():
        same = result.get((category, tuple(tids)))
        if same is not None:
            same["person"] = person
            continue
        result[(category, tuple(tids))] = {
            "unit": None,
            "unit_number": None,
            "person": person,
            "category": category,
            "count": len(tids),
            "tickets": tids,
        }
    return sorted(
        result.values(),
        key=lambda g: (-g["count"], g["category"], g["unit"] or 0, g["person"] or 0),
    )


def monthly_report(*, user: User, month: str, scope: Scope, now: datetime | None = None) -> dict:
    """The API.md monthly report for what the user may see within `scope`."""
    if user.company_id is None:
        raise BadInput(_("Reports are per company."))
    tz = ZoneInfo(user.company.timezone)
    start, end = month_bounds(month, tz)
    now = now or timezone.now()
    settings = ReportSettings.objects.filter(company_id=user.company_id).first() or ReportSettings()
    tickets = _tickets(user, scope, start, end)
    visits = _visits(user, scope, month)
    return {
        "month": month,
        "scope": scope.key,
        "tickets_total": tickets.count(),
        "tickets_by_kind": _counts(tickets, "kind"),
        "tickets_by_channel": _counts(tickets, "channel"),
        "tickets_by_category": _counts(tickets, "category"),
        "on_time_rate": _on_time_rate(tickets, now),
        "return_visits": _visit_figures(visits),
        "unqualified_visits": _unqualified(visits),
        "repeat_complaints": _repeats(
            tickets, Kind.COMPLAINT, settings.repeat_complaint_threshold, by_person=True
        ),
        "repeat_repairs": _repeats(
            tickets, Kind.REPAIR, settings.repeat_repair_threshold, by_person=False
        ),
        "thresholds": {
            "repeat_complaints": settings.repeat_complaint_threshold,
            "repeat_repairs": settings.repeat_repair_threshold,
        },
    }
