"""The roster sheet's format (API.md, "Estate and people") and step 1 of an import:
reading the sheet and checking every row in memory, with no database work."""

import contextlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from core import phones
from core.errors import BadInput
from estate.models import Building, Person, Relation, Residency, Unit
from estate.roster.types import RowError

# ---- the sheet's columns ----------------------------------------------------------------

BUILDING = "楼栋"
ENTRANCE = "单元"
ROOM = "房号"
AREA = "建筑面积"
RESIDENCY = "入住状态"
NAME = "姓名"
RELATION = "关系"
PHONES = "电话"
BIRTHDAY = "生日"

#: The columns in the order the export and the template write them.
COLUMNS = (BUILDING, ENTRANCE, ROOM, AREA, RESIDENCY, NAME, RELATION, PHONES, BIRTHDAY)
#: The header is the first row naming both of these.
HEADER_KEYS = (ROOM, NAME)
#: Without these the sheet cannot be read at all (BadInput, not a row error).
REQUIRED_COLUMNS = (BUILDING, ROOM, NAME)

RESIDENCY_BY_LABEL = {
    "已入住": Residency.OCCUPIED,
    "未入住": Residency.NOT_MOVED_IN,
    "未收楼": Residency.NOT_MOVED_IN,  # DOMAIN.md: 未入住 / 未收楼 are the same status
    "出租": Residency.RENTED,
    "空置": Residency.VACANT,
    **{value: value for value in Residency.values},
}
RESIDENCY_LABEL = {
    Residency.OCCUPIED: "已入住",
    Residency.NOT_MOVED_IN: "未入住",
    Residency.RENTED: "出租",
    Residency.VACANT: "空置",
}
RELATION_BY_LABEL = {
    "业主": Relation.OWNER,
    "租户": Relation.TENANT,
    "租客": Relation.TENANT,
    "家属": Relation.FAMILY,
    **{value: value for value in Relation.values},
}
RELATION_LABEL = {Relation.OWNER: "业主", Relation.TENANT: "租户", Relation.FAMILY: "家属"}

# Suffixes dropped from each part of a unit number: 7号楼-1单元-604 → 7-1-604.
_SUFFIXES = ("号楼", "单元", "栋", "幢", "座")
_AREA_UNITS = ("平方米", "平米", "m2", "平")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_HEADER_NOTE = re.compile(r"\(.*\)$")  # 建筑面积(㎡) → 建筑面积 (after NFKC: （ → ()
_MAX_AREA = Decimal("999999.99")  # Unit.area_m2: max_digits=8, decimal_places=2
_CENT = Decimal("0.01")
_EARLIEST_BIRTHDAY = date(1900, 1, 1)


def _limits() -> dict[str, int]:
    return {
        BUILDING: Building._meta.get_field("name").max_length,
        ENTRANCE: Unit._meta.get_field("entrance").max_length,
        ROOM: Unit._meta.get_field("room").max_length,
        NAME: Person._meta.get_field("name").max_length,
        "number": Unit._meta.get_field("number").max_length,
    }


def unit_number(building: str, entrance: str, room: str) -> str:
    """`楼栋-单元-房号` without the suffixes 号楼/栋/幢/座/单元; blank parts are left out.

    ('7号楼', '1单元', '604') → '7-1-604'; ('A座', '', '1201') → 'A-1201'.
    """
    return "-".join(p for p in (strip_suffix(building), strip_suffix(entrance), room) if p)


def strip_suffix(part: str) -> str:
    for suffix in _SUFFIXES:
        if part.endswith(suffix) and len(part) > len(suffix):
            return part[: -len(suffix)].strip()
    return part


# ---- reading cells ------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as tidy text: NFKC (full-width → ASCII), whitespace collapsed, 604.0 → '604'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date()
    text = str(value)
    if text.isascii():
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _header_name(value) -> str:
    text = "".join(cell_text(value).split()).strip("*")
    return _HEADER_NOTE.sub("", text)


def _area(value) -> Decimal:
    """Square metres, rounded to the cent; raises ValueError when not a positive number."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = cell_text(value).replace(" ", "").replace(",", "")
        for unit in _AREA_UNITS:
            text = text.removesuffix(unit)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
    if not number.is_finite() or number <= 0:
        raise ValueError
    number = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    if number > _MAX_AREA or number <= 0:
        raise ValueError
    return number


def _birthday(value, today: date) -> date:
    """An Excel date cell or text such as 1980-05-01, 1980/5/1, 1980年5月1日, 19800501."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, bool | float):
        raise ValueError
    else:
        text = cell_text(value)
        match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
        if not match:
            raise ValueError
        day = date(*(int(g) for g in match.groups()))  # raises ValueError for 1980-02-30
    if not _EARLIEST_BIRTHDAY <= day <= today:
        raise ValueError
    return day


def _phones(value) -> tuple[list[str], list[str]]:
    """(normalised numbers without repeats, the parts that are not phone numbers)."""
    if value is None:
        return [], []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    numbers: list[str] = []
    bad: list[str] = []
    for part in phones.split(str(value)):
        try:
            found = [phones.normalise(part)]
        except phones.InvalidPhone:
            # "138… 139…": numbers separated by spaces, each valid on its own.
            pieces = part.split()
            try:
                found = [phones.normalise(p) for p in pieces] if len(pieces) > 1 else None
            except phones.InvalidPhone:
                found = None
            if found is None:
                bad.append(part)
                continue
        for number in found:
            if number not in numbers:
                numbers.append(number)
    return numbers, bad


# ---- step 1: the sheet, checked in memory -------------------------------------------------


@dataclass(slots=True)
class SheetRow:
    row: int
    number: str
    name: str
    relation: str | None  # None: not given (owner for a new link, unchanged otherwise)
    phones: list[str]
    birthday: date | None


@dataclass(slots=True)
class SheetUnit:
    row: int  # first row naming the unit
    building: str
    entrance: str
    room: str
    area: Decimal | None = None
    area_row: int = 0
    residency: str | None = None
    residency_row: int = 0


@dataclass
class Sheet:
    units: dict[str, SheetUnit] = field(default_factory=dict)
    rows: list[SheetRow] = field(default_factory=list)  # rows naming a person, all checks passed
    unit_rows: dict[int, str] = field(default_factory=dict)  # row → unit number, rows w/o errors
    errors: list[RowError] = field(default_factory=list)


def _read_bytes(file) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        return bytes(file)
    if hasattr(file, "seek"):
        with contextlib.suppress(OSError, ValueError):  # not seekable: read from here
            file.seek(0)
    data = file.read()
    if isinstance(data, str):
        raise _not_xlsx()
    return data or b""


def _not_xlsx(reason: str = "") -> BadInput:
    message = reason or _("The file is not a readable .xlsx workbook.")
    return BadInput(message, fields={"file": [message]})


def _sheet_rows(file) -> Iterator[tuple]:
    """The first sheet's rows (values only), row 1 first; missing rows come as ()."""
    data = _read_bytes(file)
    if not data:
        raise _not_xlsx(_("The file is empty."))
    limit = settings.OWNERDESK.get("ROSTER_MAX_BYTES")
    if limit and len(data) > limit:
        raise _not_xlsx(_("The file is too large."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, XML, openpyxl errors: all mean "not an .xlsx we can read"
        raise _not_xlsx() from exc
    try:
        if not workbook.worksheets:
            raise _not_xlsx(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        # Some tools write a wrong <dimension>; trusting it would silently drop rows.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _not_xlsx() from exc
            yield row
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple]) -> tuple[int, dict[str, int]]:
    """The header's Excel row number and column → index; title rows above it are skipped."""
    seen_anything = False
    for row_number, values in enumerate(rows, start=1):
        names = [_header_name(v) for v in values]
        if all(key in names for key in HEADER_KEYS):
            positions: dict[str, int] = {}
            for index, name in enumerate(names):
                if name in COLUMNS and name not in positions:
                    positions[name] = index
            missing = [c for c in REQUIRED_COLUMNS if c not in positions]
            if missing:
                message = _("The header (row %(row)d) lacks the column(s): %(columns)s.") % {
                    "row": row_number,
                    "columns": "、".join(missing),
                }
                raise BadInput(message, fields={"file": [message]})
            return row_number, positions
        seen_anything = seen_anything or any(names)
    if not seen_anything:
        message = _("The sheet is empty.")
    else:
        message = _("No header row: the sheet needs a row naming the columns %(columns)s.") % {
            "columns": "、".join(REQUIRED_COLUMNS)
        }
    raise BadInput(message, fields={"file": [message]})


def check_sheet(file) -> Sheet:
    """Read the sheet and check every row on its own and against the other rows."""
    sheet = Sheet()
    limits = _limits()
    today = timezone.localdate()
    with contextlib.closing(_sheet_rows(file)) as rows:
        header_row, positions = _find_header(rows)
        indexes = [positions.get(c) for c in COLUMNS]
        for row_number, values in enumerate(rows, start=header_row + 1):
            if not values:
                continue
            width = len(values)
            cells = [values[i] if i is not None and i < width else None for i in indexes]
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue  # blank rows (and rows filled only in ignored columns)
            _check_row(sheet, row_number, cells, limits, today)
    return sheet


def _check_row(sheet: Sheet, row: int, cells: list, limits: dict[str, int], today: date) -> None:
    b_raw, e_raw, room_raw, area_raw, res_raw, name_raw, rel_raw, phones_raw, bday_raw = cells
    errors: list[RowError] = []

    def error(column: str, reason: str) -> None:
        errors.append(RowError(row, column, reason))

    def too_long(column: str) -> None:
        error(column, _("Too long: at most %(max)d characters.") % {"max": limits[column]})

    # The unit.
    building, entrance, room = cell_text(b_raw), cell_text(e_raw), cell_text(room_raw)
    if not building:
        error(BUILDING, _("Missing building."))
    elif len(building) > limits[BUILDING]:
        too_long(BUILDING)
    entrance = strip_suffix(entrance)
    if len(entrance) > limits[ENTRANCE]:
        too_long(ENTRANCE)
    if not room:
        error(ROOM, _("Missing room number."))
    elif len(room) > limits[ROOM]:
        too_long(ROOM)
    area = None
    if cell_text(area_raw):
        try:
            area = _area(area_raw)
        except ValueError:
            error(
                AREA,
                _("Floor area must be a positive number of m²: %(value)s")
                % {"value": cell_text(area_raw)},
            )
    residency = None
    if res_text := cell_text(res_raw):
        residency = RESIDENCY_BY_LABEL.get(res_text) or RESIDENCY_BY_LABEL.get(res_text.lower())
        if residency is None:
            error(
                RESIDENCY,
                _("Unknown residency: %(value)s (use 已入住, 未入住, 出租 or 空置).")
                % {"value": res_text},
            )
    number = unit_number(building, entrance, room) if building and room else ""
    if len(number) > limits["number"]:
        error(
            ROOM,
            _("The unit number %(number)s is longer than %(max)d characters.")
            % {"number": number, "max": limits["number"]},
        )
    if not errors:
        # Merged even if the person's half of the row turns out wrong, so that a
        # conflict with a later row is reported now rather than on the next upload.
        _merge_unit(sheet, row, number, building, entrance, room, area, residency, error)

    # The person.
    name = cell_text(name_raw)
    numbers, bad_phones = _phones(phones_raw)
    relation = None
    birthday = None
    if name and len(name) > limits[NAME]:
        too_long(NAME)
    if not name and (numbers or bad_phones):
        error(NAME, _("Phones are given but no name."))
    for part in bad_phones:
        error(PHONES, _("Malformed phone: %(phone)s") % {"phone": part})
    if name and (rel_text := cell_text(rel_raw)):
        relation = RELATION_BY_LABEL.get(rel_text) or RELATION_BY_LABEL.get(rel_text.lower())
        if relation is None:
            error(
                RELATION,
                _("Unknown relation: %(value)s (use 业主, 租户 or 家属).") % {"value": rel_text},
            )
    if cell_text(bday_raw):
        if not name:
            error(NAME, _("A birthday is given but no name."))
        try:
            birthday = _birthday(bday_raw, today)
        except ValueError:
            error(
                BIRTHDAY,
                _("Not a valid birthday: %(value)s (write it as 1980-05-01).")
                % {"value": cell_text(bday_raw)},
            )

    if errors:
        sheet.errors.extend(errors)
        return
    sheet.unit_rows[row] = number
    if name:
        sheet.rows.append(SheetRow(row, number, name, relation, numbers, birthday))


def _merge_unit(sheet, row, number, building, entrance, room, area, residency, error) -> None:
    """Rows naming the same unit must agree on its building, area and residency."""
    data = sheet.units.get(number)
    if data is None:
        sheet.units[number] = SheetUnit(
            row,
            building,
            entrance,
            room,
            area,
            row if area is not None else 0,
            residency,
            row if residency is not None else 0,
        )
        return

    def differs(column: str, other_row: int) -> None:
        error(
            column,
            _("Differs from row %(row)d for the same unit %(number)s.")
            % {"row": other_row, "number": number},
        )

    if building != data.building:
        differs(BUILDING, data.row)
    if area is not None:
        if data.area is None:
            data.area, data.area_row = area, row
        elif area != data.area:
            differs(AREA, data.area_row)
    if residency is not None:
        if data.residency is None:
            data.residency, data.residency_row = residency, row
        elif residency != data.residency:
            differs(RESIDENCY, data.residency_row)
