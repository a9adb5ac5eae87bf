"""Writes for tickets: intake, routing, the state machine's actions, supervision.

Every action follows one path (`_begin`): lock the row (scoped to what the actor may
see: 404 otherwise), check the transition table (409), check the policy (403), then
the action's own rules (400/422), save, write a timeline event, and start side
effects (notices) through the task backend once the transaction commits.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.db import counter_add
from core.errors import (
    BadInput,
    Conflict,
    NotAllowed,
    NotFound,
    RuleViolation,
    full_clean_or_bad_input,
)
from core.tasks import enqueue_on_commit, notify_users
from estate.models import Community, Person, Unit
from org.models import Department, Office, Role, User
from org.policies import office_ids_for
from org.selectors import role_holder_ids, supervisors_of
from tickets import deadlines
from tickets.categories import categories_for
from tickets.models import (
    OPEN_STATUSES,
    Area,
    Channel,
    Dispatch,
    Kind,
    OfficeSettings,
    Outcome,
    Responsibility,
    RoundRobinPointer,
    ServiceQuote,
    Severity,
    Status,
    Supervision,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketParty,
)
from tickets.policies import can, visible
from tickets.transitions import allowed_from, target_of

# ---- helpers -------------------------------------------------------------------------


def _tz(ticket_or_company) -> ZoneInfo:
    company = getattr(ticket_or_company, "company", ticket_or_company)
    return ZoneInfo(company.timezone)


def _office_settings(office: Office) -> OfficeSettings | None:
    return OfficeSettings.objects.filter(office=office).first()


def _ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:detail", args=[ticket.id])


def _notify(
    user_ids: Iterable[int], verb: str, text: str, ticket: Ticket, *, skip: User | None = None
):
    ids = sorted({uid for uid in user_ids if uid and (skip is None or uid != skip.id)})
    if ids:
        enqueue_on_commit(notify_users, ids, verb, text, _ticket_url(ticket))


def _company_admins(company_id: int) -> list[int]:
    return [
        u.id
        for u in User.objects.filter(company_id=company_id, is_active=True)
        if Role.COMPANY_ADMIN in u.roles
    ]


def _event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    from_status: str = "",
    text: str = "",
    internal: bool = False,
    data: dict | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        text=text,
        internal=internal,
        data=data or {},
        at=at or timezone.now(),
    )


def _past_time(
    value: datetime | None,
    field: str,
    *,
    not_before: datetime | None = None,
    since_resolution: bool = False,
) -> datetime:
    """Back-entry rule (API.md): any past time, not before the ticket's `received_at`
    (a closing: not before its resolution); a future time is a rule violation (422)."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise BadInput(
            _("Give the time with its offset."), fields={field: [_("Time zone missing.")]}
        )
    if value > now:
        raise RuleViolation(
            _("The time may not be in the future."), fields={field: [_("In the future.")]}
        )
    if not_before is not None and value < not_before:
        if since_resolution:
            message, short = (
                _("The time may not be before the ticket was resolved."),
                _("Before the ticket was resolved."),
            )
        else:
            message, short = (
                _("The time may not be before the ticket was received."),
                _("Before the ticket was received."),
            )
        raise RuleViolation(message, fields={field: [short]})
    return value


def _department_of_kind(office: Office, kind: str) -> Department | None:
    return (
        Department.objects.filter(office=office, kind=kind).order_by("id").first()
        or Department.objects.filter(office=office, kind=Department.Kind.CUSTOMER_SERVICE)
        .order_by("id")
        .first()
    )


def _next_number(office: Office, received_at: datetime, tz: ZoneInfo) -> str:
    """`HY-20261123-0007`: the office's code, the day received, a per-day sequence.
    The counter row is locked, so two desks never draw the same number."""
    day = received_at.astimezone(tz).date()
    (last,) = counter_add(
        TicketCounter, keys={"office_id": office.id, "day": day}, field="last", returning=("last",)
    )
    return f"{office.code.upper()}-{day:%Y%m%d}-{last:04d}"


def _round_robin_pick(department: Department) -> User | None:
    """The next staff member on duty after the one who got the last ticket."""
    staff = [
        u
        for u in department.staff.filter(is_active=True, on_duty=True).order_by("id")
        if Role.STAFF in u.roles
    ]
    if not staff:
        return None
    pointer, _created = RoundRobinPointer.objects.get_or_create(department=department)
    pointer = RoundRobinPointer.objects.select_for_update().get(pk=pointer.pk)
    after = [u for u in staff if pointer.last_user_id is None or u.id > pointer.last_user_id]
    chosen = (after or staff)[0]
    pointer.last_user = chosen
    pointer.save(update_fields=["last_user"])
    return chosen


# ---- intake ----------------------------------------------------------------------------


_RELATIONS = [
    "company",
    "office",
    "community",
    "unit",
    "person",
    "department",
    "assignee",
    "created_by",
]


@dataclass(frozen=True)
class PartyIn:
    """One side of a dispute: `side` is "complainant" or "respondent"."""

    side: str
    person: Person | None = None
    unit: Unit | None = None
    statement: str = ""


def ticket_create(
    *,
    actor: User,
    community: Community,
    kind: str,
    channel: str,
    title: str,
    description: str = "",
    unit: Unit | None = None,
    person: Person | None = None,
    category: str = "other",
    severity: str = Severity.GENERAL,
    area: str = "",
    emergency: bool = False,
    received_at: datetime | None = None,
    external_ref: str = "",
    external_due_at: datetime | None = None,
    parties: Sequence[PartyIn] = (),
    complainant_consent: bool = False,
) -> Ticket:
    """Log a contact from an owner and route it.

    Preconditions: the community is visible to the actor; unit and person (if any)
    belong to it / are visible (callers resolve ids through the estate selectors).
    The ticket starts `new` with the department of its category (a major complaint
    goes to the office manager instead); a round-robin category assigns it at once.
    A default promise (method and deadline) is set from the kind and category.
    Notices go to whoever must act next. Opens its own transaction (or joins the
    caller's).
    """
    if not can(actor, "create"):
        raise NotAllowed(_("You may not log tickets."))
    ids = office_ids_for(actor)
    if ids is not None and community.office_id not in ids:
        raise NotFound(_("Community not found."), fields={"community": [_("Not found.")]})
    office = community.office
    if unit is not None and unit.community_id != community.id:
        raise BadInput(
            _("The unit is not in this community."), fields={"unit": [_("Not in this community.")]}
        )
    categories = categories_for(office)
    if category not in categories:
        raise BadInput(
            _("Unknown category."), fields={"category": [_("Not in the office's category list.")]}
        )
    if kind not in Kind.values:
        raise BadInput(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
    if channel == Channel.GOV_HOTLINE:
        missing = {
            f: [_("Required for a 12345 hand-over.")]
            for f, v in (("external_ref", external_ref), ("external_due_at", external_due_at))
            if not v
        }
        if missing:
            raise BadInput(
                _("A 12345 hand-over needs its reference and reply deadline."), fields=missing
            )
    received_at = _past_time(received_at, "received_at")
    if kind == Kind.REPAIR and not area:
        area = Area.HOUSEHOLD
    if kind == Kind.DISPUTE and not any(p.side == TicketParty.Side.RESPONDENT for p in parties):
        raise BadInput(
            _("A dispute needs the other side."),
            fields={"parties": [_("Give the other side (person or unit).")]},
        )

    tz = _tz(community.company)
    config = categories[category]
    major_complaint = kind == Kind.COMPLAINT and severity == Severity.MAJOR
    department = None if major_complaint else _department_of_kind(office, config.department_kind)
    hours = deadlines.promise_hours(
        kind=kind, area=area, emergency=emergency, category_hours=config.promise_hours
    )
    due_at = deadlines.deadline(
        start=received_at,
        hours=hours,
        office_settings=_office_settings(office),
        company_id=community.company_id,
        tz=tz,
        calendar_only=emergency,
    )
    if external_due_at is not None:
        due_at = min(due_at, external_due_at)

    # Checks and lookups above run before the transaction: on SQLite it takes the write
    # lock when it begins, and other desks wait for it only while the rows are written.
    with transaction.atomic():
        ticket = Ticket(
            company_id=community.company_id,
            office=office,
            community=community,
            unit=unit,
            person=person,
            number=_next_number(office, received_at, tz),
            kind=kind,
            channel=channel,
            category=category,
            title=title.strip(),
            description=description,
            severity=severity,
            area=area,
            emergency=emergency,
            department=department,
            promised_method=deadlines.PROMISED_METHOD[kind],
            due_at=due_at,
            received_at=received_at,
            external_ref=external_ref,
            external_due_at=external_due_at,
            complainant_consent=complainant_consent,
            created_by=actor,
        )
        # The related objects were handed in (and scoped) by the caller, and the number comes
        # from the locked counter: check the row's own fields only, without a query per
        # foreign key and per constraint.
        full_clean_or_bad_input(
            ticket, exclude=_RELATIONS, validate_unique=False, validate_constraints=False
        )
        ticket.save()
        TicketParty.objects.bulk_create(
            [
                TicketParty(
                    ticket=ticket, side=p.side, person=p.person, unit=p.unit, statement=p.statement
                )
                for p in parties
            ]
        )
        _event(
            ticket,
            actor,
            "create",
            data={
                "kind": kind,
                "channel": channel,
                "category": category,
                "department": department.id if department else None,
                "due_at": due_at.isoformat(),
            },
            text=description[:500],
        )
        _route_new(ticket, actor, config.dispatch, major_complaint)
        return ticket


def _route_new(ticket: Ticket, actor: User, dispatch: str, major_complaint: bool) -> None:
    """Tell whoever acts next; a round-robin category assigns at once."""
    if major_complaint:
        _notify(
            role_holder_ids(office_id=ticket.office_id, role=Role.OFFICE_MANAGER),
            "major_complaint",
            _("Major complaint %(n)s: %(t)s") % {"n": ticket.number, "t": ticket.title},
            ticket,
        )
        return
    department = ticket.department
    if department is None:
        return
    if dispatch == Dispatch.ROUND_ROBIN:
        chosen = _round_robin_pick(department)
        if chosen is not None:
            previous = ticket.status
            ticket.assignee = chosen
            ticket.status = Status.ASSIGNED
            ticket.save(update_fields=["assignee", "status", "updated_at"])
            _event(
                ticket,
                None,
                "assign",
                from_status=previous,
                data={"department": department.id, "assignee": chosen.id, "rule": "round_robin"},
            )
            _notify(
                [chosen.id], "assigned", _("New work for you: %(n)s") % {"n": ticket.number}, ticket
            )
            return
    if dispatch == Dispatch.SELF_TAKE:
        staff = [u.id for u in department.staff.filter(is_active=True) if Role.STAFF in u.roles]
        _notify(
            staff,
            "open_work",
            _("Open work to take: %(n)s") % {"n": ticket.number},
            ticket,
            skip=actor,
        )
        return
    _notify(
        [u.id for u in supervisors_of(department=department)],
        "handed_over",
        _("New ticket for your department: %(n)s") % {"n": ticket.number},
        ticket,
        skip=actor,
    )


# ---- the state machine's actions ----------------------------------------------------------


def ticket_get_for_update(*, user: User, ticket_id: int) -> Ticket:
    """The ticket, locked for this transaction, if the user may see it (else NotFound).
    Call inside transaction.atomic()."""
    qs = visible(user, Ticket.objects.select_related("office", "company")).select_for_update(
        of=("self",)
    )
    ticket = qs.filter(id=ticket_id).first()
    if ticket is None:
        raise NotFound(_("Ticket not found."))
    return ticket


def _begin(actor: User, ticket_id: int, action: str) -> Ticket:
    return _check(ticket_get_for_update(user=actor, ticket_id=ticket_id), actor, action)


def _check(ticket: Ticket, actor: User, action: str, **policy) -> Ticket:
    """The transition table first (409), then the policy (403)."""
    if not allowed_from(action, ticket.status):
        raise Conflict(
            _("Cannot %(action)s a ticket that is %(status)s.")
            % {"action": action, "status": Status(ticket.status).label},
            code="invalid_transition",
        )
    if not can(actor, action, ticket, **policy):
        raise NotAllowed(_("You are not allowed to do this to this ticket."))
    return ticket


def _move(ticket: Ticket, action: str) -> str:
    previous = ticket.status
    ticket.status = target_of(action, previous)
    return previous


@transaction.atomic
def ticket_assign(
    *, ticket_id: int, actor: User, department: Department, assignee: User | None = None
) -> Ticket:
    """Give the ticket to a department (hand-over to its supervisor) and optionally a
    staff member of it. Staff may take open work themselves where the category allows."""
    ticket = ticket_get_for_update(user=actor, ticket_id=ticket_id)
    if department.office_id != ticket.office_id:
        raise BadInput(
            _("The department is not in the ticket's office."),
            fields={"department": [_("Not in this office.")]},
        )
    if assignee is not None and (
        not assignee.is_active or not assignee.departments.filter(id=department.id).exists()
    ):
        raise BadInput(
            _("The assignee does not work in that department."),
            fields={"assignee": [_("Not in the department.")]},
        )
    config = categories_for(ticket.office).get(ticket.category)
    _check(
        ticket,
        actor,
        "assign",
        department_id=department.id,
        assignee_id=assignee.id if assignee else None,
        self_take=bool(config and config.dispatch == Dispatch.SELF_TAKE),
    )
    previous = _move(ticket, "assign")
    ticket.department = department
    ticket.assignee = assignee
    ticket.save()
    _event(
        ticket,
        actor,
        "assign",
        from_status=previous,
        data={
            "department": department.id,
            "department_name": department.name,
            "assignee": assignee.id if assignee else None,
        },
        text=str(assignee or department),
    )
    if assignee is not None:
        _notify(
            [assignee.id],
            "assigned",
            _("New work for you: %(n)s") % {"n": ticket.number},
            ticket,
            skip=actor,
        )
    else:
        _notify(
            [u.id for u in supervisors_of(department=department)],
            "handed_over",
            _("New ticket for your department: %(n)s") % {"n": ticket.number},
            ticket,
            skip=actor,
        )
    return ticket


@transaction.atomic
def ticket_escalate(*, ticket_id: int, actor: User, reason: str) -> Ticket:
    """Not this department's responsibility: up to the office manager, who assigns one."""
    _require_text(reason, "reason")
    ticket = _begin(actor, ticket_id, "escalate")
    previous = _move(ticket, "escalate")
    ticket.assignee = None
    ticket.save()
    _event(ticket, actor, "escalate", from_status=previous, text=reason)
    _notify(
        role_holder_ids(office_id=ticket.office_id, role=Role.OFFICE_MANAGER),
        "escalated",
        _("Escalated to you: %(n)s — %(r)s") % {"n": ticket.number, "r": reason},
        ticket,
        skip=actor,
    )
    return ticket


@transaction.atomic
def ticket_promise(*, ticket_id: int, actor: User, method: str, due_at: datetime) -> Ticket:
    """Record the promised method and deadline (承诺解决的方法和时限)."""
    _require_text(method, "method")
    ticket = _begin(actor, ticket_id, "promise")
    if timezone.is_naive(due_at):
        raise BadInput(
            _("Give the time with its offset."), fields={"due_at": [_("Time zone missing.")]}
        )
    if due_at <= ticket.received_at:
        raise RuleViolation(
            _("The deadline must be after the ticket was received."),
            fields={"due_at": [_("Too early.")]},
        )
    old = {
        "method": ticket.promised_method,
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
    }
    ticket.promised_method = method
    ticket.due_at = due_at
    ticket.save()
    _event(
        ticket,
        actor,
        "promise",
        from_status=ticket.status,
        text=method,
        data={"old": old, "due_at": due_at.isoformat()},
    )
    return ticket


@transaction.atomic
def ticket_start(*, ticket_id: int, actor: User) -> Ticket:
    """Start the work. A paid special service (特约服务) starts only once the owner has
    accepted the price stated before the work (DOMAIN §3)."""
    ticket = _begin(actor, ticket_id, "start")
    if ServiceQuote.objects.filter(ticket_id=ticket.id, accepted_at__isnull=True).exists():
        raise RuleViolation(
            _("The owner has not accepted the price yet: do not start the work."),
            code="quote_not_accepted",
        )
    previous = _move(ticket, "start")
    ticket.save()
    _event(ticket, actor, "start", from_status=previous)
    return ticket


@transaction.atomic
def ticket_resolve(
    *,
    ticket_id: int,
    actor: User,
    resolution: str,
    resolved_at: datetime | None = None,
    outcome: str = Outcome.RESOLVED,
    rule_cited: str = "",
) -> Ticket:
    """Resolve: done, out of scope (explained patiently, recorded) or refused because it
    conflicts with law or rules (the rule is cited). A `new` inquiry answered on the spot
    may be resolved by the receiver."""
    _require_text(resolution, "resolution")
    if outcome not in Outcome.values:
        raise BadInput(_("Unknown outcome."), fields={"outcome": [_("Unknown outcome.")]})
    if outcome == Outcome.REFUSED and not rule_cited.strip():
        raise BadInput(
            _("Cite the rule when refusing."), fields={"rule_cited": [_("This field is required.")]}
        )
    ticket = _begin(actor, ticket_id, "resolve")
    resolved_at = _past_time(resolved_at, "resolved_at", not_before=ticket.received_at)
    previous = _move(ticket, "resolve")
    ticket.resolution = resolution
    ticket.resolved_at = resolved_at
    ticket.outcome = outcome
    ticket.rule_cited = rule_cited
    ticket.save()
    _event(
        ticket,
        actor,
        "resolve",
        from_status=previous,
        text=resolution,
        data={"outcome": outcome, "rule_cited": rule_cited, "resolved_at": resolved_at.isoformat()},
    )
    for path in settings.OWNERDESK.get("ON_TICKET_RESOLVED", ()):
        import_string(path)(ticket=ticket)
    return ticket


@transaction.atomic
def ticket_close(
    *,
    ticket_id: int,
    actor: User,
    closed_at: datetime | None = None,
    complaint_valid: bool | None = None,
    responsibility: str = "",
) -> Ticket:
    """Close a resolved ticket. A complaint records whether it was valid (有效投诉) and where
    responsibility lay; an engineering problem needs the owner's acceptance (验收) first."""
    ticket = _begin(actor, ticket_id, "close")
    closed_at = _past_time(
        closed_at,
        "closed_at",
        not_before=ticket.resolved_at or ticket.received_at,
        since_resolution=ticket.resolved_at is not None,
    )
    if ticket.kind == Kind.COMPLAINT:
        missing = {}
        if complaint_valid is None:
            missing["complaint_valid"] = [_("Say whether the complaint was valid.")]
        if responsibility not in Responsibility.values:
            missing["responsibility"] = [_("Say where responsibility lay.")]
        if missing:
            raise BadInput(_("Closing a complaint needs its finding."), fields=missing)
        ticket.complaint_valid = complaint_valid
        ticket.responsibility = responsibility
    if ticket.kind == Kind.ENGINEERING and not _accepted_by_owner(ticket):
        raise RuleViolation(
            _("The owner has not accepted the repair (验收) yet."), code="acceptance_missing"
        )
    previous = _move(ticket, "close")
    ticket.closed_at = closed_at
    ticket.save()
    _event(
        ticket,
        actor,
        "close",
        from_status=previous,
        data={
            "closed_at": closed_at.isoformat(),
            "complaint_valid": ticket.complaint_valid,
            "responsibility": ticket.responsibility,
        },
    )
    return ticket


def _accepted_by_owner(ticket: Ticket) -> bool:
    liaison = getattr(ticket, "liaison", None)
    return bool(liaison and liaison.accepted_at)


@transaction.atomic
def ticket_reopen(*, ticket_id: int, actor: User, reason: str) -> Ticket:
    """Back to work: the owner says it is not fixed."""
    _require_text(reason, "reason")
    return _reopen(_begin(actor, ticket_id, "reopen"), actor, reason)


def _reopen(ticket: Ticket, actor: User, reason: str, data: dict | None = None) -> Ticket:
    """Call with the ticket locked and the transition checked."""
    previous = _move(ticket, "reopen")
    ticket.resolved_at = None
    ticket.closed_at = None
    ticket.outcome = ""
    ticket.save()
    _event(ticket, actor, "reopen", from_status=previous, text=reason, data=data)
    notify = [ticket.assignee_id] if ticket.assignee_id else []
    if ticket.department_id:
        notify += [u.id for u in supervisors_of(department=ticket.department)]
    _notify(
        notify,
        "reopened",
        _("Reopened: %(n)s — %(r)s") % {"n": ticket.number, "r": reason},
        ticket,
        skip=actor,
    )
    return ticket


@transaction.atomic
def ticket_reopen_after_visit(
    *, ticket_id: int, actor: User, visit_id: int, reason: str
) -> Ticket | None:
    """An unqualified return visit (回访不合格) reopens the work, whoever recorded the visit
    (the visit's own policy allowed the recording). A ticket already back in work is
    left as it is (returns None)."""
    ticket = ticket_get_for_update(user=actor, ticket_id=ticket_id)
    if not allowed_from("reopen", ticket.status):
        return None
    return _reopen(ticket, actor, reason, data={"visit": visit_id})


@transaction.atomic
def ticket_cancel(*, ticket_id: int, actor: User, reason: str) -> Ticket:
    _require_text(reason, "reason")
    ticket = _begin(actor, ticket_id, "cancel")
    previous = _move(ticket, "cancel")
    ticket.save()
    _event(ticket, actor, "cancel", from_status=previous, text=reason)
    return ticket


@transaction.atomic
def ticket_comment(*, ticket_id: int, actor: User, text: str, internal: bool = True) -> Ticket:
    """A note on the timeline; internal ones are never shown to the owner."""
    _require_text(text, "text")
    ticket = _begin(actor, ticket_id, "comment")
    _event(ticket, actor, "comment", from_status=ticket.status, text=text, internal=internal)
    ticket.save(update_fields=["updated_at"])
    return ticket


@transaction.atomic
def ticket_rate(*, ticket_id: int, actor: User, rating: int, comment: str = "") -> Ticket:
    """Record the owner's rating (1–5) of a resolved ticket, as told to the desk or given
    in the portal. A later rating replaces the earlier one; both stay in the timeline."""
    if not 1 <= rating <= 5:
        raise BadInput(_("A rating is from 1 to 5."), fields={"rating": [_("From 1 to 5.")]})
    ticket = _begin(actor, ticket_id, "rate")
    ticket.rating = rating
    ticket.rating_comment = comment
    ticket.save()
    _event(ticket, actor, "rate", from_status=ticket.status, text=comment, data={"rating": rating})
    if rating <= 2:
        notify = [ticket.assignee_id] if ticket.assignee_id else []
        if ticket.department_id:
            notify += [u.id for u in supervisors_of(department=ticket.department)]
        _notify(
            notify,
            "low_rating",
            _("Owner rated %(n)s %(r)s/5") % {"n": ticket.number, "r": rating},
            ticket,
        )
    return ticket


@transaction.atomic
def ticket_reply_rating(*, ticket_id: int, actor: User, text: str) -> Ticket:
    """The staff's reply to the owner's rating; shown to the owner."""
    _require_text(text, "text")
    ticket = _begin(actor, ticket_id, "reply_rating")
    if ticket.rating is None:
        raise RuleViolation(_("The owner has not rated this ticket."), code="not_rated")
    ticket.rating_reply = text
    ticket.save()
    _event(ticket, actor, "reply_rating", from_status=ticket.status, text=text)
    return ticket


@transaction.atomic
def ticket_set_consent(*, ticket_id: int, actor: User, consent: bool, note: str = "") -> Ticket:
    """Record whether the complainant agrees that their name, unit and phone may be shown
    to the other side, to contractors and outside the office (default: no)."""
    ticket = _begin(actor, ticket_id, "set_consent")
    ticket.complainant_consent = consent
    ticket.save()
    _event(
        ticket,
        actor,
        "set_consent",
        from_status=ticket.status,
        text=note,
        internal=True,
        data={"consent": consent},
    )
    return ticket


def _require_text(value: str | None, field: str) -> None:
    if not (value or "").strip():
        raise BadInput(_("This field is required."), fields={field: [_("This field is required.")]})


# ---- supervision (督办) -----------------------------------------------------------------


def _level_recipients(ticket: Ticket, level: int) -> list[int]:
    if level == Supervision.Level.ASSIGNEE:
        if ticket.assignee_id:
            return [ticket.assignee_id]
        level = Supervision.Level.SUPERVISOR
    if level == Supervision.Level.SUPERVISOR:
        if ticket.department_id:
            ids = [u.id for u in supervisors_of(department=ticket.department)]
            if ids:
                return ids
        level = Supervision.Level.MANAGER
    if level == Supervision.Level.MANAGER:
        return role_holder_ids(office_id=ticket.office_id, role=Role.OFFICE_MANAGER)
    return _company_admins(ticket.company_id)


def supervision_sweep(*, now: datetime | None = None) -> int:
    """Record every supervision level that overdue open tickets have reached and not yet
    recorded for their current deadline, each with a timeline event and a notice.
    Idempotent: run it as often as you like (`manage.py supervise_overdue`).
    Returns how many supervisions were recorded."""
    now = now or timezone.now()
    settings_by_office = {s.office_id: s for s in OfficeSettings.objects.all()}
    recorded = 0
    overdue = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
        .select_related("office", "department")
        .order_by("id")
    )
    for ticket in overdue.iterator(chunk_size=500):
        level = deadlines.supervision_level(
            due_at=ticket.due_at, now=now, office_settings=settings_by_office.get(ticket.office_id)
        )
        done = set(
            Supervision.objects.filter(ticket=ticket, due_at=ticket.due_at).values_list(
                "level", flat=True
            )
        )
        for lvl in range(1, level + 1):
            if lvl in done:
                continue
            with transaction.atomic():
                recipients = _level_recipients(ticket, lvl)
                Supervision.objects.create(
                    ticket=ticket, level=lvl, due_at=ticket.due_at, notified=recipients
                )
                _event(
                    ticket,
                    None,
                    "supervise",
                    from_status=ticket.status,
                    internal=True,
                    data={
                        "level": lvl,
                        "due_at": ticket.due_at.isoformat(),
                        "notified": recipients,
                    },
                    text=str(Supervision.Level(lvl).label),
                )
                _notify(
                    recipients,
                    "supervision",
                    _("Overdue %(n)s (due %(d)s): supervision level %(l)s")
                    % {
                        "n": ticket.number,
                        "d": timezone.localtime(ticket.due_at).strftime("%m-%d %H:%M"),
                        "l": lvl,
                    },
                    ticket,
                )
            recorded += 1
    return recorded
