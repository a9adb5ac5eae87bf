"""Yearly contact quotas and progress (DOMAIN §5: "沟通实绩,均以记录为据").

A contact is a record: a ticket the person logged, a ticket they resolved as its
assignee, a return or routine visit they recorded. What counts is the number of
distinct households (units) contacted in the calendar year, company time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from estate.models import Unit
from org.models import Department, Role, User
from org.selectors import office_list, staff_list
from relations.models import QuotaRule
from tickets.models import Status, Ticket
from visits.models import VisitRecord

DEFAULT_QUOTAS = (
    ("manager", "物业服务处经理走访", Role.OFFICE_MANAGER, "", QuotaRule.Measure.PER_PERSON, 10),
    (
        "property_department",
        "物业部沟通覆盖率",
        "",
        Department.Kind.CUSTOMER_SERVICE,
        QuotaRule.Measure.SHARE,
        60,
    ),
    (
        "office_staff",
        "办公室人员沟通",
        "",
        Department.Kind.OFFICE,
        QuotaRule.Measure.PER_PERSON,
        20,
    ),
    (
        "accounting",
        "会计室人员沟通",
        "",
        Department.Kind.ACCOUNTING,
        QuotaRule.Measure.PER_PERSON,
        20,
    ),
    (
        "engineering",
        "工程部人员沟通",
        "",
        Department.Kind.ENGINEERING,
        QuotaRule.Measure.PER_PERSON,
        100,
    ),
)


def quota_rules(*, company_id: int) -> list[QuotaRule]:
    """The company's quotas, creating the defaults the first time (edits are kept)."""
    with transaction.atomic():
        rules = list(QuotaRule.objects.filter(company_id=company_id))
        if not rules:
            QuotaRule.objects.bulk_create(
                [
                    QuotaRule(
                        company_id=company_id,
                        code=code,
                        name=name,
                        role=role,
                        department_kind=kind,
                        measure=measure,
                        target=target,
                    )
                    for code, name, role, kind, measure, target in DEFAULT_QUOTAS
                ],
                ignore_conflicts=True,
            )
            rules = list(QuotaRule.objects.filter(company_id=company_id))
    return [r for r in rules if r.active]


def _year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def households_contacted(
    *, office_ids: list[int], start: datetime, end: datetime
) -> dict[int, set[int]]:
    """Per staff id, the units they had a recorded contact with in [start, end)."""
    contacts: dict[int, set[int]] = defaultdict(set)
    tickets = Ticket.objects.filter(
        office_id__in=office_ids, received_at__gte=start, received_at__lt=end, unit__isnull=False
    )
    for uid, unit in (
        tickets.filter(created_by__isnull=False).values_list("created_by", "unit").distinct()
    ):
        contacts[uid].add(unit)
    resolved = tickets.filter(assignee__isnull=False, status__in=(Status.RESOLVED, Status.CLOSED))
    for uid, unit in resolved.values_list("assignee", "unit").distinct():
        contacts[uid].add(unit)
    records = VisitRecord.objects.filter(
        visit__office_id__in=office_ids,
        visited_at__gte=start,
        visited_at__lt=end,
        visit__unit__isnull=False,
    )
    for uid, unit in records.values_list("recorded_by", "visit__unit").distinct():
        contacts[uid].add(unit)
    return contacts


@dataclass
class PersonProgress:
    user: User
    rule: QuotaRule
    households: int
    expected_by_now: float
    offices: list[str] = field(default_factory=list)

    @property
    def target(self) -> int:
        return self.rule.target

    @property
    def progress(self) -> float:
        return self.households / self.target if self.target else 1.0

    @property
    def behind(self) -> bool:
        return self.households < self.expected_by_now


@dataclass
class DepartmentProgress:
    department: Department
    rule: QuotaRule
    households: int
    office_households: int
    expected_by_now: float

    @property
    def share_percent(self) -> float:
        return 100 * self.households / self.office_households if self.office_households else 0.0

    @property
    def behind(self) -> bool:
        return self.share_percent < self.expected_by_now


def _elapsed_share(year: int, today: date) -> float:
    """How much of the year has passed: quotas are expected to grow evenly."""
    if today.year < year:
        return 0.0
    if today.year > year:
        return 1.0
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return (today - date(year, 1, 1)).days / days


def quota_progress(
    *, user: User, year: int, office_id: int | None = None, now: datetime | None = None
) -> dict:
    """Progress of every person and department with a quota, in the offices the user
    may see (or one of them). `behind` compares with an even pace through the year."""
    tz = ZoneInfo(user.company.timezone)
    now = now or timezone.now()
    elapsed = _elapsed_share(year, timezone.localtime(now, tz).date())
    offices = office_list(user=user)
    if office_id is not None:
        offices = offices.filter(id=office_id)
    office_ids = list(offices.values_list("id", flat=True))
    start, end = _year_bounds(year, tz)
    contacts = households_contacted(office_ids=office_ids, start=start, end=end)
    rules = quota_rules(company_id=user.company_id)
    per_role = {r.role: r for r in rules if r.measure == QuotaRule.Measure.PER_PERSON and r.role}
    per_kind = {
        r.department_kind: r
        for r in rules
        if r.measure == QuotaRule.Measure.PER_PERSON and r.department_kind
    }
    shares = {r.department_kind: r for r in rules if r.measure == QuotaRule.Measure.SHARE}

    people = []
    staff = (
        staff_list(user=user)
        .filter(offices__in=office_ids)
        .distinct()
        .prefetch_related("departments", "offices")
    )
    for member in staff:
        rule = next((per_role[r] for r in member.roles if r in per_role), None)
        if rule is None:
            rule = next(
                (per_kind[d.kind] for d in member.departments.all() if d.kind in per_kind), None
            )
        if rule is None:
            continue
        people.append(
            PersonProgress(
                user=member,
                rule=rule,
                households=len(contacts.get(member.id, ())),
                expected_by_now=rule.target * elapsed,
                offices=[o.name for o in member.offices.all() if o.id in office_ids],
            )
        )
    departments = []
    units_by_office = _units_per_office(office_ids)
    for dept in Department.objects.filter(
        office_id__in=office_ids, kind__in=list(shares)
    ).prefetch_related("staff"):
        rule = shares[dept.kind]
        reached: set[int] = set()
        for member in dept.staff.all():
            reached |= contacts.get(member.id, set())
        departments.append(
            DepartmentProgress(
                department=dept,
                rule=rule,
                households=len(reached),
                office_households=units_by_office.get(dept.office_id, 0),
                expected_by_now=rule.target * elapsed,
            )
        )
    people.sort(key=lambda p: (not p.behind, p.progress, p.user.id))
    return {
        "year": year,
        "elapsed": round(elapsed, 4),
        "people": people,
        "departments": departments,
    }


def _units_per_office(office_ids: list[int]) -> dict[int, int]:
    rows = (
        Unit.objects.filter(community__office_id__in=office_ids)
        .values("community__office_id")
        .annotate(n=Count("id"))
    )
    return {r["community__office_id"]: r["n"] for r in rows.order_by()}
