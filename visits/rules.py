"""Default return-visit rules (DOMAIN §5) and how a resolved ticket finds its rule."""

from org.models import Company
from tickets.models import Ticket
from visits.models import Visitor, VisitRule

# code, name, kind, area, severity, share %, window from/to (days), visitor, priority
DEFAULT_RULES = (
    (
        "complaint_major",
        "重大投诉回访",
        "complaint",
        "",
        "major",
        100,
        0,
        3,
        Visitor.OFFICE_MANAGER,
        10,
    ),
    ("complaint", "投诉回访", "complaint", "", "", 100, 0, 3, Visitor.PROPERTY_STAFF, 20),
    (
        "repair_household",
        "业户报修回访",
        "repair",
        "household",
        "",
        30,
        0,
        3,
        Visitor.PROPERTY_STAFF,
        30,
    ),
    (
        "repair_works",
        "维修工程回访",
        "repair",
        "common",
        "",
        30,
        30,
        60,
        Visitor.PROPERTY_STAFF,
        40,
    ),
    (
        "engineering_works",
        "工程质量维修回访",
        "engineering",
        "",
        "",
        30,
        30,
        60,
        Visitor.PROPERTY_STAFF,
        45,
    ),
    ("dispute", "邻里纠纷调解回访", "dispute", "", "", 100, 0, 7, Visitor.PROPERTY_STAFF, 50),
)


def rules_ensure_defaults(*, company: Company) -> list[VisitRule]:
    """The company's rules, creating the defaults the first time (later edits are kept).

    Read on every resolution: when the rules exist this is one SELECT, no savepoint."""
    existing = list(VisitRule.objects.filter(company=company))
    if not existing:
        VisitRule.objects.bulk_create(
            [
                VisitRule(
                    company=company,
                    code=code,
                    name=name,
                    kind=kind,
                    area=area,
                    severity=severity,
                    share_percent=share,
                    window_start_days=start,
                    window_end_days=end,
                    visitor=visitor,
                    priority=priority,
                )
                for code, name, kind, area, severity, share, start, end, visitor, priority in DEFAULT_RULES
            ],
            ignore_conflicts=True,
        )
        existing = list(VisitRule.objects.filter(company=company))
    return sorted(existing, key=lambda r: (r.priority, r.id))


def rule_for(ticket: Ticket, rules: list[VisitRule]) -> VisitRule | None:
    """The first active rule (by priority) whose kind, area and severity fit the ticket."""
    for rule in rules:
        if not rule.active or rule.kind != ticket.kind:
            continue
        if rule.area and rule.area != ticket.area:
            continue
        if rule.severity and rule.severity != ticket.severity:
            continue
        return rule
    return None
