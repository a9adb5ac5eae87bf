"""Engineering quality problems (工程质量问题, DOMAIN §4): the work liaison form.

Register the problem, then issue a work liaison form (工作联系单) in three copies —
property company, engineering department (handed to the contractor), customer-service
centre. Engineering commits a repair date and reports progress; the service centre
chases it; the owner inspects and accepts the repair (验收). `ticket_close` refuses an
engineering ticket until that acceptance is recorded here.

Whoever may promise on the ticket (tickets.policies.can(actor, "promise", ticket)) may
issue the form, report progress and record the acceptance.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from core.errors import (
    ApplicationError,
    BadInput,
    Conflict,
    NotAllowed,
    NotFound,
    RuleViolation,
    full_clean_or_bad_input,
)
from org.models import User
from org.selectors import supervisors_of
from tickets.documents.confidentiality import Audience, complainant_view, redact
from tickets.documents.pdf import Cell, Document
from tickets.models import OPEN_STATUSES, Kind, LiaisonForm, Status, Ticket
from tickets.policies import can
from tickets.services import _event, _notify, _tz, ticket_get_for_update

ACTIONS = ("issue", "progress", "accept")
# The three copies (三联), in print order.
COPIES = {
    1: "第一联 物业公司存根",
    2: "第二联 工程部（交施工单位）",
    3: "第三联 客服中心",
}
CONTRACTOR_COPY = 2


def liaison_of(ticket: Ticket) -> LiaisonForm | None:
    return LiaisonForm.objects.filter(ticket_id=ticket.id).first()


def _state_error(ticket: Ticket, action: str, form: LiaisonForm | None) -> ApplicationError | None:
    """Why `action` is impossible in the ticket's (and form's) current state, or None."""
    if action == "issue":
        if ticket.status not in OPEN_STATUSES:
            return Conflict(
                _("A liaison form is issued only while the ticket is open."),
                code="invalid_transition",
            )
        if form is not None:
            return Conflict(_("The liaison form was already issued."), code="liaison_exists")
        return None
    if form is None:
        return RuleViolation(_("Issue the liaison form first."), code="liaison_missing")
    if form.accepted_at is not None:
        return Conflict(_("The owner has already accepted the repair."), code="liaison_accepted")
    if action == "progress" and ticket.status not in OPEN_STATUSES:
        return Conflict(
            _("Progress is reported only while the ticket is open."), code="invalid_transition"
        )
    if action == "accept" and ticket.status not in (*OPEN_STATUSES, Status.RESOLVED):
        return Conflict(
            _("The acceptance is recorded before the ticket is closed."),
            code="invalid_transition",
        )
    return None


def _may(user: User, ticket: Ticket) -> bool:
    return can(user, "promise", ticket)


def liaison_actions(*, user: User, ticket: Ticket) -> set[str]:
    """The liaison actions `user` may take on `ticket` now (for showing buttons)."""
    if ticket.kind != Kind.ENGINEERING or not _may(user, ticket):
        return set()
    form = liaison_of(ticket)
    return {a for a in ACTIONS if _state_error(ticket, a, form) is None}


def _begin(actor: User, ticket_id: int, action: str) -> tuple[Ticket, LiaisonForm | None]:
    """Lock the ticket (404 when not visible), then state (409/422), policy (403), kind."""
    ticket = ticket_get_for_update(user=actor, ticket_id=ticket_id)
    form = LiaisonForm.objects.select_for_update().filter(ticket_id=ticket.id).first()
    error = _state_error(ticket, action, form)
    if error is not None:
        raise error
    if not _may(actor, ticket):
        raise NotAllowed(_("You are not allowed to do this to this ticket."))
    if ticket.kind != Kind.ENGINEERING:
        raise RuleViolation(
            _("A work liaison form is only for engineering quality problems."),
            code="not_engineering",
        )
    return ticket, form


def _today(ticket: Ticket) -> date:
    return timezone.now().astimezone(_tz(ticket)).date()


def _check_committed(ticket: Ticket, committed_date: date | None) -> None:
    if committed_date is not None and committed_date < _today(ticket):
        raise RuleViolation(
            _("The committed repair date may not be in the past."),
            fields={"committed_date": [_("In the past.")]},
        )


def _tell(ticket: Ticket, actor: User, verb: str, text: str) -> None:
    ids = [ticket.assignee_id] if ticket.assignee_id else []
    if ticket.department_id:
        ids += [u.id for u in supervisors_of(department=ticket.department)]
    _notify(ids, verb, text, ticket, skip=actor)


@transaction.atomic
def liaison_issue(
    *,
    ticket_id: int,
    actor: User,
    contractor: str,
    contractor_contact: str = "",
    committed_date: date | None = None,
) -> LiaisonForm:
    """Issue the work liaison form `LX-<ticket number>` to the contractor."""
    ticket, _form = _begin(actor, ticket_id, "issue")
    contractor = (contractor or "").strip()
    if not contractor:
        raise BadInput(
            _("Name the contractor."), fields={"contractor": [_("This field is required.")]}
        )
    _check_committed(ticket, committed_date)
    form = LiaisonForm(
        ticket=ticket,
        number=f"LX-{ticket.number}",
        contractor=contractor,
        contractor_contact=(contractor_contact or "").strip(),
        committed_date=committed_date,
        issued_at=timezone.now(),
        issued_by=actor,
    )
    full_clean_or_bad_input(form)
    form.save()
    _event(
        ticket,
        actor,
        "liaison_issue",
        from_status=ticket.status,
        text=f"{form.number} {contractor}",
        data={
            "number": form.number,
            "contractor": contractor,
            "contractor_contact": form.contractor_contact,
            "committed_date": committed_date.isoformat() if committed_date else None,
        },
    )
    ticket.save(update_fields=["updated_at"])
    _tell(ticket, actor, "liaison_issued", _("Liaison form %(n)s issued") % {"n": form.number})
    return form


@transaction.atomic
def liaison_progress(
    *, ticket_id: int, actor: User, text: str, committed_date: date | None = None
) -> LiaisonForm:
    """Engineering reports back (contractor contacted, repair date, work done); a new
    committed date replaces the old one, and both stay in the timeline."""
    text = (text or "").strip()
    if not text:
        raise BadInput(
            _("This field is required."), fields={"text": [_("This field is required.")]}
        )
    ticket, form = _begin(actor, ticket_id, "progress")
    _check_committed(ticket, committed_date)
    data: dict = {"number": form.number}
    if committed_date is not None and committed_date != form.committed_date:
        data["committed_date"] = {
            "old": form.committed_date.isoformat() if form.committed_date else None,
            "new": committed_date.isoformat(),
        }
        form.committed_date = committed_date
        form.save(update_fields=["committed_date"])
    _event(ticket, actor, "liaison_progress", from_status=ticket.status, text=text, data=data)
    ticket.save(update_fields=["updated_at"])
    return form


@transaction.atomic
def liaison_accept(
    *,
    ticket_id: int,
    actor: User,
    accepted_by_name: str,
    note: str = "",
    accepted_at: datetime | None = None,
) -> LiaisonForm:
    """Record that the owner inspected and accepted the repair (验收). `accepted_at` may
    be an earlier time (back-entry) but not in the future nor before the form was issued."""
    accepted_by_name = (accepted_by_name or "").strip()
    if not accepted_by_name:
        raise BadInput(
            _("Who accepted the repair?"),
            fields={"accepted_by_name": [_("This field is required.")]},
        )
    ticket, form = _begin(actor, ticket_id, "accept")
    now = timezone.now()
    if accepted_at is None:
        accepted_at = now
    elif timezone.is_naive(accepted_at):
        raise BadInput(
            _("Give the time with its offset."), fields={"accepted_at": [_("Time zone missing.")]}
        )
    if accepted_at > now:
        raise RuleViolation(
            _("The time may not be in the future."), fields={"accepted_at": [_("In the future.")]}
        )
    # Times typed in a form carry minutes only: the minute of issue itself is allowed.
    if accepted_at < form.issued_at.replace(second=0, microsecond=0):
        raise RuleViolation(
            _("The repair cannot be accepted before the liaison form was issued."),
            fields={"accepted_at": [_("Before the form was issued.")]},
        )
    accepted_at = max(accepted_at, form.issued_at)
    form.accepted_at = accepted_at
    form.accepted_by_name = accepted_by_name[:50]
    form.acceptance_note = note or ""
    form.save(update_fields=["accepted_at", "accepted_by_name", "acceptance_note"])
    _event(
        ticket,
        actor,
        "liaison_accept",
        from_status=ticket.status,
        text=note or "",
        data={
            "number": form.number,
            "accepted_by_name": form.accepted_by_name,
            "accepted_at": accepted_at.isoformat(),
        },
    )
    ticket.save(update_fields=["updated_at"])
    _tell(ticket, actor, "liaison_accepted", _("Owner accepted %(n)s") % {"n": form.number})
    return form


def liaison_progress_events(ticket: Ticket) -> list:
    return list(ticket.events.filter(action="liaison_progress").order_by("at", "id"))


# ---- the printed form ---------------------------------------------------------------------


def _d(value: date | datetime | None, ticket: Ticket) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_tz(ticket)).date()
    return f"{value.year}年{value.month}月{value.day}日"


def liaison_pdf(*, ticket: Ticket, copy_for: int | None = None) -> bytes:
    """The 工作联系单: the three copies, one page each (or only `copy_for`, 1–3).

    The second copy goes to the engineering department and on to the contractor: it
    carries the complainant's name, unit and phone only with their consent; otherwise
    the location is the community and building, the room to be shown by the service
    centre, and free text is redacted.
    """
    form = liaison_of(ticket)
    if form is None:
        raise NotFound(_("No liaison form was issued for this ticket."), code="liaison_missing")
    if copy_for is not None and copy_for not in COPIES:
        raise BadInput(_("Unknown copy."), fields={"copy": [_("Choose 1, 2 or 3.")]})
    tz = _tz(ticket)
    doc = Document(
        title=f"工作联系单 {form.number}",
        author=ticket.company.name,
        subject=ticket.title,
        footer=f"{ticket.company.name} {ticket.office.name}  {form.number}",
        printed_on=timezone.now().astimezone(tz).date(),
    )
    progress = liaison_progress_events(ticket)
    copies = [copy_for] if copy_for else list(COPIES)
    for index, copy in enumerate(copies):
        if index:
            doc.new_page()
        audience = Audience.CONTRACTOR if copy == CONTRACTOR_COPY else Audience.OFFICE
        _draw_copy(doc, ticket, form, progress, copy, audience)
    return doc.finish()


def _draw_copy(doc: Document, ticket, form: LiaisonForm, progress, copy: int, audience) -> None:
    who = complainant_view(ticket, audience=audience)
    tz = _tz(ticket)

    def scrub(text: str) -> str:
        return redact(text, ticket, audience=audience)

    doc.title(f"{ticket.company.name}", size=14)
    doc.title("工 作 联 系 单", size=20, subtitle=COPIES[copy])
    doc.line(f"编号：{form.number}", f"填发日期：{_d(form.issued_at, ticket)}")
    committed = _d(form.committed_date, ticket) or "____年____月____日"
    owner = who["name"]
    if who["disclosed"]:
        phone = who["phone"] if audience != Audience.OFFICE else who["phone_masked"]
        owner = " ".join(p for p in (who["name"], phone) if p)
    if audience == Audience.OFFICE:
        location = who["location"]
    else:
        location = who["location"] or who["community"]
    if progress:
        lines = [f"{e.at.astimezone(tz):%m-%d %H:%M} {scrub(e.text)}" for e in progress[-6:]]
        progress_text = "\n".join(lines)
    else:
        progress_text = ""
    rows = [
        [Cell("管理处", ticket.office.name), Cell("工单号", ticket.number)],
        [Cell("小区", ticket.community.name), Cell("楼栋", who["building"] or "—")],
        [Cell("具体位置", location, span=2)],
        [Cell("业主", owner or "—", span=2)],
        [Cell("问题", scrub(ticket.title), span=2, max_lines=2)],
        [
            Cell(
                "问题描述",
                scrub(ticket.description),
                span=2,
                min_lines=8,
                max_lines=10,
            )
        ],
        [Cell("施工单位", form.contractor), Cell("联系人", form.contractor_contact or "")],
        [Cell("承诺修复日期", committed), Cell("发单人", str(form.issued_by or ""))],
        [Cell("处理进度", progress_text, span=2, min_lines=6, max_lines=7)],
    ]
    if form.accepted_at:
        accepted_by = form.accepted_by_name if who["disclosed"] else "业主"
        acceptance = (
            f"{accepted_by}于{_d(form.accepted_at, ticket)}验收。{scrub(form.acceptance_note)}"
        )
    else:
        acceptance = "□ 合格    □ 不合格    意见："
    rows.append([Cell("业主验收", acceptance, span=2, min_lines=3, max_lines=4)])
    doc.form(rows, label_width=28 * mm)
    doc.signatures(["业主验收签字：", "日期："])
    doc.signatures(["施工单位签字：", "日期："])
    doc.signatures(["工程部签字：", "客服中心签字："])
    doc.space(4 * mm)
    doc.paragraph(
        "说明：本联系单一式三联，第一联物业公司存根，第二联工程部（交施工单位），第三联客服中心。"
        "施工单位应于承诺日期前完成修复并回复工程部；客服中心跟进时限并陪同业主验收。",
        size=8.5,
    )
