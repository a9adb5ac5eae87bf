"""API: category suggestion, the phone-system push, calls, call-backs, the knowledge
base and scripts (the hotline desk)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from core.api import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorPagination,
    company_time,
    cursor_page,
    visible_or_404,
)
from core.errors import BadInput
from core.phones import InvalidPhone, mask
from estate.selectors import community_list, person_list, unit_list
from hotline import kb, selectors, services
from hotline.suggest import suggest
from org.selectors import office_list
from tickets.selectors import ticket_list

router = Router(tags=["hotline desk"])


class SuggestIn(Schema):
    community: int
    description: str


class SuggestOut(Schema):
    category: str
    department_kind: str
    confidence: float
    source: str


@router.post("/tickets/suggest", response=SuggestOut, tags=["tickets"])
def ticket_suggest(request: HttpRequest, payload: SuggestIn):
    """The category and department suggested while an agent types (no ticket is created)."""
    community = visible_or_404(
        community_list(user=request.auth), payload.community, label="Community", field="community"
    )
    return suggest(office=community.office, text=payload.description)


class PushIn(Schema):
    number: str
    event: Literal["ringing", "answered", "missed", "ended"]
    extension: str = ""
    call_id: str = ""
    at: datetime | None = None
    duration_s: int | None = Field(None, ge=0)


class PushOut(Schema):
    call: int
    person: int | None


@router.post("/phone/push", response=PushOut, auth=None)
def phone_push(
    request: HttpRequest,
    payload: PushIn,
    x_phone_system: str = Header("", alias="X-Phone-System"),
    x_phone_secret: str = Header("", alias="X-Phone-Secret"),
):
    """A phone system reports a call. Authenticated by the system's key and shared
    secret (headers), not a user token; the desk page of the agent at `extension`
    picks a ringing call up within seconds."""
    system = services.phone_system_check(key=x_phone_system, secret=x_phone_secret)
    at = (
        payload.at
        if payload.at is None or timezone.is_aware(payload.at)
        else payload.at.replace(tzinfo=timezone.get_current_timezone())
    )
    call = services.call_push(
        system=system,
        number=payload.number,
        event=payload.event,
        extension=payload.extension,
        external_id=payload.call_id,
        at=at,
        duration_s=payload.duration_s,
    )
    return {"call": call.id, "person": call.person_id}


class CallOut(Schema):
    id: int
    office: int = Field(..., alias="office_id")
    direction: str
    number: str
    person: int | None = Field(None, alias="person_id")
    agent: int | None = Field(None, alias="agent_id")
    started_at: datetime
    duration_s: int
    outcome: str
    ticket: int | None = Field(None, alias="ticket_id")
    note: str

    @staticmethod
    def resolve_number(obj) -> str:
        return mask(obj.number)


class CallIn(Schema):
    office: int
    direction: Literal["in", "out"]
    number: str
    outcome: Literal["answered", "missed", "voicemail", "no_answer"]
    started_at: datetime | None = None
    duration_s: int = Field(0, ge=0)
    person: int | None = None
    ticket: int | None = None
    note: str = ""


class CallPatch(Schema):
    ticket: int | None = None
    person: int | None = None
    note: str | None = None
    outcome: Literal["answered", "missed", "voicemail", "no_answer"] | None = None
    duration_s: int | None = Field(None, ge=0)


def _office(request: HttpRequest, office_id: int | None):
    return visible_or_404(office_list(user=request.auth), office_id, label="Office", field="office")


def _person(request: HttpRequest, person_id: int | None):
    return visible_or_404(person_list(user=request.auth), person_id, label="Person", field="person")


def _ticket(request: HttpRequest, ticket_id: int | None):
    return visible_or_404(ticket_list(user=request.auth), ticket_id, label="Ticket", field="ticket")


@router.get("/calls", response=list[CallOut])
@paginate(CursorPagination)
def call_list(request: HttpRequest, agent: int | None = None, number: str | None = None):
    try:
        return selectors.call_list(user=request.auth, agent=agent, number=number)
    except InvalidPhone as exc:
        raise BadInput("Invalid phone.", fields={"number": [str(exc)]}) from exc


@router.post("/calls", response={201: CallOut})
def call_log(request: HttpRequest, payload: CallIn):
    call = services.call_log(
        actor=request.auth,
        office=_office(request, payload.office),
        direction=payload.direction,
        number=payload.number,
        outcome=payload.outcome,
        started_at=company_time(payload.started_at, request.auth),
        duration_s=payload.duration_s,
        person=_person(request, payload.person),
        ticket=_ticket(request, payload.ticket),
        note=payload.note,
    )
    return Status(201, call)


@router.get("/calls/stats", response=dict)
def call_stats(request: HttpRequest, start: datetime, end: datetime, office: int | None = None):
    """Calls per agent, per office and per hour of the day in [start, end)."""
    _office(request, office)
    return selectors.call_stats(
        user=request.auth,
        start=company_time(start, request.auth),
        end=company_time(end, request.auth),
        office_id=office,
    )


@router.patch("/calls/{call_id}", response=CallOut)
def call_update(request: HttpRequest, call_id: int, payload: CallPatch):
    return services.call_update(
        call_id=call_id,
        actor=request.auth,
        ticket=_ticket(request, payload.ticket),
        person=_person(request, payload.person),
        note=payload.note,
        outcome=payload.outcome,
        duration_s=payload.duration_s,
    )


class CallBackOut(Schema):
    id: int
    office: int = Field(..., alias="office_id")
    number: str
    person: int | None = Field(None, alias="person_id")
    agent: int | None = Field(None, alias="agent_id")
    due_at: datetime
    reason: str
    ticket: int | None = Field(None, alias="ticket_id")
    source_call: int | None = Field(None, alias="source_call_id")
    done_at: datetime | None

    @staticmethod
    def resolve_number(obj) -> str:
        return mask(obj.number)


class CallBackIn(Schema):
    office: int
    number: str
    due_at: datetime
    reason: str = Field(..., min_length=1)
    person: int | None = None
    ticket: int | None = None


@router.get("/callbacks", response=list[CallBackOut])
@paginate(CursorPagination)
def callback_list(request: HttpRequest, mine: bool = True, due: bool = False):
    """Open call-backs: mine and the unassigned ones (missed calls); `due` only those due now."""
    return selectors.callbacks_for(
        user=request.auth, mine=mine, due_before=timezone.now() if due else None
    )


@router.post("/callbacks", response={201: CallBackOut})
def callback_schedule(request: HttpRequest, payload: CallBackIn):
    callback = services.callback_schedule(
        actor=request.auth,
        office=_office(request, payload.office),
        number=payload.number,
        due_at=company_time(payload.due_at, request.auth),
        reason=payload.reason,
        person=_person(request, payload.person),
        ticket=_ticket(request, payload.ticket),
    )
    return Status(201, callback)


@router.post("/callbacks/{callback_id}/done", response=CallBackOut)
def callback_done(request: HttpRequest, callback_id: int):
    return services.callback_done(callback_id=callback_id, actor=request.auth)


class ArticleOut(Schema):
    id: int
    category: str
    title: str
    problem: str
    solution: str
    helped: int
    office: int | None = Field(None, alias="office_id")
    source_ticket: int | None = Field(None, alias="source_ticket_id")


class ArticleIn(Schema):
    category: str
    title: str = Field(..., min_length=1, max_length=200)
    problem: str = Field(..., min_length=1)
    solution: str = Field(..., min_length=1)
    office: int | None = None


class FromTicketIn(Schema):
    ticket: int


class ArticlePage(Schema):
    results: list[ArticleOut]
    next: str | None = None


SEARCH_LIMIT = 10


def _single_page(after: str | None, reason: str) -> None:
    """A ranked list comes whole in one page (`next` is null): a cursor has nothing to
    continue, so one sent anyway is refused rather than silently ignored."""
    if after:
        message = f"{reason} comes in one page (next is null): send no cursor."
        raise BadInput(message, fields={"after": [message]})


@router.get("/kb/articles", response=ArticlePage)
def article_search(
    request: HttpRequest,
    q: str = "",
    category: str | None = None,
    limit: int | None = Query(None, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    """Without `q`: every visible article (of `category`), in id order, paged by the
    `after` cursor (default `limit` 50).

    With `q`: a search ranked by relevance - the articles sharing the most words with
    `q` (Chinese word segmentation), then the most helpful. The best `limit` matches
    (default 10) come in one page: `next` is null and `after` is refused, since a cursor
    by id cannot continue a list ranked by relevance."""
    if q.strip():
        _single_page(after, "A search (q)")
        return {
            "results": kb.article_search(
                user=request.auth, query=q, category=category, limit=limit or SEARCH_LIMIT
            ),
            "next": None,
        }
    articles = kb.article_list(user=request.auth, category=category)
    return cursor_page(articles, limit=limit or DEFAULT_LIMIT, after=after)


@router.post("/kb/articles", response={201: ArticleOut})
def article_create(request: HttpRequest, payload: ArticleIn):
    article = kb.article_create(
        actor=request.auth,
        category=payload.category,
        title=payload.title,
        problem=payload.problem,
        solution=payload.solution,
        office=_office(request, payload.office),
    )
    return Status(201, article)


@router.post("/kb/articles/from-ticket", response={201: ArticleOut})
def article_from_ticket(request: HttpRequest, payload: FromTicketIn):
    """One click: a resolved ticket's problem and resolution become an article."""
    return Status(201, kb.article_from_ticket(ticket_id=payload.ticket, actor=request.auth))


@router.post("/kb/articles/{article_id}/helped", response=ArticleOut)
def article_helped(request: HttpRequest, article_id: int):
    return kb.article_helped(article_id=article_id, actor=request.auth)


class ScriptOut(Schema):
    title: str
    text: str
    kind: str


class ScriptPage(Schema):
    results: list[ScriptOut]
    next: str | None = None


@router.get("/scripts", response=ScriptPage)
def script_list(
    request: HttpRequest,
    category: str | None = None,
    unit: int | None = None,
    community: int | None = None,
    situation: Literal["general", "emergency", "angry", "fees", "outage"] | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    """What to say, most relevant first: an open incident at the caller's building,
    then the scripts for this category and situation, then the general ones. A short
    ranked list: the first `limit` lines come in one page, `next` is null and `after`
    is refused."""
    _single_page(after, "The list of scripts")
    lines = selectors.scripts_for(
        user=request.auth,
        category=category,
        unit=visible_or_404(unit_list(user=request.auth), unit, label="Unit", field="unit"),
        community_id=community,
        situation=situation,
    )
    return {"results": lines[:limit], "next": None}
