"""API: tickets and their actions (API.md, Tickets)."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from core.api import MAX_LIMIT, company_time, cursor_page, visible_or_404
from core.errors import BadInput, NotFound
from estate.selectors import community_list, person_refs, unit_list
from org.models import Department, User
from org.selectors import department_list, staff_list
from tickets import selectors, services
from tickets.deadlines import supervision_level
from tickets.models import Ticket

router = Router(tags=["tickets"])

KindName = Literal[
    "inquiry", "complaint", "repair", "engineering", "suggestion", "praise", "dispute"
]
ChannelName = Literal[
    "hotline",
    "walk_in",
    "visit",
    "online",
    "wechat",
    "email",
    "suggestion_box",
    "letter",
    "meeting",
    "gov_hotline",
]
StatusName = Literal[
    "new", "assigned", "escalated", "in_progress", "resolved", "closed", "cancelled"
]
ActionName = Literal[
    "assign",
    "escalate",
    "promise",
    "start",
    "resolve",
    "close",
    "reopen",
    "cancel",
    "comment",
    "rate",
    "reply_rating",
    "set_consent",
]


class PartyIn(Schema):
    side: Literal["complainant", "respondent"]
    person: int | None = None
    unit: int | None = None
    statement: str = ""


class TicketIn(Schema):
    community: int
    unit: int | None = None
    person: int | None = None
    kind: KindName
    channel: ChannelName
    category: str = "other"
    title: str = Field(..., min_length=1, max_length=200)
    description: str  # required by API.md (it may be short: the title says what it is)
    severity: Literal["general", "major"] = "general"
    area: Literal["household", "common"] | None = None
    emergency: bool = False
    received_at: datetime | None = None
    external_ref: str = ""
    external_due_at: datetime | None = None
    complainant_consent: bool = False
    parties: list[PartyIn] = []


class EventOut(Schema):
    id: int
    action: str
    actor: int | None = Field(None, alias="actor_id")
    actor_name: str
    at: datetime
    from_status: str
    to_status: str
    text: str
    internal: bool
    data: dict

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return str(obj.actor) if obj.actor_id else "系统"


class PartyOut(Schema):
    side: str
    person: int | None = Field(None, alias="person_id")
    unit: int | None = Field(None, alias="unit_id")
    statement: str


class TicketOut(Schema):
    id: int
    number: str
    status: str
    kind: str
    channel: str
    category: str
    title: str
    description: str
    severity: str
    area: Literal["household", "common"] | None  # null when the kind has no area
    emergency: bool
    office: int = Field(..., alias="office_id")
    community: int = Field(..., alias="community_id")
    unit: int | None = Field(None, alias="unit_id")
    person: int | None = Field(None, alias="person_id")
    department: int | None = Field(None, alias="department_id")
    assignee: int | None = Field(None, alias="assignee_id")
    promised_method: str
    due_at: datetime | None
    received_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str
    outcome: str
    rule_cited: str
    external_ref: str
    external_due_at: datetime | None
    complainant_consent: bool
    complaint_valid: bool | None
    responsibility: str
    rating: int | None
    rating_comment: str
    rating_reply: str
    overdue: bool
    supervision_level: int

    @staticmethod
    def resolve_area(obj: Ticket) -> str | None:
        return obj.area or None

    @staticmethod
    def resolve_overdue(obj: Ticket) -> bool:
        return obj.is_open and obj.due_at is not None and obj.due_at < timezone.now()

    @staticmethod
    def resolve_supervision_level(obj: Ticket) -> int:
        if not obj.is_open:
            return 0
        return supervision_level(due_at=obj.due_at, now=timezone.now(), office_settings=None)


class TicketDetailOut(TicketOut):
    timeline: list[EventOut]
    parties: list[PartyOut]

    @staticmethod
    def resolve_timeline(obj: Ticket) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_parties(obj: Ticket) -> list:
        return list(obj.parties.all())


class TicketPage(Schema):
    results: list[TicketOut]
    next: str | None = None


def _detail(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(user=request.auth, ticket_id=ticket_id, for_page=False)
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


@router.post("/tickets", response={201: TicketDetailOut})
def ticket_create(request: HttpRequest, payload: TicketIn):
    user: User = request.auth
    people = person_refs(user=user)
    community = visible_or_404(
        community_list(user=user), payload.community, label="community", field="community"
    )
    unit = visible_or_404(
        unit_list(user=user, community_id=community.id), payload.unit, label="unit", field="unit"
    )
    person = visible_or_404(people, payload.person, label="person", field="person")
    parties = []
    for i, p in enumerate(payload.parties):
        # A party's person 0 means no person (the ticket's own person 0 is a 404).
        party_person = visible_or_404(
            people, p.person or None, label="person", field=f"parties.{i}.person"
        )
        party_unit = visible_or_404(
            unit_list(user=user), p.unit, label=f"parties.{i}.unit", field=f"parties.{i}.unit"
        )
        parties.append(
            services.PartyIn(
                side=p.side, person=party_person, unit=party_unit, statement=p.statement
            )
        )
    ticket = services.ticket_create(
        actor=user,
        community=community,
        unit=unit,
        person=person,
        kind=payload.kind,
        channel=payload.channel,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        severity=payload.severity,
        area=payload.area or "",
        emergency=payload.emergency,
        received_at=company_time(payload.received_at, user),
        external_ref=payload.external_ref,
        external_due_at=company_time(payload.external_due_at, user),
        complainant_consent=payload.complainant_consent,
        parties=parties,
    )
    return Status(201, _detail(request, ticket.id))


@router.get("/tickets", response=TicketPage)
def ticket_list(
    request: HttpRequest,
    community: int | None = None,
    status: StatusName | None = None,
    kind: KindName | None = None,
    unit: int | None = None,
    person: int | None = None,
    category: str | None = None,
    department: int | None = None,
    assignee: int | None = None,
    overdue: bool | None = None,
    open: bool | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    filters = selectors.TicketFilters(
        community=community,
        status=status,
        kind=kind,
        unit=unit,
        person=person,
        category=category,
        department=department,
        assignee=assignee,
        overdue=overdue,
        open=open,
        received_from=received_from,
        received_to=received_to,
    )
    return cursor_page(
        selectors.ticket_list(user=request.auth, filters=filters), limit=limit, after=after
    )


@router.get("/tickets/{ticket_id}", response=TicketDetailOut)
def ticket_get(request: HttpRequest, ticket_id: int):
    return _detail(request, ticket_id)


class ActionIn(Schema):
    action: ActionName
    department: int | None = None
    assignee: int | None = None
    reason: str | None = None
    method: str | None = None
    due_at: datetime | None = None
    resolution: str | None = None
    resolved_at: datetime | None = None
    outcome: Literal["resolved", "out_of_scope", "refused"] = "resolved"
    rule_cited: str = ""
    closed_at: datetime | None = None
    complaint_valid: bool | None = None
    responsibility: (
        Literal["property", "owner", "developer", "contractor", "third_party", "none"] | None
    ) = None
    text: str | None = None
    internal: bool = True
    rating: int | None = Field(None, ge=1, le=5)
    comment: str = ""
    consent: bool | None = None


def _required(value, field: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadInput("This field is required.", fields={field: ["This field is required."]})
    return value


@router.post("/tickets/{ticket_id}/actions", response=TicketDetailOut)
def ticket_action(request: HttpRequest, ticket_id: int, payload: ActionIn):
    """Run one action of the state machine; 409 when the ticket's state does not allow it."""
    user: User = request.auth
    _detail(request, ticket_id)  # 404 before anything else when not visible
    a = payload.action
    if a == "assign":
        department: Department = visible_or_404(
            department_list(user=user),
            _required(payload.department, "department"),
            label="department",
            field="department",
        )
        assignee = visible_or_404(
            staff_list(user=user), payload.assignee, label="assignee", field="assignee"
        )
        services.ticket_assign(
            ticket_id=ticket_id, actor=user, department=department, assignee=assignee
        )
    elif a == "escalate":
        services.ticket_escalate(
            ticket_id=ticket_id, actor=user, reason=_required(payload.reason, "reason")
        )
    elif a == "promise":
        services.ticket_promise(
            ticket_id=ticket_id,
            actor=user,
            method=_required(payload.method, "method"),
            due_at=company_time(_required(payload.due_at, "due_at"), user),
        )
    elif a == "start":
        services.ticket_start(ticket_id=ticket_id, actor=user)
    elif a == "resolve":
        services.ticket_resolve(
            ticket_id=ticket_id,
            actor=user,
            resolution=_required(payload.resolution, "resolution"),
            resolved_at=company_time(payload.resolved_at, user),
            outcome=payload.outcome,
            rule_cited=payload.rule_cited,
        )
    elif a == "close":
        services.ticket_close(
            ticket_id=ticket_id,
            actor=user,
            closed_at=company_time(payload.closed_at, user),
            complaint_valid=payload.complaint_valid,
            responsibility=payload.responsibility or "",
        )
    elif a == "reopen":
        services.ticket_reopen(
            ticket_id=ticket_id, actor=user, reason=_required(payload.reason, "reason")
        )
    elif a == "cancel":
        services.ticket_cancel(
            ticket_id=ticket_id, actor=user, reason=_required(payload.reason, "reason")
        )
    elif a == "comment":
        services.ticket_comment(
            ticket_id=ticket_id,
            actor=user,
            text=_required(payload.text, "text"),
            internal=payload.internal,
        )
    elif a == "rate":
        services.ticket_rate(
            ticket_id=ticket_id,
            actor=user,
            rating=_required(payload.rating, "rating"),
            comment=payload.comment,
        )
    elif a == "reply_rating":
        services.ticket_reply_rating(
            ticket_id=ticket_id, actor=user, text=_required(payload.text, "text")
        )
    elif a == "set_consent":
        services.ticket_set_consent(
            ticket_id=ticket_id,
            actor=user,
            consent=_required(payload.consent, "consent"),
            note=payload.comment,
        )
    return _detail(request, ticket_id)
