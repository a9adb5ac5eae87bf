"""The mediation notice (调解通知) to the other side of a dispute between owners.

It says what the matter is and what the office asks, and leaves a line for the meeting
time. It never names the complainant — name, unit, phone — unless they agreed
(`ticket.complainant_consent`); see confidentiality.py. The same content is printed as
a PDF and shown as an HTML page for printing.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from core.errors import NotFound
from tickets.categories import categories_for
from tickets.documents.confidentiality import Audience, complainant_view, redact
from tickets.documents.pdf import Document
from tickets.models import Kind, Ticket, TicketParty
from tickets.services import _tz

# What the office asks of the other side, by category; DEFAULT_REQUEST otherwise.
REQUESTS = {
    "noise": "请合理安排作息、装修及娱乐活动时间，午休（12:00—14:00）及夜间（22:00—次日7:00）"
    "避免产生噪音，以免影响邻里休息。",
    "pets": "请文明饲养宠物：出户牵绳，及时清理宠物粪便，避免宠物吠叫扰邻。",
    "parking": "请将车辆停放在本人车位或指定区域，不占用他人车位及消防通道。",
    "decoration": "请遵守《装修管理规定》，按规定时间施工，做好防护，及时清运装修垃圾。",
    "hygiene": "请保持公共区域整洁，不在楼道堆放杂物，垃圾分类投放。",
    "water": "请配合物业服务处入户查看是否存在渗漏，如有需要请及时安排维修。",
    "facilities": "请爱护公共设施，不擅自占用、改动公共部位。",
}
DEFAULT_REQUEST = "请您与物业服务处联系，共同协商解决，维护邻里和睦。"


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def dispute_notice_context(ticket: Ticket) -> dict:
    """Everything the notice says, for the PDF and the HTML page alike."""
    if ticket.kind != Kind.DISPUTE:
        raise NotFound(
            _("A mediation notice is only for disputes between owners."), code="not_dispute"
        )
    tz = _tz(ticket)
    respondents = [p for p in ticket.parties.all() if p.side == TicketParty.Side.RESPONDENT]
    addressee_parts = []
    for party in respondents:
        unit = party.unit.number if party.unit else ""
        name = party.person.name if party.person else ""
        addressee_parts.append(" ".join(p for p in (unit, name) if p))
    addressee = "、".join(p for p in addressee_parts if p) or "住户"
    who = complainant_view(ticket, audience=Audience.OTHER_SIDE)
    category = categories_for(ticket.office).get(ticket.category)
    with translation.override("zh-hans"):  # the notice is printed in Chinese
        category_name = str(category.name) if category else ""
    matter = redact(ticket.title, ticket, audience=Audience.OTHER_SIDE)
    if who["disclosed"]:
        reporter = f"本小区业主{who['name']}"
        if who["unit"]:
            reporter += f"（{who['unit']}）"
    else:
        reporter = "本小区业主"
    return {
        "company": ticket.company.name,
        "office": ticket.office.name,
        "community": ticket.community.name,
        "number": f"TJ-{ticket.number}",
        "addressee": addressee,
        "received_on": _date(ticket.received_at.astimezone(tz)),
        "reporter": reporter,
        "category": category_name,
        "matter": matter,
        "request": REQUESTS.get(ticket.category, DEFAULT_REQUEST),
        "disclosed": who["disclosed"],
        "complainant": who,
        "today": _date(timezone.now().astimezone(tz)),
    }


def dispute_notice_pdf(*, ticket: Ticket) -> bytes:
    """调解通知 for the respondent, one page."""
    ctx = dispute_notice_context(ticket)
    tz = _tz(ticket)
    doc = Document(
        title=f"调解通知 {ctx['number']}",
        author=ctx["company"],
        subject="调解通知",
        footer=f"{ctx['company']} {ctx['office']}  {ctx['number']}",
        printed_on=timezone.now().astimezone(tz).date(),
    )
    doc.title(ctx["company"], size=14)
    doc.title("调 解 通 知", size=20)
    doc.line("", f"编号：{ctx['number']}")
    doc.space(6)
    doc.line(f"{ctx['addressee']}：", size=12)
    doc.space(4)
    matter = ctx["matter"]
    if ctx["category"]:
        matter = f"{ctx['category']}方面的问题（{matter}）"
    doc.paragraph(
        f"您好！{ctx['office']}于{ctx['received_on']}接到{ctx['reporter']}反映：{matter}。"
        "为维护良好的邻里关系和小区生活秩序，现将有关情况告知您。",
        size=12,
        first_line_indent=True,
    )
    doc.paragraph(ctx["request"], size=12, first_line_indent=True)
    doc.paragraph(
        "物业服务处拟组织双方进行协商调解，请您于下列时间到物业服务处参加；"
        "如时间不便，请来电另行约定。感谢您的理解与配合！",
        size=12,
        first_line_indent=True,
    )
    doc.space(6)
    doc.signatures(["调解时间：", "调解地点："], size=12)
    doc.signatures(["联系人：", "联系电话："], size=12)
    doc.space(14 * mm)
    doc.line("", f"{ctx['office']}（盖章）", size=12)
    doc.line("", ctx["today"], size=12)
    doc.space(10)
    doc.rule(dashed=True)
    doc.paragraph(
        "本通知仅送达当事方，请勿张贴或转发。物业服务处依法保护反映人的个人信息。",
        size=8.5,
    )
    return doc.finish()
