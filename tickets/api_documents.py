"""API: a ticket's documents — work liaison form, paid special services (price list,
quote, payment, receipt), attachments, the dispute mediation notice.

Conventions as in tickets/api.py: errors via core.errors, 201 for POSTs that create,
200 for actions, 404 when the ticket is not visible to the caller. Money is given as
decimal strings ("120.00").
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from core.api import MAX_LIMIT, company_time, cursor_page, visible_or_404
from core.errors import NotFound
from org.models import Office, User
from org.policies import visible as org_visible
from tickets import selectors
from tickets.documents import attachments, dispute, liaison, special_services
from tickets.models import Attachment, LiaisonForm, ServiceQuote, Ticket

router = Router(tags=["ticket documents"])

PaymentMethod = Literal["cash", "wechat", "alipay", "card", "transfer"]


def _binary(content_type: str, description: str) -> dict:
    """OpenAPI for an endpoint that answers with a file instead of JSON."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


PDF = _binary("application/pdf", "The PDF, shown inline.")


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket if the caller may see it; 404 before anything else otherwise."""
    ticket = selectors.ticket_get(user=request.auth, ticket_id=ticket_id)
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- work liaison form (工作联系单) ----------------------------------------------------------


class LiaisonIn(Schema):
    contractor: str = Field(..., min_length=1, max_length=100)
    contractor_contact: str = Field("", max_length=100)
    committed_date: date | None = None


class LiaisonProgressIn(Schema):
    text: str = Field(..., min_length=1)
    committed_date: date | None = None


class LiaisonAcceptIn(Schema):
    accepted_by_name: str = Field(..., min_length=1, max_length=50)
    note: str = ""
    accepted_at: datetime | None = None


class ProgressOut(Schema):
    at: datetime
    actor: int | None = Field(None, alias="actor_id")
    text: str
    data: dict


class LiaisonOut(Schema):
    id: int
    ticket: int = Field(..., alias="ticket_id")
    number: str
    contractor: str
    contractor_contact: str
    committed_date: date | None
    issued_at: datetime
    issued_by: int | None = Field(None, alias="issued_by_id")
    accepted_at: datetime | None
    accepted_by_name: str
    acceptance_note: str
    progress: list[ProgressOut]

    @staticmethod
    def resolve_progress(obj: LiaisonForm) -> list:
        return liaison.liaison_progress_events(obj.ticket)


def _liaison_out(ticket_id: int) -> LiaisonForm:
    return LiaisonForm.objects.select_related("ticket").get(ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/liaison", response={201: LiaisonOut})
def liaison_issue(request: HttpRequest, ticket_id: int, payload: LiaisonIn):
    """Issue the work liaison form of an engineering quality problem."""
    _ticket(request, ticket_id)
    liaison.liaison_issue(
        ticket_id=ticket_id,
        actor=request.auth,
        contractor=payload.contractor,
        contractor_contact=payload.contractor_contact,
        committed_date=payload.committed_date,
    )
    return Status(201, _liaison_out(ticket_id))


@router.get("/tickets/{ticket_id}/liaison", response=LiaisonOut)
def liaison_get(request: HttpRequest, ticket_id: int):
    _ticket(request, ticket_id)
    form = LiaisonForm.objects.select_related("ticket").filter(ticket_id=ticket_id).first()
    if form is None:
        raise NotFound("No liaison form was issued for this ticket.")
    return form


@router.post("/tickets/{ticket_id}/liaison/progress", response=LiaisonOut)
def liaison_progress(request: HttpRequest, ticket_id: int, payload: LiaisonProgressIn):
    _ticket(request, ticket_id)
    liaison.liaison_progress(
        ticket_id=ticket_id,
        actor=request.auth,
        text=payload.text,
        committed_date=payload.committed_date,
    )
    return _liaison_out(ticket_id)


@router.post("/tickets/{ticket_id}/liaison/accept", response=LiaisonOut)
def liaison_accept(request: HttpRequest, ticket_id: int, payload: LiaisonAcceptIn):
    """The owner's acceptance of the repair (验收); needed before the ticket is closed."""
    _ticket(request, ticket_id)
    liaison.liaison_accept(
        ticket_id=ticket_id,
        actor=request.auth,
        accepted_by_name=payload.accepted_by_name,
        note=payload.note,
        accepted_at=company_time(payload.accepted_at, request.auth),
    )
    return _liaison_out(ticket_id)


@router.get("/tickets/{ticket_id}/liaison.pdf", openapi_extra=PDF)
def liaison_pdf(
    request: HttpRequest,
    ticket_id: int,
    copy_for: int | None = Query(None, alias="copy", ge=1, le=3),
):
    """The form in three copies (one page each); `?copy=2` for the contractor's copy only."""
    ticket = _ticket(request, ticket_id)
    content = liaison.liaison_pdf(ticket=ticket, copy_for=copy_for)
    suffix = f"-{copy_for}" if copy_for else ""
    return _pdf(content, f"LX-{ticket.number}{suffix}.pdf")


# ---- price list --------------------------------------------------------------------------------


class PriceItemIn(Schema):
    office: int
    name: str = Field(..., min_length=1, max_length=100)
    unit: str = Field("次", min_length=1, max_length=20)
    price: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2)
    active: bool = True


class PriceItemPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    unit: str | None = Field(None, min_length=1, max_length=20)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    active: bool | None = None


class PriceItemOut(Schema):
    id: int
    office: int = Field(..., alias="office_id")
    name: str
    unit: str
    price: Decimal
    active: bool


class PriceItemPage(Schema):
    results: list[PriceItemOut]
    next: str | None = None


@router.get("/price-items", response=PriceItemPage)
def price_item_list(
    request: HttpRequest,
    office: int | None = None,
    active: bool | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    """The price lists of the offices the caller may see."""
    qs = special_services.price_item_list(user=request.auth, office_id=office, active=active)
    return cursor_page(qs, limit=limit, after=after)


@router.post("/price-items", response={201: PriceItemOut})
def price_item_create(request: HttpRequest, payload: PriceItemIn):
    user: User = request.auth
    office = visible_or_404(
        org_visible(user, Office.objects.all()), payload.office, label="office", field="office"
    )
    item = special_services.price_item_create(
        actor=user,
        office=office,
        name=payload.name,
        unit=payload.unit,
        price=payload.price,
        active=payload.active,
    )
    return Status(201, item)


@router.patch("/price-items/{item_id}", response=PriceItemOut)
def price_item_update(request: HttpRequest, item_id: int, payload: PriceItemPatch):
    return special_services.price_item_update(
        actor=request.auth,
        item_id=item_id,
        name=payload.name,
        unit=payload.unit,
        price=payload.price,
        active=payload.active,
    )


# ---- quote, payment, receipt (特约服务) --------------------------------------------------------


class QuoteLineIn(Schema):
    item_id: int | None = None
    name: str | None = Field(None, max_length=100)
    unit: str | None = Field(None, max_length=20)
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=8, decimal_places=2)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class QuoteIn(Schema):
    lines: list[QuoteLineIn] = Field(..., min_length=1)


class QuoteAcceptIn(Schema):
    accepted_by_name: str = Field(..., min_length=1, max_length=50)


class QuotePayIn(Schema):
    method: PaymentMethod


class QuoteLineOut(Schema):
    item: str
    item_id: int | None = None
    quantity: str
    unit: str
    price: str
    list_price: str | None = None
    amount: str


class WarningOut(Schema):
    code: str
    message: str


class QuoteOut(Schema):
    ticket: int = Field(..., alias="ticket_id")
    lines: list[QuoteLineOut]
    total: Decimal
    total_in_words: str
    quoted_at: datetime
    quoted_by: int | None = Field(None, alias="quoted_by_id")
    accepted_at: datetime | None
    accepted_by_name: str
    payment: str
    paid_at: datetime | None
    receipt_number: str
    confirmed_at: datetime | None
    warnings: list[WarningOut]

    @staticmethod
    def resolve_total_in_words(obj: ServiceQuote) -> str:
        return special_services.rmb_upper(obj.total)

    @staticmethod
    def resolve_warnings(obj: ServiceQuote) -> list[dict]:
        return special_services.quote_warnings(obj.ticket, obj)


def _quote_out(ticket_id: int) -> ServiceQuote:
    return ServiceQuote.objects.select_related("ticket").get(ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/quote", response={201: QuoteOut})
def quote_create(request: HttpRequest, ticket_id: int, payload: QuoteIn):
    """State the price before the work; replaces a quote the owner has not accepted."""
    _ticket(request, ticket_id)
    special_services.quote_create(
        ticket_id=ticket_id,
        actor=request.auth,
        lines=[line.model_dump() for line in payload.lines],
    )
    return Status(201, _quote_out(ticket_id))


@router.get("/tickets/{ticket_id}/quote", response=QuoteOut)
def quote_get(request: HttpRequest, ticket_id: int):
    _ticket(request, ticket_id)
    quote = ServiceQuote.objects.select_related("ticket").filter(ticket_id=ticket_id).first()
    if quote is None:
        raise NotFound("No quote on this ticket.")
    return quote


@router.post("/tickets/{ticket_id}/quote/accept", response=QuoteOut)
def quote_accept(request: HttpRequest, ticket_id: int, payload: QuoteAcceptIn):
    _ticket(request, ticket_id)
    special_services.quote_accept(
        ticket_id=ticket_id, actor=request.auth, accepted_by_name=payload.accepted_by_name
    )
    return _quote_out(ticket_id)


@router.post("/tickets/{ticket_id}/quote/pay", response=QuoteOut)
def quote_pay(request: HttpRequest, ticket_id: int, payload: QuotePayIn):
    """Record the payment of an accepted quote; gives the receipt number."""
    _ticket(request, ticket_id)
    special_services.quote_pay(ticket_id=ticket_id, actor=request.auth, method=payload.method)
    return _quote_out(ticket_id)


@router.post("/tickets/{ticket_id}/quote/confirm", response=QuoteOut)
def quote_confirm(request: HttpRequest, ticket_id: int):
    """The owner confirms the paid work was done (after the ticket is resolved)."""
    _ticket(request, ticket_id)
    special_services.quote_confirm(ticket_id=ticket_id, actor=request.auth)
    return _quote_out(ticket_id)


@router.get("/tickets/{ticket_id}/receipt.pdf", openapi_extra=PDF)
def receipt_pdf(request: HttpRequest, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    content = special_services.receipt_pdf(ticket=ticket)
    return _pdf(content, f"{ticket.quote.receipt_number}.pdf")


# ---- attachments --------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    ticket: int = Field(..., alias="ticket_id")
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int | None = Field(None, alias="uploaded_by_id")
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api-v1:attachment_get", args=[obj.id])


class AttachmentPage(Schema):
    results: list[AttachmentOut]
    next: str | None = None


@router.post("/tickets/{ticket_id}/attachments", response={201: AttachmentOut})
def attachment_add(request: HttpRequest, ticket_id: int, file: File[UploadedFile]):
    """Attach a photo (JPEG, PNG, WebP, HEIC) or a PDF, ≤ 10 MB, as multipart `file`.
    The type is read from the content; anything else is 400."""
    _ticket(request, ticket_id)
    attachment = attachments.attachment_add(
        ticket_id=ticket_id, actor=request.auth, uploaded_file=file
    )
    return Status(201, attachment)


@router.get("/tickets/{ticket_id}/attachments", response=AttachmentPage)
def attachment_list(
    request: HttpRequest,
    ticket_id: int,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    _ticket(request, ticket_id)
    return cursor_page(Attachment.objects.filter(ticket_id=ticket_id), limit=limit, after=after)


@router.get(
    "/attachments/{attachment_id}",
    url_name="attachment_get",
    openapi_extra=_binary("application/octet-stream", "The file, with its detected type."),
)
def attachment_get(request: HttpRequest, attachment_id: int):
    """The file itself, with its detected type; 404 unless the caller may see the ticket."""
    attachment = attachments.attachment_open(user=request.auth, attachment_id=attachment_id)
    return attachments.attachment_response(attachment)


# ---- disputes ---------------------------------------------------------------------------------


@router.get("/tickets/{ticket_id}/dispute-notice.pdf", openapi_extra=PDF)
def dispute_notice_pdf(request: HttpRequest, ticket_id: int):
    """调解通知 for the other side; the complainant is not named without their consent."""
    ticket = _ticket(request, ticket_id)
    return _pdf(dispute.dispute_notice_pdf(ticket=ticket), f"TJ-{ticket.number}.pdf")
