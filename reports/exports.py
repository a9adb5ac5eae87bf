"""The monthly analysis as documents: a PDF to hand to the office manager and an Excel
workbook to work on. Both are Chinese, as offices keep them, whatever the page's
language; the caller assembles the analysis with Chinese labels (views._export_analysis).

PDF: A4 through tickets.documents.pdf (the CID font STSong-Light, text extractable),
charts drawn with reportlab.graphics. Excel: openpyxl, one sheet of figures, one per
kind of finding, one of the counts behind the charts (with a bar chart), one of trends.
"""

import io
from typing import TYPE_CHECKING

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm

from tickets.documents.pdf import FONT, Cell, Document

if TYPE_CHECKING:
    from reports.views import Analysis, Finding

BRAND = HexColor("#0f5e6b")
ATTITUDE = (
    ("favourable", "顺意", HexColor("#1c7c3c")),
    ("neutral", "中立", HexColor("#7a8a93")),
    ("adverse", "逆意", HexColor("#b42318")),
)
SECTION_TITLES = {
    "unqualified": "回访不合格",
    "repeat_complaint": "同一事项重复投诉",
    "repeat_repair": "同一维修重复发生",
}
NUMERALS = "一二三四五六七八九十"


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _month_title(a: "Analysis") -> str:
    return f"{a.year}年{a.month_number:02d}月"


def title_of(a: "Analysis") -> str:
    return f"{a.scope_name} {_month_title(a)} 客户服务月度分析报告"


def headline_figures(a: "Analysis") -> list[tuple[str, float | int | None, str]]:
    """(label, value, kind): kind "n" a count, "rate" a share 0–1, "score" 1–5, or the
    unit of a count of findings (件/处)."""
    v = a.visits
    return [
        ("受理工单总数", a.report["tickets_total"], "n"),
        ("工单按时办结率", a.report["on_time_rate"], "rate"),
        ("应回访数", v["required"], "n"),
        ("已回访数", v["done"], "n"),
        ("按时回访数", v["on_time"], "n"),
        ("回访完成率", a.visit_done_rate, "rate"),
        ("回访满意度均值（1～5分）", v["satisfaction_avg"], "score"),
        ("回访不合格", len(a.findings["unqualified"]), "件"),
        ("同一事项重复投诉", len(a.findings["repeat_complaint"]), "处"),
        ("同一维修重复发生", len(a.findings["repeat_repair"]), "处"),
    ]


def _figure_text(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return _pct(value)
    if kind == "score":
        return f"{value:.2f}"
    return str(value) if kind == "n" else f"{value} {kind}"


def headline_rows(a: "Analysis") -> list[tuple[str, str]]:
    return [(label, _figure_text(value, kind)) for label, value, kind in headline_figures(a)]


def section_note(a: "Analysis", section: str) -> str:
    t = a.report["thresholds"]
    return {
        "unqualified": "回访发现问题未解决、已重新处理的回访。",
        "repeat_complaint": f"同一房屋或同一业主当月就同一类别投诉 {t['repeat_complaints']} 次及以上。",
        "repeat_repair": f"同一房屋当月同一类别报修 {t['repeat_repairs']} 次及以上。",
    }[section]


def _who(f: "Finding") -> str:
    r = f.review
    if not r or not r.proposal:
        return ""
    when = timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M")
    return f"{r.updated_by or ''} {when}".strip()


# ---- PDF -----------------------------------------------------------------------------------


def _bar_drawing(
    title: str, rows: list[tuple[str, float]], width: float, *, percent: bool = False
) -> Drawing:
    """A vertical bar chart with its title above and the value on each bar."""
    height = 62 * mm
    d = Drawing(width, height)
    d.add(String(0, height - 11, title, fontName=FONT, fontSize=10.5))
    if not rows:
        d.add(
            String(
                0,
                height - 30,
                "本月无数据",
                fontName=FONT,
                fontSize=9,
                fillColor=HexColor("#5f6d75"),
            )
        )
        return d
    chart = VerticalBarChart()
    chart.x = 26
    chart.y = 34 if len(rows) > 5 else 20
    chart.width = width - chart.x - 6
    chart.height = height - chart.y - 30
    values = [v * 100 if percent else v for _label, v in rows]
    chart.data = [values]
    top = max(values) if values else 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100 if percent else max(1, top * 1.2)
    chart.valueAxis.valueStep = 25 if percent else _step(top * 1.2)
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    if percent:
        chart.valueAxis.labelTextFormat = "%d%%"
    chart.categoryAxis.categoryNames = [label for label, _v in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5 if len(rows) > 5 else 8.5
    if len(rows) > 5:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx = 4
        chart.categoryAxis.labels.dy = -2
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    # Few bars stay slim instead of filling the width.
    chart.barWidth = 6
    chart.groupSpacing = 6 * max(1.0, 6 / len(rows))
    chart.barLabelFormat = _pct_label if percent else "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 6
    d.add(chart)
    return d


def _pct_label(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def _step(top: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 6:
            return step
    return 10 ** len(str(int(top)))


def _axis_months(a: "Analysis") -> list[str]:
    return [
        f"{int(m.month[5:7])}月"
        if i and not m.month.endswith("-01")
        else f"{m.month[:4]}年{int(m.month[5:7])}月"
        for i, m in enumerate(a.satisfaction)
    ]


def _line_drawing(
    title: str,
    months: list[str],
    series: list[tuple[str, list[float | None], object]],
    width: float,
    *,
    y_min: float,
    y_max: float,
    step: float,
    label_format: str | None,
) -> Drawing:
    height = 64 * mm
    d = Drawing(width, height)
    d.add(String(0, height - 11, title, fontName=FONT, fontSize=10.5))
    if all(v is None for _name, values, _color in series for v in values):
        # Nothing to draw (no visit recorded in the twelve months): reportlab cannot
        # draw a line of no points.
        d.add(
            String(
                0,
                height - 30,
                "近12个月无数据",
                fontName=FONT,
                fontSize=9,
                fillColor=HexColor("#5f6d75"),
            )
        )
        return d
    chart = HorizontalLineChart()
    chart.x = 26
    chart.y = 30
    chart.width = width - chart.x - 6
    chart.height = height - chart.y - 40
    chart.data = [values for _name, values, _color in series]
    chart.categoryAxis.categoryNames = months
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dx = 4
    chart.valueAxis.valueMin = y_min
    chart.valueAxis.valueMax = y_max
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = HexColor("#dde3e6")
    chart.joinedLines = True
    for i, (_name, _values, color) in enumerate(series):
        chart.lines[i].strokeColor = color
        chart.lines[i].strokeWidth = 1.6
        chart.lines[i].symbol = makeMarker("FilledCircle", size=3.5, fillColor=color)
    if label_format:
        # Months without a value are left out of a line's points (the line joins its
        # neighbours), so the labels are given per point drawn, not per month.
        chart.lineLabelFormat = "values"
        chart.lineLabelArray = [
            [label_format % v for v in values if v is not None] for _n, values, _c in series
        ]
        chart.lineLabels.fontName = FONT
        chart.lineLabels.fontSize = 7.5
        chart.lineLabels.dy = 6
    d.add(chart)
    legend = Legend()
    legend.x = width - 6
    legend.y = height - 4
    legend.boxAnchor = "ne"
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = FONT
    legend.fontSize = 8.5
    legend.dx = 8
    legend.dy = 8
    legend.deltax = 52
    legend.colorNamePairs = [(color, name) for name, _values, color in series]
    d.add(legend)
    return d


def _draw(doc: Document, drawing: Drawing, x: float | None = None) -> None:
    doc.ensure(drawing.height + 2 * mm)
    renderPDF.draw(drawing, doc.c, doc.left if x is None else x, doc.y - drawing.height)


def _charts_pdf(doc: Document, a: "Analysis") -> None:
    half = (doc.width - 8 * mm) / 2
    kinds = _bar_drawing("工单按类型", a.kinds, half)
    channels = _bar_drawing("工单按渠道", a.channels, half)
    doc.ensure(kinds.height + 2 * mm)
    _draw(doc, kinds)
    _draw(doc, channels, doc.left + half + 8 * mm)
    doc.space(kinds.height + 3 * mm)
    categories = _bar_drawing("工单按类别", a.categories, doc.width)
    _draw(doc, categories)
    doc.space(categories.height + 3 * mm)
    rate_rows: list[tuple[str, float]] = []
    if a.report["on_time_rate"] is not None:
        rate_rows.append(("工单按时办结率", a.report["on_time_rate"]))
    if a.visits["required"]:
        rate_rows.append(("回访按时率", a.visit_on_time_rate or 0))
    rate_rows += [(f"{name}完成率", rate or 0) for name, _req, _done, rate in a.rules]
    rates = _bar_drawing("按时率与各回访规则完成率", rate_rows, doc.width, percent=True)
    _draw(doc, rates)
    doc.space(rates.height + 3 * mm)
    months = _axis_months(a)
    satisfaction = _line_drawing(
        "近12个月回访满意度均值（1～5分）",
        months,
        [("满意度均值", [m.average for m in a.satisfaction], BRAND)],
        doc.width,
        y_min=1,
        y_max=5,
        step=1,
        label_format="%.1f",
    )
    _draw(doc, satisfaction)
    doc.space(satisfaction.height + 3 * mm)
    top = max([n for m in a.attitude for n in m.counts.values()] + [1])
    step = _step(top * 1.15)
    attitude = _line_drawing(
        "近12个月各月末业主态度分类人数",
        months,
        [(name, [m.counts[code] for m in a.attitude], color) for code, name, color in ATTITUDE],
        doc.width,
        y_min=0,
        y_max=step * (int(top * 1.15 // step) + 1),
        step=step,
        label_format=None,
    )
    _draw(doc, attitude)
    doc.space(attitude.height + 2 * mm)
    # Months across, classes down: twelve months fit one row of a table.
    doc.table(
        ["", *(m.month[2:] for m in a.attitude)],
        [
            *([name, *(str(m.counts[code]) for m in a.attitude)] for code, name, _c in ATTITUDE),
            ["当月好转", *(str(m.improved) for m in a.attitude)],
            ["当月恶化", *(str(m.worsened) for m in a.attitude)],
        ],
        widths=[1.6] + [1] * len(a.attitude),
        aligns="l" + "r" * len(a.attitude),
        size=7.5,
    )


def _finding_pdf(doc: Document, index: int, f: "Finding") -> None:
    tickets = "、".join(number for _id, number in f.tickets) or "—"
    head = " ".join(x for x in (f"({index})", f.unit_number, f.person_name, f.category) if x)
    doc.ensure(40 * mm)
    doc.space(2 * mm)
    doc.line(head, "" if f.section == "unqualified" else f"{f.count} 次")
    rows = [[Cell("工单", tickets, span=2)]]
    if f.visit:
        visited = f.visit.get("visited_at")
        rows.append(
            [
                Cell(
                    "回访时间",
                    timezone.localtime(visited).strftime("%Y-%m-%d %H:%M") if visited else "—",
                ),
                Cell(
                    "满意度",
                    "—" if f.visit.get("satisfaction") is None else f"{f.visit['satisfaction']} 分",
                ),
            ]
        )
        if f.visit.get("shortcomings") or f.visit.get("opinions"):
            rows.append([Cell("不足之处", f.visit.get("shortcomings") or "—", span=2)])
            rows.append([Cell("业主意见", f.visit.get("opinions") or "—", span=2)])
    proposal = f.review.proposal if f.review and f.review.proposal else "(尚未填写)"
    rows.append([Cell("解决方案建议", proposal, span=2, min_lines=2)])
    if _who(f):
        rows.append([Cell("填写", _who(f), span=2)])
    doc.form(rows, columns=2, label_width=26 * mm, size=9.5)


def analysis_pdf(a: "Analysis", *, author: str = "") -> bytes:
    generated = timezone.localtime(a.generated_at or timezone.now())
    doc = Document(
        title=title_of(a),
        author=author,
        subject="客户服务月度分析报告",
        footer=f"{a.company.name}　{title_of(a)}",
        printed_on=generated.date(),
    )
    doc.title(
        title_of(a),
        size=17,
        subtitle=f"报送：物业服务处经理    编制：{author or '—'}    统计截至 {generated:%Y-%m-%d %H:%M}",
    )
    doc.heading("一、主要指标")
    rows = headline_rows(a)
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    doc.table(
        ["指标", "数值", "指标", "数值"],
        [[*left[i], *(right[i] if i < len(right) else ("", ""))] for i in range(half)],
        widths=[2.2, 1, 2.2, 1],
        aligns="lrlr",
        size=9.5,
    )
    doc.heading("二、统计图表")
    _charts_pdf(doc, a)
    for number, section in enumerate(("unqualified", "repeat_complaint", "repeat_repair"), start=3):
        findings = a.findings[section]
        doc.ensure(45 * mm)  # a heading never ends a page without its first finding
        doc.heading(f"{NUMERALS[number - 1]}、{SECTION_TITLES[section]}（{len(findings)}）")
        doc.paragraph(section_note(a, section), size=9.5)
        if not findings:
            doc.paragraph("本月无。", size=9.5)
        for i, f in enumerate(findings, start=1):
            _finding_pdf(doc, i, f)
    doc.space(4 * mm)
    doc.signatures(["编制人：", "物业服务处经理审阅："], per_row=2)
    return doc.finish()


# ---- Excel ---------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(wb: Workbook, name: str, title: str, headers: list[str], widths: list[int]):
    ws = wb.create_sheet(name)
    ws.append([title])
    ws["A1"].font = TITLE_FONT
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    return ws


def _excel_time(moment):
    """Excel has no time zones: the company's local time, to the second."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _finding_row(f: "Finding") -> list:
    r = f.review
    return (
        [
            "、".join(number for _id, number in f.tickets),
            f.unit_number,
            f.person_name,
            f.category,
        ]
        + ([] if f.section == "unqualified" else [f.count])
        + [
            r.proposal if r else "",
            str(r.updated_by or "") if r and r.proposal else "",
            _excel_time(r.updated_at) if r and r.proposal else None,
        ]
    )


def analysis_xlsx(a: "Analysis") -> bytes:
    title = title_of(a)
    wb = Workbook()
    wb.remove(wb.active)

    ws = _sheet(wb, "主要指标", title, ["指标", "数值", "单位"], [28, 12, 8])
    for label, value, kind in headline_figures(a):
        ws.append([label, value, {"rate": "", "score": "分", "n": "件"}.get(kind, kind)])
        cell = ws.cell(row=ws.max_row, column=2)
        cell.number_format = {"rate": "0.0%", "score": "0.00"}.get(kind, "0")
    ws.append([])
    ws.append(["回访规则", "应回访", "已回访", "完成率"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for name, required, done, rate in a.rules:
        ws.append([name, required, done, _pct(rate)])

    for section, sheet_name in (
        ("unqualified", "回访不合格"),
        ("repeat_complaint", "重复投诉"),
        ("repeat_repair", "重复维修"),
    ):
        headers = ["工单编号", "房号", "业主/联系人", "类别"]
        widths = [30, 12, 12, 12]
        if section == "unqualified":
            headers += ["回访时间", "满意度", "不足之处", "业主意见"]
            widths += [17, 8, 24, 24]
        else:
            headers += ["次数"]
            widths += [8]
        headers += ["解决方案建议", "填写人", "填写时间"]
        widths += [48, 10, 17]
        ws = _sheet(
            wb,
            sheet_name,
            f"{title} · {SECTION_TITLES[section]} · {section_note(a, section)}",
            headers,
            widths,
        )
        for f in a.findings[section]:
            row = _finding_row(f)
            if section == "unqualified":
                v = f.visit or {}
                visited = v.get("visited_at")
                extra = [
                    _excel_time(visited) if visited else None,
                    v.get("satisfaction"),
                    v.get("shortcomings") or "",
                    v.get("opinions") or "",
                ]
                row = row[:4] + extra + row[4:]
            ws.append(row)
            for cell in ws[ws.max_row]:
                cell.alignment = WRAP
                if hasattr(cell.value, "year"):
                    cell.number_format = "yyyy-mm-dd hh:mm"

    ws = _sheet(
        wb,
        "分类统计",
        f"{title} · 工单分类统计",
        ["类型", "工单数", "", "渠道", "工单数", "", "类别", "工单数"],
        [16, 9, 3, 16, 9, 3, 16, 9],
    )
    longest = max(len(a.kinds), len(a.channels), len(a.categories))
    for i in range(longest):
        row: list = []
        for rows in (a.kinds, a.channels, a.categories):
            row += list(rows[i]) if i < len(rows) else ["", None]
            row.append(None)
        ws.append(row[:-1])
    for col, rows, anchor, name in (
        (1, a.kinds, "J2", "工单按类型"),
        (4, a.channels, "J18", "工单按渠道"),
        (7, a.categories, "J34", "工单按类别"),
    ):
        if not rows:
            continue
        chart = BarChart()
        chart.type = "bar"
        chart.title = name
        chart.legend = None
        chart.height = 7.5
        chart.width = 14
        data = Reference(ws, min_col=col + 1, min_row=2, max_row=2 + len(rows))
        labels = Reference(ws, min_col=col, min_row=3, max_row=2 + len(rows))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        chart.y_axis.majorGridlines = None
        from openpyxl.chart.label import DataLabelList

        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        ws.add_chart(chart, anchor)

    ws = _sheet(
        wb,
        "近12个月趋势",
        f"{title} · 近12个月趋势",
        [
            "月份",
            "满意度均值",
            "回访记录数",
            "月末顺意",
            "月末中立",
            "月末逆意",
            "当月好转",
            "当月恶化",
        ],
        [10, 11, 11, 10, 10, 10, 10, 10],
    )
    for s, m in zip(a.satisfaction, a.attitude, strict=True):
        ws.append(
            [
                s.month,
                s.average,
                s.records,
                m.counts["favourable"],
                m.counts["neutral"],
                m.counts["adverse"],
                m.improved,
                m.worsened,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
