"""The work list as an Excel sheet, with Chinese headers as offices keep their sheets.

Row 1 says what was exported (and, past MAX_ROWS, that the list was cut); row 2 holds
the headers; the tickets follow from row 3, in the order of the list.
"""

import io
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from tickets.categories import CategoryConfig
from tickets.models import Ticket

MAX_ROWS = 10_000

COLUMNS: tuple[tuple[str, int], ...] = (
    ("编号", 18),
    ("受理时间", 17),
    ("小区", 14),
    ("房号", 11),
    ("业主/联系人", 11),
    ("类型", 12),
    ("渠道", 12),
    ("类别", 10),
    ("标题", 32),
    ("状态", 9),
    ("责任部门", 12),
    ("处理人", 10),
    ("承诺时限", 17),
    ("超期", 6),
    ("解决时间", 17),
    ("关闭时间", 17),
)
DATE_FORMAT = "yyyy-mm-dd hh:mm"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _local(value: datetime | None) -> datetime | None:
    """Excel has no time zones: the local time of the company (the active zone)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _cell(ws, value, *, date: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if date:
        cell.number_format = DATE_FORMAT
    return cell


def _header(ws) -> list[WriteOnlyCell]:
    cells = []
    for name, _width in COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        cells.append(cell)
    return cells


def _row(ws, t: Ticket, now: datetime, categories: dict[int, dict[str, CategoryConfig]]) -> list:
    config = categories.get(t.office_id, {}).get(t.category)
    overdue = t.is_open and t.due_at is not None and t.due_at < now
    return [
        _cell(ws, t.number),
        _cell(ws, _local(t.received_at), date=True),
        _cell(ws, t.community.name),
        _cell(ws, t.unit.number if t.unit_id else ""),
        _cell(ws, t.person.name if t.person_id else ""),
        _cell(ws, str(t.get_kind_display())),
        _cell(ws, str(t.get_channel_display())),
        _cell(ws, str(config.name) if config else t.category),
        _cell(ws, t.title),
        _cell(ws, str(t.get_status_display())),
        _cell(ws, t.department.name if t.department_id else ""),
        _cell(ws, str(t.assignee) if t.assignee_id else ""),
        _cell(ws, _local(t.due_at), date=True),
        _cell(ws, "是" if overdue else ""),
        _cell(ws, _local(t.resolved_at), date=True),
        _cell(ws, _local(t.closed_at), date=True),
    ]


def tickets_workbook(
    tickets: Iterable[Ticket],
    *,
    total: int,
    now: datetime,
    categories: dict[int, dict[str, CategoryConfig]],
    title: str = "",
) -> bytes:
    """The tickets (a queryset with community, unit, person, department and assignee
    selected) as .xlsx bytes; at most MAX_ROWS of them, `total` being how many matched.
    `categories`: each office's categories by code, for their names."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("工单")
    for (_name, width), letter in zip(COLUMNS, LETTERS, strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    heading = f"工单导出 {title} · 导出时间 {_local(now):%Y-%m-%d %H:%M} · 共 {total} 条"
    if total > MAX_ROWS:
        heading += f" · 仅导出前 {MAX_ROWS} 条，请缩小筛选范围后分批导出"
    title_cell = WriteOnlyCell(ws, value=heading.replace("  ", " "))
    title_cell.font = Font(bold=True)
    ws.append([title_cell])
    ws.append(_header(ws))
    rows = tickets[:MAX_ROWS] if hasattr(tickets, "query") else list(tickets)[:MAX_ROWS]
    # The labels of kinds, channels and states in Chinese, like the headers.
    with translation.override("zh-hans"):
        iterator = rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows
        for ticket in iterator:
            ws.append(_row(ws, ticket, now, categories))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
