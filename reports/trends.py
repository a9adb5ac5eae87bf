"""Read-only queries of the monthly analysis page beyond the month's figures
(reports.selectors.monthly_report): the twelve-month trends, and the names behind the
ids the figures carry. Every query starts from what the user may see and narrows it
to the scope; each costs a fixed number of queries, whatever the size of the office.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from estate.models import Attitude, AttitudeChange, Person, UnitLink
from estate.policies import visible as visible_estate
from org.models import Office, User
from org.selectors import office_list
from reports.models import MonthlyReview
from reports.selectors import Scope, month_bounds
from tickets.categories import DEFAULTS as DEFAULT_CATEGORIES
from tickets.models import Category, Ticket
from tickets.policies import visible as visible_tickets
from visits.models import ReturnVisit, VisitRecord, VisitRule
from visits.policies import visible as visible_visits

# Worst to best: a move up this list's index is an improvement.
ATTITUDE_ORDER = (Attitude.ADVERSE, Attitude.NEUTRAL, Attitude.FAVOURABLE)
_RANK = {a: i for i, a in enumerate(ATTITUDE_ORDER)}


def company_tz(user: User) -> ZoneInfo:
    return ZoneInfo(user.company.timezone)


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    return timezone.localtime(moment, tz).strftime("%Y-%m")


def shift_month(month: str, delta: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_ending(month: str, n: int = 12) -> list[str]:
    """The `n` months up to and including `month`, oldest first."""
    return [shift_month(month, -i) for i in range(n - 1, -1, -1)]


# ---- satisfaction ---------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionMonth:
    month: str
    average: float | None  # 1–5, two decimals; None: no record that month
    records: int


def _visits(user: User, scope: Scope) -> QuerySet[ReturnVisit]:
    # The same visits as the month's figures: those after a resolved request.
    qs = visible_visits(user, ReturnVisit.objects.all()).filter(purpose=ReturnVisit.Purpose.TICKET)
    if scope.community:
        qs = qs.filter(ticket__community_id=scope.community)
    if scope.office:
        qs = qs.filter(office_id=scope.office)
    return qs


def satisfaction_by_month(
    *, user: User, scope: Scope, months: list[str]
) -> list[SatisfactionMonth]:
    """Average satisfaction of the current version of each visit record (a correction
    replaces what it corrects), per month the visits are counted in (their `period`)."""
    rows = (
        VisitRecord.objects.filter(
            visit__in=_visits(user, scope).filter(period__in=months),
            superseded_by__isnull=True,
        )
        .values("visit__period")
        .annotate(avg=Avg("satisfaction"), n=Count("id"))
        .order_by()
    )
    found = {r["visit__period"]: r for r in rows}
    return [
        SatisfactionMonth(
            month=m,
            average=round(found[m]["avg"], 2) if m in found else None,
            records=found[m]["n"] if m in found else 0,
        )
        for m in months
    ]


# ---- attitude classes -----------------------------------------------------------------


@dataclass
class AttitudeMonth:
    month: str
    counts: dict[str, int]  # at the month's end (or now, for a month not over yet)
    moves: dict[tuple[str, str], int] = field(default_factory=dict)  # (from, to) → n

    @property
    def improved(self) -> int:
        return sum(n for (a, b), n in self.moves.items() if _RANK[b] > _RANK[a])

    @property
    def worsened(self) -> int:
        return sum(n for (a, b), n in self.moves.items() if _RANK[b] < _RANK[a])


def people_in_scope(user: User, scope: Scope) -> QuerySet[Person]:
    """People the user may see who live in the scope: linked to a unit of the community
    (of the office), or, for an office, registered by it."""
    qs = visible_estate(user, Person.objects.all())
    if scope.community:
        links = UnitLink.objects.filter(
            person_id=OuterRef("pk"), unit__community_id=scope.community
        )
        qs = qs.filter(Exists(links))
    elif scope.office:
        links = UnitLink.objects.filter(
            person_id=OuterRef("pk"), unit__community__office_id=scope.office
        )
        qs = qs.filter(Q(office_id=scope.office) | Exists(links))
    return qs


def attitude_by_month(
    *, user: User, scope: Scope, months: list[str], now: datetime | None = None
) -> list[AttitudeMonth]:
    """How many people of the scope were favourable, neutral and adverse at the end of
    each month, and how many moved between classes during it.

    Only today's classes are stored, so the month-end counts are today's counts with
    every change made since the month's end undone (AttitudeChange: previous → attitude),
    leaving out the people registered after it. A person who moved in or out of the
    scope is counted where they are today.
    """
    tz = company_tz(user)
    now = now or timezone.now()
    bounds = [month_bounds(m, tz) for m in months]
    first_start, first_end = bounds[0]
    people = people_in_scope(user, scope)
    counts = Counter(
        {
            r["attitude"]: r["n"]
            for r in people.values("attitude").annotate(n=Count("id")).order_by()
        }
    )
    changes = list(
        AttitudeChange.objects.filter(person__in=people, at__gte=first_start)
        .values_list("person_id", "previous", "attitude", "at")
        .order_by("-at", "-id")
    )
    # People registered after the first month's end: their class as the replay reaches
    # each month end, to take them out of the months they were not yet there.
    late = {
        pid: (attitude, created)
        for pid, attitude, created in people.filter(created_at__gte=first_end).values_list(
            "id", "attitude", "created_at"
        )
    }
    state = {pid: attitude for pid, (attitude, _created) in late.items()}
    result: list[AttitudeMonth] = []
    undone = 0
    for month, (start, end) in reversed(list(zip(months, bounds, strict=True))):
        cut = min(end, now)
        while undone < len(changes) and changes[undone][3] >= cut:
            pid, previous, attitude, _at = changes[undone]
            counts[attitude] -= 1
            counts[previous] += 1
            if pid in state:
                state[pid] = previous
            undone += 1
        at_end = Counter(counts)
        for pid, (_attitude, created) in late.items():
            if created >= cut:
                at_end[state[pid]] -= 1
        moves = Counter(
            (previous, attitude)
            for _pid, previous, attitude, at in changes
            if start <= at < end and previous != attitude
        )
        result.append(
            AttitudeMonth(
                month=month,
                counts={a.value: at_end.get(a.value, 0) for a in ATTITUDE_ORDER[::-1]},
                moves=dict(moves),
            )
        )
    return result[::-1]


# ---- names behind the figures' ids ------------------------------------------------------


def person_names(*, user: User, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(visible_estate(user, Person.objects.filter(id__in=ids)).values_list("id", "name"))


def scope_offices(user: User, scope: Scope) -> QuerySet[Office]:
    qs = office_list(user=user)
    if scope.community:
        return qs.filter(communities__id=scope.community)
    if scope.office:
        return qs.filter(id=scope.office)
    return qs


def category_names(*, user: User, scope: Scope) -> dict[str, str]:
    """Category code → name: the defaults, overridden by the scope's offices' own lists
    (tickets.categories.categories_for, for several offices in one query)."""
    names = {c.code: str(c.name) for c in DEFAULT_CATEGORIES}
    for code, name in (
        Category.objects.filter(office__in=scope_offices(user, scope))
        .order_by("-office_id", "position", "code")
        .values_list("code", "name")
    ):
        names[code] = name  # several offices: the oldest office's name wins
    return names


def rule_names(*, user: User) -> dict[str, str]:
    rules = visible_visits(user, VisitRule.objects.all())
    return dict(rules.values_list("code", "name"))


def visits_by_rule(*, user: User, scope: Scope, month: str) -> dict[str, tuple[int, int]]:
    """Rule code → (visits required, done) in the month. The figures give only the rate
    per rule; these are the counts behind it, from the same visits."""
    rows = (
        _visits(user, scope)
        .filter(period=month)
        .values("rule__code")
        .annotate(required=Count("id"), done=Count("id", filter=Q(done_at__isnull=False)))
        .order_by("rule__code")
    )
    return {r["rule__code"]: (r["required"], r["done"]) for r in rows}


def ticket_fields(*, user: User, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Ticket id → (number, category code), for the tickets behind the findings."""
    if not ids:
        return {}
    qs = visible_tickets(user, Ticket.objects.filter(id__in=ids))
    return {
        tid: (number, category)
        for tid, number, category in qs.values_list("id", "number", "category")
    }


def reviews_for(*, user: User, scope: Scope, month: str) -> dict[str, MonthlyReview]:
    rows = MonthlyReview.objects.filter(
        company_id=user.company_id, scope=scope.key, month=month
    ).select_related("updated_by")
    return {r.finding: r for r in rows}
