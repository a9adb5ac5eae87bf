"""API: return visits (API.md, Return visits)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from core.api import MAX_LIMIT, company_time, cursor_page, visible_or_404
from core.errors import NotFound
from org.models import User
from org.selectors import staff_list
from visits import selectors, services
from visits.models import ReturnVisit, VisitRecord

router = Router(tags=["return visits"])


class VisitOut(Schema):
    id: int
    ticket: int | None = Field(None, alias="ticket_id")
    person: int | None = Field(None, alias="person_id")
    unit: int | None = Field(None, alias="unit_id")
    rule: str | None
    purpose: str
    topic: str
    assignee: int | None = Field(None, alias="assignee_id")
    due_from: datetime
    due_by: datetime
    status: str
    done_at: datetime | None
    qualified: bool | None

    @staticmethod
    def resolve_rule(obj: ReturnVisit) -> str | None:
        return obj.rule.code if obj.rule_id else None

    @staticmethod
    def resolve_status(obj: ReturnVisit) -> str:
        return selectors.state_of(obj, timezone.now())


class RecordOut(Schema):
    id: int
    version: int
    supersedes: int | None = Field(None, alias="supersedes_id")
    method: str
    visited_at: datetime
    quality: str
    result: str
    satisfaction: int
    shortcomings: str
    opinions: str
    qualified: bool
    signature_kind: str
    signed_at: datetime | None
    content_hash: str
    recorded_by: int = Field(..., alias="recorded_by_id")
    recorded_at: datetime
    correction_reason: str


class VisitDetailOut(VisitOut):
    records: list[RecordOut]

    @staticmethod
    def resolve_records(obj: ReturnVisit) -> list[VisitRecord]:
        return list(obj.records.all())


class VisitPage(Schema):
    results: list[VisitOut]
    next: str | None = None


@router.get("/return-visits", response=VisitPage)
def visit_list(
    request: HttpRequest,
    status: Literal["due", "done", "overdue", "upcoming"] | None = None,
    community: int | None = None,
    assignee: int | None = None,
    ticket: int | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    qs = selectors.visit_list(
        user=request.auth, state=status, community=community, assignee=assignee, ticket=ticket
    )
    return cursor_page(qs, limit=limit, after=after)


def _detail(request: HttpRequest, visit_id: int) -> ReturnVisit:
    visit = selectors.visit_get(user=request.auth, visit_id=visit_id)
    if visit is None:
        raise NotFound("Return visit not found.")
    return visit


@router.get("/return-visits/{visit_id}", response=VisitDetailOut)
def visit_get(request: HttpRequest, visit_id: int):
    return _detail(request, visit_id)


class SignatureIn(Schema):
    kind: Literal["drawn", "sms_code"]
    data: str = Field(..., min_length=1)


class RecordIn(Schema):
    method: Literal["phone", "face_to_face", "on_site"]
    visited_at: datetime | None = None
    # Free text, required by API.md (an empty string says "nothing to note").
    quality: str
    result: str
    satisfaction: int = Field(..., ge=1, le=5)
    shortcomings: str
    opinions: str
    qualified: bool
    signature: SignatureIn | None = None


class CorrectionIn(RecordIn):
    reason: str = Field(..., min_length=1)


def _record_fields(payload: RecordIn, user: User) -> dict:
    return {
        "method": payload.method,
        "visited_at": company_time(payload.visited_at, user),
        "quality": payload.quality,
        "result": payload.result,
        "satisfaction": payload.satisfaction,
        "shortcomings": payload.shortcomings,
        "opinions": payload.opinions,
        "qualified": payload.qualified,
        "signature": payload.signature.dict() if payload.signature else None,
    }


@router.post("/return-visits/{visit_id}/record", response=VisitDetailOut)
def visit_record(request: HttpRequest, visit_id: int, payload: RecordIn):
    """Record the visit; an unqualified one reopens its ticket (to in_progress)."""
    _detail(request, visit_id)
    services.visit_record(
        visit_id=visit_id, actor=request.auth, **_record_fields(payload, request.auth)
    )
    return _detail(request, visit_id)


@router.post("/return-visits/{visit_id}/correct", response=VisitDetailOut)
def visit_correct(request: HttpRequest, visit_id: int, payload: CorrectionIn):
    """A new version of the record; the signed one is kept unchanged."""
    _detail(request, visit_id)
    services.visit_correct(
        visit_id=visit_id,
        actor=request.auth,
        reason=payload.reason,
        **_record_fields(payload, request.auth),
    )
    return _detail(request, visit_id)


class CodeIn(Schema):
    phone: str | None = None


class CodeOut(Schema):
    sent_to: str
    expires_at: datetime


@router.post("/return-visits/{visit_id}/send-code", response=CodeOut)
def visit_send_code(request: HttpRequest, visit_id: int, payload: CodeIn):
    """Send the owner a one-time code to confirm the record by phone."""
    from core.phones import mask

    _detail(request, visit_id)
    sent = services.visit_send_code(visit_id=visit_id, actor=request.auth, phone=payload.phone)
    return {"sent_to": mask(sent.phone), "expires_at": sent.expires_at}


class AssignIn(Schema):
    assignee: int


@router.post("/return-visits/{visit_id}/assign", response=VisitDetailOut)
def visit_assign(request: HttpRequest, visit_id: int, payload: AssignIn):
    _detail(request, visit_id)
    assignee = visible_or_404(
        staff_list(user=request.auth), payload.assignee, label="assignee", field="assignee"
    )
    services.visit_assign(visit_id=visit_id, actor=request.auth, assignee=assignee)
    return _detail(request, visit_id)
