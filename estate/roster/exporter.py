"""The roster sheet back out of the database, and the empty template to fill in.

An export is the sheet an import reads: importing a (revealed) export changes nothing.
"""

import io
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from core import phones
from core.errors import NotAllowed
from estate.models import Community, Person, PersonPhone, Unit, UnitLink
from estate.policies import can
from estate.roster.sheet import (
    AREA,
    BIRTHDAY,
    BUILDING,
    COLUMNS,
    ENTRANCE,
    NAME,
    PHONES,
    RELATION,
    RELATION_LABEL,
    RESIDENCY,
    RESIDENCY_LABEL,
    ROOM,
)
from org.models import User


def _natural(text: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text))


def _unit_parts(number: str, building: str | None, entrance: str, room: str) -> tuple:
    """楼栋, 单元, 房号 for the sheet; taken from the number for units entered without them."""
    if building and room:
        return building, entrance, room
    parts = number.split("-")
    if len(parts) == 1:
        return building or "", entrance, room or number
    return (
        building or parts[0],
        entrance or "-".join(parts[1:-1]),
        room or parts[-1],
    )


def _row(ws, values: list) -> list:
    """Text that starts with "=" stays text: openpyxl would write it as a formula, and a
    name like =HYPERLINK(…) must not become one in the office's Excel."""
    for i, value in enumerate(values):
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            values[i] = cell
    return values


def _header_cells(ws, names: Iterable[str]) -> list:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        cells.append(cell)
    return cells


_WIDTHS = {"A": 10, "B": 8, "C": 10, "D": 10, "E": 10, "F": 12, "G": 8, "H": 28, "I": 12}


def _roster_workbook() -> tuple[Workbook, object]:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("住户名册")
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    ws.append(_header_cells(ws, COLUMNS))
    return workbook, ws


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_export(*, community: Community, actor: User, reveal: bool = False) -> bytes:
    """The community's roster as the import reads it: one row per (unit, person), and one
    per unit with nobody. Phones are masked unless `reveal` (the caller checks that the
    actor may reveal, and writes the access log)."""
    if not can(actor, "manage_estate", community):
        raise NotAllowed(_("You are not allowed to do this."))
    units = list(
        Unit.objects.filter(community_id=community.id).values_list(
            "id", "number", "building__name", "entrance", "room", "area_m2", "residency"
        )
    )
    units.sort(key=lambda u: (_natural(u[1]), u[0]))
    links: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for unit_id, person_id, relation in (
        UnitLink.objects.filter(unit__community_id=community.id)
        .order_by("id")
        .values_list("unit_id", "person_id", "relation")
    ):
        links[unit_id].append((person_id, relation))
    people = {
        pk: (name, birthday)
        for pk, name, birthday in Person.objects.filter(
            unit_links__unit__community_id=community.id
        ).values_list("id", "name", "birthday")
    }
    numbers: dict[int, list[str]] = defaultdict(list)
    seen: set[int] = set()
    for pk, person_id, number in (
        PersonPhone.objects.filter(person__unit_links__unit__community_id=community.id)
        .order_by("person_id", "position", "id")
        .values_list("id", "person_id", "number")
    ):
        if pk not in seen:  # the join repeats a person's phones once per unit here
            seen.add(pk)
            numbers[person_id].append(number if reveal else phones.mask(number))

    workbook, ws = _roster_workbook()
    for unit_id, number, building, entrance, room, area, residency in units:
        building, entrance, room = _unit_parts(number, building, entrance, room)
        unit_cells = [building, entrance, room, area, RESIDENCY_LABEL.get(residency, residency)]
        unit_links = links.get(unit_id)
        if not unit_links:
            ws.append(_row(ws, [*unit_cells, None, None, None, None]))
            continue
        for person_id, relation in unit_links:
            name, birthday = people[person_id]
            ws.append(
                _row(
                    ws,
                    [
                        *unit_cells,
                        name,
                        RELATION_LABEL.get(relation, relation),
                        "/".join(numbers.get(person_id, ())) or None,
                        birthday,
                    ],
                )
            )
    return _save(workbook)


_TEMPLATE_EXAMPLES = (
    ("7号楼", "1单元", "604", Decimal("89.50"), "已入住", "张三", "业主",
     "13812345678/13912345678", date(1980, 5, 1)),
    ("A座", None, "1201", None, "出租", "李四", "租户", "13712345678", None),
)  # fmt: skip

_TEMPLATE_HELP = (
    (BUILDING, "必填", "楼栋名称，如“7号楼”“A座”。系统中没有的楼栋会自动新建。"),
    (ENTRANCE, "选填", "单元号，如“1”或“1单元”；没有单元的楼留空。"),
    (ROOM, "必填", "房号，如“604”“1201”。房屋编号为“楼栋-单元-房号”，并去掉“号楼/栋/幢/座/单元”，"
     "例如 7号楼、1单元、604 → 7-1-604；A座、1201 → A-1201。"),
    (AREA, "选填", "建筑面积，单位平方米，正数，如 89.5。"),
    (RESIDENCY, "选填", "已入住、未入住、出租 或 空置。新房屋留空为“已入住”；已有房屋留空则不变。"),
    (NAME, "选填", "住户姓名。留空表示该房屋暂无登记住户（此时不要填写电话和生日）。"),
    (RELATION, "选填", "业主、租户 或 家属，留空为“业主”。"),
    (PHONES, "选填", "一个或多个电话，用 / 、 , ， ; 或换行分隔；可带空格、横线、全角数字或 +86，"
     "统一保存为11位手机号或带区号的固定电话。"),
    (BIRTHDAY, "选填", "生日，日期格式单元格，或写作 1980-05-01、1980/5/1、1980年5月1日。"),
)  # fmt: skip

_TEMPLATE_NOTES = (
    "说明：",
    "1. 只读取第一个工作表；表头行（含“房号”和“姓名”的第一行）以上的标题行会被跳过。",
    "2. 按列名识别各列，列的顺序不限，其他列会被忽略。必须有“楼栋”“房号”“姓名”三列。",
    "3. 同一姓名且有一个电话相同即视为同一人（在本公司范围内），一人可登记多套房屋。",
    "4. 只要有一行有误，整个文件都不会导入；系统会列出每一个有误的行号和原因。",
    "5. 同一文件重复导入不会产生重复数据。",
)


def roster_template() -> bytes:
    """An empty roster: the header, two example rows, and a sheet "说明" on each column."""
    workbook, ws = _roster_workbook()
    for example in _TEMPLATE_EXAMPLES:
        ws.append(list(example))
    help_ws = workbook.create_sheet("说明")
    help_ws.column_dimensions["A"].width = 12
    help_ws.column_dimensions["B"].width = 8
    help_ws.column_dimensions["C"].width = 90
    help_ws.append(_header_cells(help_ws, ("列名", "是否必填", "填写说明")))
    for row in _TEMPLATE_HELP:
        help_ws.append(list(row))
    help_ws.append([])
    for line in _TEMPLATE_NOTES:
        help_ws.append([line])
    return _save(workbook)
