"""The printed visit sheet 《回访记录表》: one A4 page per visit, in Chinese.

A visit not recorded yet prints with empty boxes to fill in by hand at the owner's home
(and the owner signs on paper); a recorded one prints its current version, with the
owner's drawn signature in the signature box. Phones are masked, as on screen.

The layout uses the shared form helper tickets.documents.pdf (CID font STSong-Light,
extractable text); the tick boxes and the signature box are drawn here.
"""

from collections.abc import Iterable
from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from core import phones
from tickets.documents import pdf
from tickets.documents.pdf import Cell, Document
from visits.models import ReturnVisit, VisitRecord

TITLE = "回访记录表"
LABEL_WIDTH = 28 * mm
METHODS = (("phone", "电话"), ("face_to_face", "面谈"), ("on_site", "现场"))
SATISFACTION = ((5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意"))
QUALIFIED = ((True, "合格"), (False, "不合格（重新派工处理）"))
PURPOSES = {
    ReturnVisit.Purpose.ROUTINE: "日常走访",
    ReturnVisit.Purpose.FESTIVAL: "节日慰问",
    ReturnVisit.Purpose.TOPIC: "专题调查",
}
BLANK_TIME = "　　年　　月　　日　　时　分"
BOX = 3.4 * mm  # a tick box
SIGNATURE_HEIGHT = 34 * mm


def _when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _current(visit: ReturnVisit) -> VisitRecord | None:
    records = list(visit.records.all())
    return max(records, key=lambda r: r.version) if records else None


def _phone(visit: ReturnVisit) -> str:
    if visit.person is None:
        return ""
    numbers = [p.number for p in visit.person.phones.all()]
    return phones.mask(numbers[0]) if numbers else ""


def _matter(visit: ReturnVisit) -> str:
    ticket = visit.ticket
    if ticket is None:
        kind = PURPOSES.get(visit.purpose, "上门走访")
        return f"{kind}：{visit.topic}" if visit.topic else kind
    lines = [f"{ticket.number}　{ticket.title}"]
    if ticket.resolution:
        lines.append(f"处理结果：{ticket.resolution}")
    if ticket.resolved_at:
        lines.append(f"处理完毕：{_when(ticket.resolved_at)}")
    return "\n".join(lines)


def _text(doc: Document, x: float, y: float, text: str, size: float = pdf.BODY) -> None:
    doc.c.setFont(pdf.FONT, size)
    doc.c.drawString(x, y, text)


def _label_box(doc: Document, x: float, top: float, height: float, label: str) -> None:
    c = doc.c
    c.setFillColor(pdf.SHADE)
    c.rect(x, top - height, LABEL_WIDTH, height, stroke=0, fill=1)
    c.setFillColor(black)
    c.setFont(pdf.FONT, pdf.BODY)
    c.drawCentredString(x + LABEL_WIDTH / 2, top - height / 2 - pdf.BODY * 0.35, label)
    c.setLineWidth(0.6)
    c.rect(x, top - height, LABEL_WIDTH, height, stroke=1, fill=0)


def _tick_box(doc: Document, x: float, y: float, checked: bool) -> None:
    """A square on the text's baseline; ticked with a drawn check mark (the CID font
    has no ☑)."""
    c = doc.c
    c.setLineWidth(0.7)
    c.rect(x, y - 0.5, BOX, BOX, stroke=1, fill=0)
    if checked:
        c.setLineWidth(1.4)
        path = c.beginPath()
        path.moveTo(x + 0.6 * mm, y + 1.6 * mm)
        path.lineTo(x + 1.4 * mm, y + 0.5 * mm)
        path.lineTo(x + 3.0 * mm, y + 3.2 * mm)
        c.drawPath(path, stroke=1, fill=0)
        c.setLineWidth(0.6)


def _choices(doc: Document, label: str, options: Iterable[tuple[object, str]], selected) -> None:
    """A row of tick boxes: label | □ a　□ b　□ c (the recorded one ticked)."""
    height = pdf.BODY + 2 * pdf.PAD + 2 * mm
    doc.ensure(height)
    top = doc.y
    _label_box(doc, doc.left, top, height, label)
    x = doc.left + LABEL_WIDTH + pdf.PAD + 1 * mm
    baseline = top - height / 2 - pdf.BODY * 0.35
    for value, text in options:
        _tick_box(doc, x, baseline, value == selected)
        x += BOX + 1.5 * mm
        _text(doc, x, baseline, text)
        x += pdf.text_width(text) + 6 * mm
    doc.c.setLineWidth(0.6)
    doc.c.rect(doc.left + LABEL_WIDTH, top - height, doc.width - LABEL_WIDTH, height)
    doc.y = top - height


def _signature_row(doc: Document, visit: ReturnVisit, record: VisitRecord | None) -> None:
    """业主签字 | the owner's signature (drawn image, SMS confirmation or blank) ‖
    回访人签字 | who entered the record (or blank)."""
    height = SIGNATURE_HEIGHT
    doc.ensure(height)
    top = doc.y
    value_width = (doc.width - 2 * LABEL_WIDTH) / 2
    c = doc.c
    small = pdf.BODY - 1.5

    x = doc.left
    _label_box(doc, x, top, height, "业主签字")
    box_x = x + LABEL_WIDTH
    c.rect(box_x, top - height, value_width, height)
    date_line = top - height + pdf.PAD + 0.5 * mm
    if (
        record
        and record.signature_kind == VisitRecord.SignatureKind.DRAWN
        and record.signature_image
    ):
        image = ImageReader(BytesIO(bytes(record.signature_image)))
        c.drawImage(
            image,
            box_x + pdf.PAD,
            date_line + small + 1 * mm,
            value_width - 2 * pdf.PAD,
            height - 2 * pdf.PAD - small - 2 * mm,
            preserveAspectRatio=True,
            anchor="c",
            mask="auto",
        )
        _text(doc, box_x + pdf.PAD, date_line, f"签字时间：{_when(record.signed_at)}", small)
    elif record and record.signature_kind == VisitRecord.SignatureKind.SMS_CODE:
        masked = phones.mask(record.signature_phone) if record.signature_phone else ""
        _text(doc, box_x + pdf.PAD, top - pdf.PAD - pdf.BODY, "短信验证码确认")
        _text(doc, box_x + pdf.PAD, top - pdf.PAD - pdf.BODY * 2.6, masked)
        _text(doc, box_x + pdf.PAD, date_line, f"确认时间：{_when(record.signed_at)}", small)
    else:
        _text(doc, box_x + pdf.PAD, date_line, "日期：　　　年　　月　　日", small)

    x = box_x + value_width
    _label_box(doc, x, top, height, "回访人签字")
    box_x = x + LABEL_WIDTH
    c.rect(box_x, top - height, value_width, height)
    if record:
        _text(doc, box_x + pdf.PAD, top - pdf.PAD - pdf.BODY, f"{record.recorded_by}（系统录入）")
        _text(doc, box_x + pdf.PAD, date_line, f"录入时间：{_when(record.recorded_at)}", small)
    else:
        _text(doc, box_x + pdf.PAD, date_line, "日期：　　　年　　月　　日", small)
    doc.y = top - height


def _sheet(doc: Document, visit: ReturnVisit) -> None:
    record = _current(visit)
    person = visit.person
    name = person.name if person else ""
    if person and person.address_as:
        name += f"（{person.address_as}）"
    unit = f"{visit.unit.community.name} {visit.unit.number}" if visit.unit else ""
    window = f"{_when(visit.due_from, '%Y-%m-%d')} 至 {_when(visit.due_by, '%Y-%m-%d')}"
    doc.title(TITLE, subtitle=f"{visit.office.name}　　编号 HF-{visit.id:06d}")
    doc.form(
        [
            [Cell("业主姓名", name), Cell("房号", unit)],
            [Cell("联系电话", _phone(visit)), Cell("回访人", str(visit.assignee or ""))],
            [Cell("回访事项", _matter(visit), span=2, min_lines=3, max_lines=6)],
            [
                Cell("应回访期限", window),
                Cell("回访时间", _when(record.visited_at) if record else BLANK_TIME),
            ],
        ],
        label_width=LABEL_WIDTH,
    )
    _choices(doc, "回访方式", METHODS, record.method if record else None)
    doc.form(
        [
            [Cell("质量评价", record.quality if record else "", span=2, min_lines=3, max_lines=5)],
            [
                Cell(
                    "服务结果评价",
                    record.result if record else "",
                    span=2,
                    min_lines=3,
                    max_lines=5,
                )
            ],
        ],
        label_width=LABEL_WIDTH,
    )
    _choices(doc, "满意度", SATISFACTION, record.satisfaction if record else None)
    doc.form(
        [
            [
                Cell(
                    "不足之处",
                    record.shortcomings if record else "",
                    span=2,
                    min_lines=3,
                    max_lines=5,
                )
            ],
            [Cell("业主意见", record.opinions if record else "", span=2, min_lines=4, max_lines=6)],
        ],
        label_width=LABEL_WIDTH,
    )
    _choices(doc, "是否合格", QUALIFIED, record.qualified if record else None)
    _signature_row(doc, visit, record)
    doc.space(2 * mm)
    if record:
        parts = [f"第 {record.version} 版记录"]
        if record.content_hash:
            parts.append(f"内容摘要 SHA-256 {record.content_hash[:16]}…")
        if record.correction_reason:
            parts.append(f"更正原因：{record.correction_reason}")
        doc.paragraph("　".join(parts), size=pdf.BODY - 2, max_lines=3)
    doc.paragraph(
        "说明：回访须由业主签字为证；回访不合格的，工单重新派工处理，并再次回访。",
        size=pdf.BODY - 2,
    )


def visit_sheets_pdf(visits: list[ReturnVisit], *, printed_on: date) -> bytes:
    """One sheet per visit. Visits should come with person__phones, records, unit and
    its community, ticket, office and company loaded."""
    company = visits[0].company.name if visits else ""
    doc = Document(
        title=TITLE,
        author=company,
        subject="回访记录",
        footer=f"{company}　业主服务台" if company else "业主服务台",
        printed_on=printed_on,
    )
    if not visits:
        doc.title(TITLE)
        doc.paragraph("没有符合条件的回访。")
    for index, visit in enumerate(visits):
        if index:
            doc.new_page()
        _sheet(doc, visit)
    return doc.finish()
