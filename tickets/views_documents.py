"""Staff UI for a ticket's documents: the panel on the ticket page (liaison form, quote,
attachments, dispute notice), its form posts, the PDFs, the files, the printable notice.

Every endpoint loads the ticket through the visibility-scoped selector (404 otherwise)
and the services check the policy themselves (403), because a client can call any
endpoint directly. Posts from htmx get the re-rendered panel back; without htmx they
redirect to the ticket page.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError, BadInput, NotAllowed, NotFound
from core.views import application_errors, render_page_or_partial
from tickets import selectors
from tickets.documents import attachments, dispute, liaison, special_services
from tickets.models import Kind, PriceItem, Ticket
from tickets.policies import can

QUOTE_ROWS = 4  # lines offered on the quote form (at least)
MAX_FORM_ROWS = 50


def _load(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return ticket


def panel_context(request: HttpRequest, ticket: Ticket, *, error: dict | None = None) -> dict:
    """What the panel shows and which buttons the user gets (only allowed ones)."""
    user = request.user
    form = liaison.liaison_of(ticket) if ticket.kind == Kind.ENGINEERING else None
    quote = special_services.quote_of(ticket)
    quote_can = special_services.quote_actions(user=user, ticket=ticket)
    price_items = []
    if "create" in quote_can:
        price_items = list(PriceItem.objects.filter(office_id=ticket.office_id, active=True))
    # The quote form starts from the current quote's lines (replacing means correcting).
    rows = [
        {
            "item_id": line.get("item_id") or "",
            "name": "" if line.get("item_id") else line.get("item", ""),
            "quantity": line.get("quantity", "1"),
            "price": ""
            if line.get("item_id") and line.get("price") == line.get("list_price")
            else line.get("price", ""),
        }
        for line in (quote.lines if quote and not quote.accepted_at else [])
    ]
    rows += [{"item_id": "", "name": "", "quantity": "1", "price": ""}] * max(
        0, QUOTE_ROWS - len(rows)
    )
    return {
        "ticket": ticket,
        "error": error or {},
        "liaison": form,
        "liaison_can": liaison.liaison_actions(user=user, ticket=ticket),
        "liaison_progress": liaison.liaison_progress_events(ticket) if form else [],
        "quote": quote,
        "quote_can": quote_can,
        "quote_total_in_words": special_services.rmb_upper(quote.total) if quote else "",
        "quote_warnings": special_services.quote_warnings(ticket, quote) if quote else [],
        "quote_rows": rows,
        "show_quote": bool(quote) or bool(quote_can),
        "price_items": price_items,
        "payment_methods": special_services.PAYMENT_METHODS,
        "payment_method": special_services.payment_method(ticket) if quote else "",
        "attachments": list(ticket.attachments.order_by("id")),
        "browser_images": attachments.BROWSER_IMAGES,
        "can_attach": can(user, "comment", ticket),
        "attachment_max_mb": f"{attachments.max_bytes() / 1024 / 1024:g}",
        "is_dispute": ticket.kind == Kind.DISPUTE,
        "is_engineering": ticket.kind == Kind.ENGINEERING,
    }


def _render_panel(request: HttpRequest, ticket_id: int, *, error: dict | None = None):
    ticket = _load(request, ticket_id)
    context = panel_context(request, ticket, error=error)
    return render_page_or_partial(request, "ticket_docs/page.html", "panel", context)


@require_GET
@application_errors
def panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The panel (htmx) or a page of its own holding it (no JavaScript)."""
    return _render_panel(request, ticket_id)


def _act(request: HttpRequest, ticket_id: int, block: str, run) -> HttpResponse:
    """Run one service for a form post and answer with the panel (or a redirect)."""
    _load(request, ticket_id)
    try:
        run()
    except ApplicationError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise  # the 403/404 page (application_errors)
        error = {"block": block, "message": exc.message, "fields": exc.fields}
        if request.htmx:
            return _render_panel(request, ticket_id, error=error)
        messages.error(request, exc.message)
        return redirect("tickets:detail", ticket_id)
    if request.htmx:
        return _render_panel(request, ticket_id)
    messages.success(request, _("Saved."))
    return redirect("tickets:detail", ticket_id)


def _date(request: HttpRequest, field: str):
    raw = (request.POST.get(field) or "").strip()
    if not raw:
        return None
    value = parse_date(raw)
    if value is None:
        raise BadInput(_("Invalid date."), fields={field: [_("Invalid date.")]})
    return value


def _local_datetime(request: HttpRequest, ticket: Ticket, field: str) -> datetime | None:
    """A `datetime-local` input, in the company's time zone."""
    raw = (request.POST.get(field) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise BadInput(_("Invalid time."), fields={field: [_("Invalid time.")]})
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo(ticket.company.timezone))
    return value


# ---- liaison form -------------------------------------------------------------------------------


@require_POST
@application_errors
def liaison_issue(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "liaison",
        lambda: liaison.liaison_issue(
            ticket_id=ticket_id,
            actor=request.user,
            contractor=request.POST.get("contractor", ""),
            contractor_contact=request.POST.get("contractor_contact", ""),
            committed_date=_date(request, "committed_date"),
        ),
    )


@require_POST
@application_errors
def liaison_progress(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "liaison",
        lambda: liaison.liaison_progress(
            ticket_id=ticket_id,
            actor=request.user,
            text=request.POST.get("text", ""),
            committed_date=_date(request, "committed_date"),
        ),
    )


@require_POST
@application_errors
def liaison_accept(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    return _act(
        request,
        ticket_id,
        "liaison",
        lambda: liaison.liaison_accept(
            ticket_id=ticket_id,
            actor=request.user,
            accepted_by_name=request.POST.get("accepted_by_name", ""),
            note=request.POST.get("note", ""),
            accepted_at=_local_datetime(request, ticket, "accepted_at"),
        ),
    )


# ---- quote ---------------------------------------------------------------------------------------


def _quote_lines(request: HttpRequest) -> list[dict]:
    """Rows `item_id_0`, `name_0`, `quantity_0`, `price_0`, … — a row counts when it picks
    an item, names a service or gives a price (the quantity alone defaults to 1)."""
    keys = ("item_id", "name", "quantity", "price")
    lines = []
    for i in range(MAX_FORM_ROWS):
        if not any(f"{k}_{i}" in request.POST for k in keys):
            break
        row = {k: (request.POST.get(f"{k}_{i}") or "").strip() for k in keys}
        if row["item_id"] or row["name"] or row["price"]:
            lines.append(row)
    return lines


@require_POST
@application_errors
def quote_create(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "quote",
        lambda: special_services.quote_create(
            ticket_id=ticket_id, actor=request.user, lines=_quote_lines(request)
        ),
    )


@require_POST
@application_errors
def quote_accept(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "quote",
        lambda: special_services.quote_accept(
            ticket_id=ticket_id,
            actor=request.user,
            accepted_by_name=request.POST.get("accepted_by_name", ""),
        ),
    )


@require_POST
@application_errors
def quote_pay(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "quote",
        lambda: special_services.quote_pay(
            ticket_id=ticket_id, actor=request.user, method=request.POST.get("method", "")
        ),
    )


@require_POST
@application_errors
def quote_confirm(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "quote",
        lambda: special_services.quote_confirm(ticket_id=ticket_id, actor=request.user),
    )


# ---- attachments ----------------------------------------------------------------------------------


@require_POST
@application_errors
def attachment_add(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _act(
        request,
        ticket_id,
        "attachments",
        lambda: attachments.attachment_add(
            ticket_id=ticket_id, actor=request.user, uploaded_file=request.FILES.get("file")
        ),
    )


@require_GET
@application_errors
def attachment_file(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """The stored file with its detected type, inline, `nosniff`; 404 unless visible."""
    attachment = attachments.attachment_open(user=request.user, attachment_id=attachment_id)
    return attachments.attachment_response(attachment)


# ---- printed documents ------------------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _document(make) -> HttpResponse:
    try:
        return make()
    except ApplicationError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise  # the 403/404 page (application_errors)
        return HttpResponseBadRequest(exc.message)


@require_GET
@application_errors
def liaison_pdf(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    raw = request.GET.get("copy") or None
    if raw is not None and raw not in {"1", "2", "3"}:
        return HttpResponseBadRequest(_("Choose 1, 2 or 3."))
    copy = int(raw) if raw else None
    suffix = f"-{copy}" if copy else ""
    return _document(
        lambda: _pdf(
            liaison.liaison_pdf(ticket=ticket, copy_for=copy), f"LX-{ticket.number}{suffix}.pdf"
        )
    )


@require_GET
@application_errors
def receipt_pdf(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    return _document(
        lambda: _pdf(
            special_services.receipt_pdf(ticket=ticket), f"{ticket.quote.receipt_number}.pdf"
        )
    )


@require_GET
@application_errors
def dispute_notice_pdf(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    return _document(
        lambda: _pdf(dispute.dispute_notice_pdf(ticket=ticket), f"TJ-{ticket.number}.pdf")
    )


@require_GET
@application_errors
def dispute_notice(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The mediation notice as a page to print (the same content as the PDF)."""
    ticket = _load(request, ticket_id)
    notice = dispute.dispute_notice_context(ticket)
    return render(
        request,
        "ticket_docs/dispute_notice.html",
        {"ticket": ticket, "notice": notice},
    )
