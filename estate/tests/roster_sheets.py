"""Build and read roster .xlsx files in tests (no binary fixtures in the repository)."""

from io import BytesIO

from openpyxl import Workbook, load_workbook

HEADER = ("楼栋", "单元", "房号", "建筑面积", "入住状态", "姓名", "关系", "电话", "生日")


def unit_row(
    building,
    entrance,
    room,
    area=None,
    residency=None,
    name=None,
    relation=None,
    phones=None,
    birthday=None,
) -> list:
    """One data row in HEADER order."""
    return [building, entrance, room, area, residency, name, relation, phones, birthday]


def xlsx(rows, *, title: str = "住户名册", more_sheets: dict | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` from row 1 (None leaves a cell empty)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name, sheet_rows in (more_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in sheet_rows:
            other.append(list(row))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster(*data_rows, header=HEADER, title_rows=()) -> bytes:
    """Title rows, the header, then the data rows."""
    return xlsx([*title_rows, header, *data_rows])


def read_rows(data: bytes, sheet: int | str = 0) -> list[tuple]:
    """Every row of a sheet as a tuple of values."""
    workbook = load_workbook(BytesIO(data))
    ws = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def sheet_names(data: bytes) -> list[str]:
    return load_workbook(BytesIO(data), read_only=True).sheetnames


def with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with the first sheet's <dimension ref> replaced, as some tools
    write it wrong (e.g. "A1" for a sheet of thousands of rows)."""
    import re
    import zipfile

    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content
                )
                assert count == 1
            target.writestr(item, content)
    return out.getvalue()
