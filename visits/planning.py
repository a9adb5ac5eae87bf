"""Writes that plan return visits after resolutions (DOMAIN §5): which resolved cases are
visited (the guaranteed share per office, rule and month), by whom and when.

One planner serves every path: a single resolution (tickets calls
visit_plan_for_resolved_ticket inside the transaction that resolves), and many at once
(visit_plan_missing: resolutions that were never planned, after a rule is added or
planning was off, through `manage.py plan_return_visits`). Either way the work is a
few statements per batch, not per case.
"""

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import batched
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from core.db import counter_add
from org.models import Company, Department, Role, User
from org.selectors import role_holder_ids
from tickets.models import Status, Ticket
from visits.models import (
    ReturnVisit,
    SamplingCounter,
    SamplingDecision,
    VisitEvent,
    Visitor,
    VisitRule,
)
from visits.rules import rule_for, rules_ensure_defaults

# Who may be sent on a property-staff visit: the office's customer-service people.
PROPERTY_VISITOR_ROLES = (Role.STAFF, Role.RECEPTIONIST, Role.SUPERVISOR)
# SQLite allows 32,766 parameters per statement; PostgreSQL 65,535. Stay well below.
ID_CHUNK = 1000
SWEEP_BATCH = 2000


@dataclass
class _Case:
    ticket: Ticket
    rule: VisitRule
    month: str
    forced: bool  # an earlier visit was unqualified: visit again, whatever the share


@dataclass
class _Chosen:
    ticket: Ticket
    rule: VisitRule
    month: str
    reason: str


def visit_plan_for_resolved_ticket(*, ticket: Ticket) -> ReturnVisit | None:
    """Decide whether this resolution gets a return visit, and plan it.

    Call inside the transaction that resolves the ticket (tickets names this function
    in OWNERDESK["ON_TICKET_RESOLVED"]), with the ticket's office and company loaded.
    Four statements when no visit is planned, eight when one is. See
    visit_plan_for_resolutions for the rules.
    """
    visits = visit_plan_for_resolutions(tickets=[ticket])
    return visits[0] if visits else None


def visit_plan_for_resolutions(*, tickets: Iterable[Ticket]) -> list[ReturnVisit]:
    """Decide, for each resolved ticket, whether it gets a return visit, and plan them.

    Preconditions: inside a transaction; tickets carry `resolved_at` (others are
    ignored) with their office and company loaded.

    The share of a rule is guaranteed per office per month (the month of `resolved_at`
    in the company's time zone): cases are taken in order of resolution, and one is
    chosen whenever the visits chosen so far are fewer than ceil(share × cases
    resolved), so the share holds at every moment of the month, not just on average.
    The counter rows are locked (in a fixed order), so concurrent resolutions never
    see the same numbers. Every decision, chosen or not, is kept with its numbers
    (SamplingDecision). A ticket whose earlier visit was unqualified is always visited
    again; one already decided for the same rule and month (re-resolved) is not
    counted twice. Property-staff visits go to the office's customer-service staff in
    turn. Returns the visits planned, each with a "plan" event.
    """
    _decided, visits = _plan(tickets)
    return visits


def _plan(tickets: Iterable[Ticket]) -> tuple[int, list[ReturnVisit]]:
    """visit_plan_for_resolutions, also saying how many decisions it recorded."""
    unique = {t.id: t for t in tickets if t.resolved_at is not None}
    ordered = sorted(unique.values(), key=lambda t: (t.resolved_at, t.id))
    cases = _cases(ordered)
    groups: dict[tuple[int, int, str], list[_Case]] = defaultdict(list)
    for case in cases:
        groups[(case.ticket.office_id, case.rule.id, case.month)].append(case)
    decisions: list[SamplingDecision] = []
    chosen: list[_Chosen] = []
    for office_id, rule_id, month in sorted(groups):  # one lock order for every caller
        group = groups[(office_id, rule_id, month)]
        n, k = _count_resolutions(
            office_id=office_id, rule_id=rule_id, month=month, count=len(group)
        )
        k_before_group = k
        for case in group:
            n += 1
            selected, required, reason = sampling_decision(
                share_percent=case.rule.share_percent, resolved=n, chosen=k, forced=case.forced
            )
            decisions.append(
                SamplingDecision(
                    ticket=case.ticket,
                    rule=case.rule,
                    month=month,
                    resolved_in_month=n,
                    selected_before=k,
                    required=required,
                    selected=selected,
                    reason=reason,
                )
            )
            if selected:
                k += 1
                chosen.append(_Chosen(case.ticket, case.rule, month, reason))
        if k > k_before_group:
            SamplingCounter.objects.filter(
                office_id=office_id, rule_id=rule_id, month=month
            ).update(selected=F("selected") + (k - k_before_group))
    SamplingDecision.objects.bulk_create(decisions, batch_size=ID_CHUNK)
    return len(decisions), _create_visits(chosen)


def sampling_decision(
    *, share_percent: int, resolved: int, chosen: int, forced: bool = False
) -> tuple[bool, int, str]:
    """The sampling rule, for the `resolved`-th case of a rule in an office's month when
    `chosen` cases were chosen before it: (selected, required, reason).

    Chosen while fewer than ceil(share × resolved) were, so the share holds after every
    case; a forced case (an earlier visit unqualified) is chosen whatever the share.
    The reason is what SamplingDecision keeps; the demo history uses the same rule.
    """
    required = math.ceil(share_percent * resolved / 100)
    numbers = f"{chosen} of {resolved} chosen, {required} needed for {share_percent}%"
    if forced:
        return True, required, "earlier visit unqualified: visit again"
    if chosen < required:
        return True, required, numbers
    return False, required, f"{numbers}: share met"


def _cases(ordered: list[Ticket]) -> list[_Case]:
    """The tickets a rule applies to, without those already decided for that rule and
    month (unless an earlier visit of theirs was unqualified)."""
    rules_of: dict[int, list[VisitRule]] = {}
    fitting: list[tuple[Ticket, VisitRule, str]] = []
    for ticket in ordered:
        if ticket.company_id not in rules_of:
            rules_of[ticket.company_id] = rules_ensure_defaults(company=ticket.company)
        rule = rule_for(ticket, rules_of[ticket.company_id])
        if rule is not None:
            fitting.append((ticket, rule, _month_of(ticket)))
    if not fitting:
        return []
    earlier: dict[int, set[tuple[int, str]]] = defaultdict(set)
    visited_before: set[int] = set()
    ids = [ticket.id for ticket, _rule, _month in fitting]
    for chunk in batched(ids, ID_CHUNK):
        rows = SamplingDecision.objects.filter(ticket_id__in=chunk).values_list(
            "ticket_id", "rule_id", "month", "selected"
        )
        for ticket_id, rule_id, month, selected in rows:
            earlier[ticket_id].add((rule_id, month))
            if selected:
                visited_before.add(ticket_id)
    # Only a ticket visited before can have had an unqualified visit.
    revisit: set[int] = set()
    for chunk in batched(sorted(visited_before), ID_CHUNK):
        revisit.update(
            ReturnVisit.objects.filter(ticket_id__in=chunk, qualified=False).values_list(
                "ticket_id", flat=True
            )
        )
    cases = []
    for ticket, rule, month in fitting:
        forced = ticket.id in revisit
        if not forced and (rule.id, month) in earlier[ticket.id]:
            continue  # re-resolved in the same month: the case was already counted
        cases.append(_Case(ticket, rule, month, forced))
    return cases


def _month_of(ticket: Ticket) -> str:
    tz = ZoneInfo(ticket.company.timezone)
    return timezone.localtime(ticket.resolved_at, tz).strftime("%Y-%m")


def _count_resolutions(*, office_id: int, rule_id: int, month: str, count: int) -> tuple[int, int]:
    """Add `count` resolved cases to the office's counter for the rule and month, and
    return (resolved, selected) as they stood before. The row stays locked until the
    transaction ends, so two concurrent resolutions never see the same numbers."""
    resolved, selected = counter_add(
        SamplingCounter,
        keys={"office_id": office_id, "rule_id": rule_id, "month": month},
        field="resolved",
        by=count,
        defaults={"selected": 0},
        returning=("resolved", "selected"),
    )
    return resolved - count, selected


# ---- who visits --------------------------------------------------------------------------


def _create_visits(chosen: list[_Chosen]) -> list[ReturnVisit]:
    if not chosen:
        return []
    turns = _Turns()
    visits = [
        ReturnVisit(
            company_id=c.ticket.company_id,
            office_id=c.ticket.office_id,
            ticket=c.ticket,
            rule=c.rule,
            purpose=ReturnVisit.Purpose.TICKET,
            person_id=c.ticket.person_id,
            unit_id=c.ticket.unit_id,
            assignee_id=turns.visitor_for(c.rule, c.ticket),
            due_from=c.ticket.resolved_at + timedelta(days=c.rule.window_start_days),
            due_by=c.ticket.resolved_at + timedelta(days=c.rule.window_end_days),
            period=c.month,
        )
        for c in chosen
    ]
    ReturnVisit.objects.bulk_create(visits, batch_size=ID_CHUNK)
    VisitEvent.objects.bulk_create(
        [
            VisitEvent(
                visit=visit, actor=None, action="plan", text=c.reason, data={"rule": c.rule.code}
            )
            for visit, c in zip(visits, chosen, strict=True)
        ],
        batch_size=ID_CHUNK,
    )
    return visits


class _Turns:
    """Who visits, per office, read once per planning batch.

    Property-staff visits go to the office's customer-service staff in turn: the one
    whose latest visit was planned longest ago (or who has none yet) is next. That is
    computed from the visits themselves, one index probe per candidate
    (visit_assignee_latest_idx), so it costs the same at any number of visits; counting
    each candidate's open visits grew with the backlog.
    """

    def __init__(self) -> None:
        self._queues: dict[int, list[tuple[int, int]]] = {}
        self._managers: dict[int, int | None] = {}
        self._planned = 0

    def visitor_for(self, rule: VisitRule, ticket: Ticket) -> int | None:
        if rule.visitor == Visitor.ASSIGNEE and ticket.assignee_id:
            return ticket.assignee_id
        if rule.visitor == Visitor.OFFICE_MANAGER:
            manager = self._manager(ticket.office_id)
            if manager is not None:
                return manager
        return self._next_property_staff(ticket.office_id)

    def _manager(self, office_id: int) -> int | None:
        if office_id not in self._managers:
            managers = role_holder_ids(office_id=office_id, role=Role.OFFICE_MANAGER)
            self._managers[office_id] = managers[0] if managers else None
        return self._managers[office_id]

    def _next_property_staff(self, office_id: int) -> int | None:
        if office_id not in self._queues:
            self._queues[office_id] = _property_staff_turns(office_id)
        queue = self._queues[office_id]
        if not queue:
            return None
        _latest, user_id = heapq.heappop(queue)
        # Visits planned in this batch come after every existing one, in their order.
        self._planned += 1
        heapq.heappush(queue, (_AFTER_EXISTING + self._planned, user_id))
        return user_id


_AFTER_EXISTING = 2**62


def _property_staff_turns(office_id: int) -> list[tuple[int, int]]:
    """A heap of (id of the latest visit, or 0, user id) over the office's active
    customer-service staff who may visit."""
    latest = ReturnVisit.objects.filter(assignee=OuterRef("pk")).order_by("-id").values("id")[:1]
    candidates = (
        User.objects.filter(
            is_active=True,
            departments__office=office_id,
            departments__kind=Department.Kind.CUSTOMER_SERVICE,
        )
        .distinct()
        .annotate(latest_visit=Subquery(latest))
        .values_list("id", "roles", "latest_visit")
    )
    queue = [
        (latest_visit or 0, user_id)
        for user_id, roles, latest_visit in candidates
        if any(role in roles for role in PROPERTY_VISITOR_ROLES)
    ]
    heapq.heapify(queue)
    return queue


# ---- resolutions never planned -------------------------------------------------------------


@dataclass
class SweepResult:
    checked: int = 0
    decided: int = 0
    planned: int = 0


def visit_plan_missing(*, company: Company, since: datetime) -> SweepResult:
    """Plan the resolutions since `since` that have no sampling decision yet: tickets
    resolved while planning was switched off (OWNERDESK["ON_TICKET_RESOLVED"]) or
    brought in by a bulk import, and resolutions a rule added later now covers.

    Only tickets now resolved or closed, of a kind some active rule covers, whose
    latest resolution has no decision made after it. Taken in order of resolution,
    in transactions of SWEEP_BATCH tickets, through visit_plan_for_resolutions, so
    the shares and the audit trail are exactly those of planning at resolution.
    Running it again finds nothing more to do.
    """
    kinds = {r.kind for r in rules_ensure_defaults(company=company) if r.active}
    decided_after = SamplingDecision.objects.filter(
        ticket=OuterRef("pk"), at__gte=OuterRef("resolved_at")
    )
    pending = (
        Ticket.objects.filter(
            company=company,
            status__in=(Status.RESOLVED, Status.CLOSED),
            resolved_at__gte=since,
            kind__in=kinds,
        )
        .filter(~Exists(decided_after))
        .order_by("resolved_at", "id")
        .values_list("id", flat=True)
    )
    result = SweepResult()
    # The ids are read once, before the first batch's transaction.
    for batch_ids in batched(list(pending), SWEEP_BATCH):
        with transaction.atomic():
            batch = list(
                Ticket.objects.filter(id__in=batch_ids)
                .select_related("office", "company")
                .select_for_update(of=("self",))
            )
            decided, visits = _plan(batch)
            result.checked += len(batch)
            result.decided += decided
            result.planned += len(visits)
    return result
