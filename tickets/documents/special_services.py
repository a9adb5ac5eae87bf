"""Paid special services (特约服务, DOMAIN §3): repairs outside the service contract.

State the price before the work (报价), the owner accepts it (确认报价), pays and gets a
receipt (收据), and confirms the work was done (确认完工). The office keeps a price list
(`PriceItem`) that office managers and company admins maintain.

Rules decided here:
- A quote belongs to a repair ticket. It may be made, or replaced, while the ticket is
  new, assigned or escalated; once work has started (in_progress) it may still be
  replaced until the owner accepts it. An accepted quote is never changed.
- The owner accepts before the work; an acceptance recorded after the work started (up
  to the ticket's resolution) is still taken, flagged `after_start` in its event, so
  the payment can be recorded. Payment only after acceptance (422 before); the owner
  confirms the work only after the ticket is resolved.
- Receipt numbers: `SJ-<office code>-<yyyymmdd>-<seq>`, a per-office daily sequence
  drawn while the office row is locked (lock order: ticket, then office).
- `tickets.services.ticket_start` refuses (422) a ticket whose quote the owner has
  not accepted; the UI and the API also show it as a warning (`quote_warnings`).
"""

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import (
    ApplicationError,
    BadInput,
    Conflict,
    NotAllowed,
    NotFound,
    RuleViolation,
    full_clean_or_bad_input,
)
from org.models import Department, Office, Role, User
from org.policies import office_ids_for, scope_by_office
from tickets.documents.pdf import Document
from tickets.models import Kind, PriceItem, ServiceQuote, Status, Ticket
from tickets.policies import can, member_of_department
from tickets.services import _event, _tz, ticket_get_for_update

CENT = Decimal("0.01")
MAX_TOTAL = Decimal("99999999.99")  # ServiceQuote.total: 10 digits, 2 decimals
MAX_QUANTITY = Decimal("9999")
QUOTE_KINDS = frozenset({Kind.REPAIR})
QUOTE_STATES = frozenset({Status.NEW, Status.ASSIGNED, Status.ESCALATED, Status.IN_PROGRESS})
ACTIONS = ("create", "accept", "pay", "confirm")
PAYMENT_METHODS = {
    "cash": gettext_lazy("Cash"),
    "wechat": gettext_lazy("WeChat Pay"),
    "alipay": gettext_lazy("Alipay"),
    "card": gettext_lazy("Bank card"),
    "transfer": gettext_lazy("Bank transfer"),
}
# Printed on the receipt, which is always in Chinese.
PAYMENT_METHODS_ZH = {
    "cash": "现金",
    "wechat": "微信支付",
    "alipay": "支付宝",
    "card": "银行卡",
    "transfer": "银行转账",
}


# ---- money ----------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _section(n: int) -> str:
    """0 < n < 10000 in capitals, zeros inside collapsed to one 零: 1010 → 壹仟零壹拾."""
    out = ""
    zero = False
    for power in range(3, -1, -1):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _SMALL_UNITS[power]
    return out


def rmb_upper(amount: Decimal | int | str) -> str:
    """An amount in Chinese capital numerals (大写), as 票据 are filled in:
    120 → 壹佰贰拾元整, 1680.32 → 壹仟陆佰捌拾元零叁角贰分, 0.5 → 伍角,
    107000.53 → 壹拾万柒仟元零伍角叁分, 325.04 → 叁佰贰拾伍元零肆分."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amount")
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if yuan >= 10**16:
        raise ValueError("amount too large")
    if fen_total == 0:
        return "零元整"
    out = ""
    if yuan:
        sections = []
        n = yuan
        while n:
            sections.append(n % 10000)
            n //= 10000
        need_zero = False
        for index in range(len(sections) - 1, -1, -1):
            part = sections[index]
            if part == 0:
                need_zero = bool(out)
                continue
            if out and (need_zero or part < 1000):
                out += "零"
            out += _section(part) + _BIG_UNITS[index]
            need_zero = False
        out += "元"
    if jiao == 0 and fen == 0:
        return out + "整"
    if jiao:
        if yuan and yuan % 10 == 0:
            out += "零"  # 1680.32 → …捌拾元零叁角…
        out += _DIGITS[jiao] + "角"
    elif yuan:
        out += "零"  # 325.04 → …伍元零肆分
    if fen:
        out += _DIGITS[fen] + "分"
    return out


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT):,.2f}"


def _decimal(raw, field: str) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise BadInput(_("Invalid number."), fields={field: [_("Not a number.")]}) from exc
    if not value.is_finite():
        raise BadInput(_("Invalid number."), fields={field: [_("Not a number.")]})
    return value


def _plain(value: Decimal) -> str:
    """2.50 → "2.5", 3.00 → "3": quantities as people write them."""
    return format(value.normalize(), "f")


# ---- the price list -------------------------------------------------------------------------


def price_item_list(*, user: User, office_id: int | None = None, active: bool | None = None):
    qs: QuerySet[PriceItem] = scope_by_office(user, PriceItem.objects.all(), "office_id")
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("office_id", "name", "id")


def _may_keep_prices(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.OFFICE_MANAGER, Role.COMPANY_ADMIN)


def _check_price_fields(name: str | None, unit: str | None, price) -> dict:
    clean: dict = {}
    if name is not None:
        if not name.strip():
            raise BadInput(_("Name the service."), fields={"name": [_("This field is required.")]})
        clean["name"] = name.strip()
    if unit is not None:
        if not unit.strip():
            raise BadInput(_("Give the unit."), fields={"unit": [_("This field is required.")]})
        clean["unit"] = unit.strip()
    if price is not None:
        value = _decimal(price, "price")
        if value < 0 or value > MAX_TOTAL or value != value.quantize(CENT):
            raise BadInput(
                _("Invalid price."), fields={"price": [_("From 0, at most two decimals.")]}
            )
        clean["price"] = value.quantize(CENT)
    return clean


def _save_item(item: PriceItem) -> PriceItem:
    full_clean_or_bad_input(item)
    item.save()
    return item


def price_item_create(
    *, actor: User, office: Office, name: str, price, unit: str = "次", active: bool = True
) -> PriceItem:
    """Add a service to an office's price list (office managers, company admins)."""
    ids = office_ids_for(actor)
    if ids is not None and office.id not in ids:
        raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})
    if not _may_keep_prices(actor):
        raise NotAllowed(_("Only office managers and company admins keep the price list."))
    clean = _check_price_fields(name, unit, price)
    if PriceItem.objects.filter(office=office, name=clean["name"], active=True).exists():
        raise BadInput(
            _("The price list already has this service."),
            fields={"name": [_("Already on the price list.")]},
        )
    return _save_item(PriceItem(office=office, active=active, **clean))


@transaction.atomic
def price_item_update(
    *,
    actor: User,
    item_id: int,
    name: str | None = None,
    price=None,
    unit: str | None = None,
    active: bool | None = None,
) -> PriceItem:
    """Change a price-list row. Quotes already made keep the price they stated."""
    item = price_item_list(user=actor).select_for_update().filter(id=item_id).first()
    if item is None:
        raise NotFound(_("Price item not found."))
    if not _may_keep_prices(actor):
        raise NotAllowed(_("Only office managers and company admins keep the price list."))
    for field, value in _check_price_fields(name, unit, price).items():
        setattr(item, field, value)
    if active is not None:
        item.active = active
    if (
        item.active
        and PriceItem.objects.filter(office_id=item.office_id, name=item.name, active=True)
        .exclude(id=item.id)
        .exists()
    ):
        raise BadInput(
            _("The price list already has this service."),
            fields={"name": [_("Already on the price list.")]},
        )
    return _save_item(item)


# ---- quotes: state and policy -------------------------------------------------------------------


def quote_of(ticket: Ticket) -> ServiceQuote | None:
    return ServiceQuote.objects.filter(ticket_id=ticket.id).first()


def _state_error(
    ticket: Ticket, action: str, quote: ServiceQuote | None
) -> ApplicationError | None:
    """Why `action` is impossible in the ticket's and quote's current state, or None."""
    if action == "create":
        if ticket.status not in QUOTE_STATES:
            return Conflict(
                _("A price is stated only before the work is done."), code="invalid_transition"
            )
        if quote is not None and quote.accepted_at is not None:
            return Conflict(
                _("The owner accepted this quote; it cannot be replaced."), code="quote_accepted"
            )
        # In progress: a first quote (paid work found on site) or a replacement, as long
        # as the owner has not accepted one: still stated before the paid part is done.
        return None
    if quote is None:
        return RuleViolation(_("State the price first."), code="quote_missing")
    if action == "accept":
        if quote.accepted_at is not None:
            return Conflict(_("The quote was already accepted."), code="quote_accepted")
        # Late acceptance (work already done) is still recorded, so the payment can be;
        # the event says it came late.
        if ticket.status not in (*QUOTE_STATES, Status.RESOLVED):
            return Conflict(
                _("A quote is accepted before the ticket is closed."), code="invalid_transition"
            )
        return None
    if action == "pay":
        if quote.payment != ServiceQuote.Payment.UNPAID:
            return Conflict(_("The quote is already paid."), code="quote_paid")
        if ticket.status == Status.CANCELLED:
            return Conflict(_("The ticket was cancelled."), code="invalid_transition")
        if quote.accepted_at is None:
            return RuleViolation(
                _("The owner has to accept the quote before paying."), code="quote_not_accepted"
            )
        return None
    if action == "confirm":
        if quote.confirmed_at is not None:
            return Conflict(_("The owner already confirmed the work."), code="quote_confirmed")
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            return Conflict(
                _("The owner confirms the work after it is resolved."),
                code="invalid_transition",
            )
        if quote.accepted_at is None:
            return RuleViolation(
                _("The owner never accepted the quote."), code="quote_not_accepted"
            )
        return None
    raise ValueError(action)


def _accounting_member(user: User, ticket: Ticket) -> bool:
    ids = Department.objects.filter(
        office_id=ticket.office_id, kind=Department.Kind.ACCOUNTING
    ).values_list("id", flat=True)
    return any(member_of_department(user, i) for i in ids)


def _may(user: User, ticket: Ticket, action: str) -> bool:
    """Who may act on a quote: whoever may promise on the ticket states the price; the
    owner's acceptance and confirmation may also be recorded by the front desk (the owner
    often comes to the counter); payment also by the front desk and the office's
    accounting department (收银)."""
    if can(user, "promise", ticket):
        return True
    if action in {"accept", "confirm"}:
        return user.has_role(Role.RECEPTIONIST, Role.HOTLINE_AGENT)
    if action == "pay":
        return user.has_role(Role.RECEPTIONIST) or _accounting_member(user, ticket)
    return False


def quote_actions(*, user: User, ticket: Ticket) -> set[str]:
    """The quote actions `user` may take on `ticket` now (for showing buttons)."""
    if ticket.kind not in QUOTE_KINDS:
        return set()
    quote = quote_of(ticket)
    return {a for a in ACTIONS if _state_error(ticket, a, quote) is None and _may(user, ticket, a)}


def quote_warnings(ticket: Ticket, quote: ServiceQuote | None = None) -> list[dict]:
    """Warnings to show with a quote: {"code", "message"}."""
    quote = quote if quote is not None else quote_of(ticket)
    if quote is None or quote.accepted_at is not None:
        return []
    if ticket.status in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        return [
            {
                "code": "started_before_acceptance",
                "message": _(
                    "Work started before the owner accepted the price. Get the owner's "
                    "acceptance now."
                ),
            }
        ]
    return [
        {
            "code": "not_accepted",
            "message": _("The owner has not accepted the price yet: do not start the work."),
        }
    ]


def _begin(actor: User, ticket_id: int, action: str) -> tuple[Ticket, ServiceQuote | None]:
    """Lock the ticket (404), then state (409/422), policy (403), kind (422)."""
    ticket = ticket_get_for_update(user=actor, ticket_id=ticket_id)
    quote = ServiceQuote.objects.select_for_update().filter(ticket_id=ticket.id).first()
    error = _state_error(ticket, action, quote)
    if error is not None:
        raise error
    if not _may(actor, ticket, action):
        raise NotAllowed(_("You are not allowed to do this to this ticket."))
    if ticket.kind not in QUOTE_KINDS:
        raise RuleViolation(
            _("Paid special services are quoted on repair requests only."),
            code="not_a_repair",
        )
    return ticket, quote


# ---- quotes: actions ---------------------------------------------------------------------------


def _lines(ticket: Ticket, raw_lines: list[dict]) -> tuple[list[dict], Decimal]:
    """Check the lines and price them: [{"item", "item_id", "quantity", "unit", "price",
    "amount"}] (numbers as strings) and the total, all in Decimal."""
    if not raw_lines:
        raise BadInput(_("Add at least one line."), fields={"lines": [_("No lines.")]})
    items = {i.id: i for i in PriceItem.objects.filter(office_id=ticket.office_id, active=True)}
    lines: list[dict] = []
    total = Decimal("0")
    for n, raw in enumerate(raw_lines):
        item_id = raw.get("item_id")
        item = None
        if item_id not in (None, ""):
            try:
                item = items.get(int(item_id))
            except (TypeError, ValueError):
                item = None
            if item is None:
                raise BadInput(
                    _("Not on the office's price list."),
                    fields={f"lines.{n}.item_id": [_("Not on the price list.")]},
                )
        name = (raw.get("name") or "").strip() or (item.name if item else "")
        if not name:
            raise BadInput(
                _("Name the service or pick it from the price list."),
                fields={f"lines.{n}.name": [_("This field is required.")]},
            )
        raw_quantity = raw.get("quantity")
        quantity = _decimal(
            1 if raw_quantity in (None, "") else raw_quantity, f"lines.{n}.quantity"
        )
        if quantity <= 0 or quantity > MAX_QUANTITY or quantity != quantity.quantize(CENT):
            raise BadInput(
                _("Invalid quantity."),
                fields={f"lines.{n}.quantity": [_("More than 0, at most two decimals.")]},
            )
        raw_price = raw.get("price")
        if raw_price in (None, ""):
            if item is None:
                raise BadInput(
                    _("Give the price."),
                    fields={f"lines.{n}.price": [_("This field is required.")]},
                )
            price = item.price
        else:
            price = _decimal(raw_price, f"lines.{n}.price")
        if price < 0 or price != price.quantize(CENT):
            raise BadInput(
                _("Invalid price."),
                fields={f"lines.{n}.price": [_("From 0, at most two decimals.")]},
            )
        amount = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
        total += amount
        lines.append(
            {
                "item": name[:100],
                "item_id": item.id if item else None,
                "quantity": _plain(quantity),
                "unit": ((raw.get("unit") or "").strip() or (item.unit if item else "次"))[:20],
                "price": str(price.quantize(CENT)),
                "list_price": str(item.price) if item else None,
                "amount": str(amount),
            }
        )
    if total > MAX_TOTAL:
        raise BadInput(_("The total is too large."), fields={"lines": [_("Total too large.")]})
    return lines, total.quantize(CENT)


@transaction.atomic
def quote_create(*, ticket_id: int, actor: User, lines: list[dict]) -> ServiceQuote:
    """State the price of a paid service before the work: each line an `item_id` from the
    office's price list (its price unless `price` is given) or a `name` with a `price`,
    and a `quantity` (default 1). Replaces a quote the owner has not accepted yet."""
    ticket, quote = _begin(actor, ticket_id, "create")
    priced, total = _lines(ticket, lines)
    old = None
    if quote is None:
        quote = ServiceQuote(ticket=ticket)
    else:
        old = {"total": str(quote.total), "lines": quote.lines}
    quote.lines = priced
    quote.total = total
    quote.quoted_at = timezone.now()
    quote.quoted_by = actor
    quote.save()
    _event(
        ticket,
        actor,
        "quote_replace" if old else "quote_create",
        from_status=ticket.status,
        text=f"¥{_money(total)}",
        data={"total": str(total), "lines": priced, **({"old": old} if old else {})},
    )
    ticket.save(update_fields=["updated_at"])
    return quote


@transaction.atomic
def quote_accept(*, ticket_id: int, actor: User, accepted_by_name: str) -> ServiceQuote:
    """Record that the owner accepted the stated price (before the work starts)."""
    accepted_by_name = (accepted_by_name or "").strip()
    if not accepted_by_name:
        raise BadInput(
            _("Who accepted the price?"),
            fields={"accepted_by_name": [_("This field is required.")]},
        )
    ticket, quote = _begin(actor, ticket_id, "accept")
    quote.accepted_at = timezone.now()
    quote.accepted_by_name = accepted_by_name[:50]
    quote.save(update_fields=["accepted_at", "accepted_by_name"])
    _event(
        ticket,
        actor,
        "quote_accept",
        from_status=ticket.status,
        text=f"{quote.accepted_by_name} ¥{_money(quote.total)}",
        data={
            "accepted_by_name": quote.accepted_by_name,
            "total": str(quote.total),
            "after_start": ticket.status in (Status.IN_PROGRESS, Status.RESOLVED),
        },
    )
    ticket.save(update_fields=["updated_at"])
    return quote


def _next_receipt_number(ticket: Ticket, paid_at: datetime) -> str:
    """`SJ-A1-20261125-0003`. Call holding the office's row lock."""
    day = paid_at.astimezone(_tz(ticket)).date()
    prefix = f"SJ-{ticket.office.code.upper()}-{day:%Y%m%d}-"
    used = ServiceQuote.objects.filter(
        ticket__office_id=ticket.office_id, receipt_number__startswith=prefix
    ).values_list("receipt_number", flat=True)
    last = max((int(m.group(1)) for r in used if (m := re.search(r"-(\d+)$", r))), default=0)
    return f"{prefix}{last + 1:04d}"


@transaction.atomic
def quote_pay(*, ticket_id: int, actor: User, method: str) -> ServiceQuote:
    """Record the payment of an accepted quote and give it the next receipt number."""
    if method not in PAYMENT_METHODS:
        raise BadInput(
            _("Unknown payment method."),
            fields={"method": [_("One of: %(m)s.") % {"m": ", ".join(PAYMENT_METHODS)}]},
        )
    ticket, quote = _begin(actor, ticket_id, "pay")
    # Lock order: ticket, then office. The office row serialises receipt numbers.
    Office.objects.select_for_update().filter(id=ticket.office_id).first()
    quote.paid_at = timezone.now()
    quote.payment = ServiceQuote.Payment.PAID
    quote.receipt_number = _next_receipt_number(ticket, quote.paid_at)
    quote.save(update_fields=["paid_at", "payment", "receipt_number"])
    _event(
        ticket,
        actor,
        "quote_pay",
        from_status=ticket.status,
        text=f"{quote.receipt_number} ¥{_money(quote.total)}",
        data={
            "method": method,
            "receipt_number": quote.receipt_number,
            "total": str(quote.total),
        },
    )
    ticket.save(update_fields=["updated_at"])
    return quote


@transaction.atomic
def quote_confirm(*, ticket_id: int, actor: User) -> ServiceQuote:
    """Record that the owner confirmed the paid work was done (after it was resolved)."""
    ticket, quote = _begin(actor, ticket_id, "confirm")
    quote.confirmed_at = timezone.now()
    quote.save(update_fields=["confirmed_at"])
    _event(ticket, actor, "quote_confirm", from_status=ticket.status)
    ticket.save(update_fields=["updated_at"])
    return quote


def payment_method(ticket: Ticket) -> str:
    """The method recorded with the payment (it lives on the timeline event)."""
    event = ticket.events.filter(action="quote_pay").order_by("-at", "-id").first()
    return (event.data or {}).get("method", "") if event else ""


# ---- the receipt -----------------------------------------------------------------------------


def receipt_pdf(*, ticket: Ticket) -> bytes:
    """收据 for a paid quote: company, receipt number, owner and unit, the lines, the total
    in figures and in capitals (大写), date, payment method, signature lines."""
    quote = quote_of(ticket)
    if quote is None or quote.payment != ServiceQuote.Payment.PAID:
        raise NotFound(_("No receipt: the quote is not paid."), code="receipt_missing")
    tz = _tz(ticket)
    paid_on = quote.paid_at.astimezone(tz).date()
    doc = Document(
        title=f"收据 {quote.receipt_number}",
        author=ticket.company.name,
        subject=f"特约服务收费 {ticket.number}",
        footer=f"{ticket.company.name} {ticket.office.name}  {quote.receipt_number}",
        printed_on=timezone.now().astimezone(tz).date(),
    )
    doc.title(ticket.company.name, size=14)
    doc.title("收    据", size=22, subtitle="特约服务收费")
    doc.line(
        f"收据号：{quote.receipt_number}",
        f"日期：{paid_on.year}年{paid_on.month}月{paid_on.day}日",
    )
    payer = ticket.person.name if ticket.person else (quote.accepted_by_name or "")
    place = " ".join(
        p for p in (ticket.community.name, ticket.unit.number if ticket.unit else "") if p
    )
    doc.line(f"交款人：{payer}", f"房号：{place}")
    doc.line(f"工单号：{ticket.number}", f"服务处：{ticket.office.name}")
    doc.space(2)
    rows = [
        [
            str(i),
            line["item"],
            line["unit"],
            line["quantity"],
            _money(Decimal(line["price"])),
            _money(Decimal(line["amount"])),
        ]
        for i, line in enumerate(quote.lines, start=1)
    ]
    doc.table(
        ["序号", "服务项目", "单位", "数量", "单价（元）", "金额（元）"],
        rows,
        widths=[0.6, 3.6, 0.8, 0.9, 1.4, 1.5],
        aligns="clccrr",
        min_rows=3,
    )
    doc.table(
        ["合计（大写）", f"人民币{rmb_upper(quote.total)}", "小写", f"¥{_money(quote.total)}"],
        [],
        widths=[1.4, 4.5, 0.9, 2.0],
        aligns="llcr",
    )
    doc.space(2)
    method = PAYMENT_METHODS_ZH.get(payment_method(ticket), "")
    doc.line(f"收款方式：{method}", "本收据盖章有效")
    doc.signatures(["收款人（签字）：", "交款人（签字）："])
    doc.signatures(["收款单位（盖章）："], per_row=2)
    doc.space(6)
    doc.paragraph(
        "说明：特约服务为物业服务合同约定以外的有偿服务，服务前已向业主明示收费标准并经业主确认。",
        size=8.5,
    )
    return doc.finish()
