"""The monthly analysis as PDF and Excel, on the November fixture of test_monthly.py."""

import io
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import MonthlyReview
from reports.tests.test_monthly import NOW
from reports.tests.test_monthly import november as november  # a fixture

pytestmark = pytest.mark.django_db
PDF = reverse("reports:monthly_pdf")
XLSX = reverse("reports:monthly_xlsx")
TITLE = "翠湖花园 2026年11月 客户服务月度分析报告"
PROPOSAL = "更换3-1-101进户总阀，工程部本周内完成并回访。"


def get(client, url, community, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, {"month": "2026-11", "scope": f"community:{community.id}", **params})


@pytest.fixture
def proposal(november, community, company, office_manager):
    _tickets, _visits, u1, _u2 = november
    return MonthlyReview.objects.create(
        company=company,
        scope=f"community:{community.id}",
        month="2026-11",
        finding=f"repeat_repair:unit:{u1.id}:water",
        proposal=PROPOSAL,
        updated_by=office_manager,
    )


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


# ---- PDF -------------------------------------------------------------------------------------


def test_pdf_has_the_title_figures_and_findings_with_proposals(
    client, office_manager, community, november, proposal
):
    tickets, _visits, _u1, _u2 = november
    client.force_login(office_manager)
    r = get(client, PDF, community)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert f"{community.name} 2026-11" in unquote(r["Content-Disposition"])
    pages = pdf_text(r.content)
    everything = compact("".join(pages))
    assert compact(TITLE) in compact(pages[0])
    reader = PdfReader(io.BytesIO(r.content))
    assert reader.metadata.title == TITLE
    # The headline figures, as counted by hand in test_monthly.py.
    first = compact(pages[0])
    for label, value in [
        ("受理工单总数", "10"),
        ("工单按时办结率", "75%"),
        ("应回访数", "3"),
        ("已回访数", "2"),
        ("按时回访数", "1"),
        ("回访满意度均值（1～5分）", "3.50"),
    ]:
        assert label + value in first, (label, value)
    # The three sections, each finding with its tickets; the repair with its proposal.
    for heading in (
        "三、回访不合格（1）",
        "四、同一事项重复投诉（1）",
        "五、同一维修重复发生（1）",
    ):
        assert heading in everything
    for key in ("r1", "r2", "r3", "t1", "t2"):
        assert tickets[key].number in everything
    assert compact(PROPOSAL) in everything
    assert "仍漏水" in everything  # the unqualified visit's shortcomings
    assert str(office_manager) in everything  # who wrote the proposal


def test_pdf_first_page_holds_drawn_charts(client, office_manager, community, november):
    client.force_login(office_manager)
    r = get(client, PDF, community)
    page = PdfReader(io.BytesIO(r.content)).pages[0]
    text = compact(page.extract_text())
    assert "二、统计图表" in text and "工单按类型" in text and "工单按渠道" in text
    content = page.get_contents().get_data().decode("latin-1")
    # The bars: rectangles filled in the brand colour (#0f5e6b), drawn by reportlab.graphics.
    brand_fill = re.compile(r"0?\.058824 0?\.368627 0?\.419608 rg")
    assert brand_fill.search(content)
    bars = content[brand_fill.search(content).start() :]
    assert len(re.findall(r" re\b", bars)) >= 4  # four kinds of ticket at least


def test_pdf_is_refused_outside_the_users_offices(client, office2_manager, community, november):
    client.force_login(office2_manager)
    assert get(client, PDF, community).status_code == 404


def test_pdf_needs_a_login(client, community):
    r = get(client, PDF, community)
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# ---- Excel -----------------------------------------------------------------------------------


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows(ws) -> list[tuple]:
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


def test_xlsx_has_the_figures_findings_and_tables(
    client, office_manager, community, november, proposal
):
    tickets, _visits, _u1, _u2 = november
    client.force_login(office_manager)
    r = get(client, XLSX, community)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = workbook(r.content)
    assert wb.sheetnames == [
        "主要指标",
        "回访不合格",
        "重复投诉",
        "重复维修",
        "分类统计",
        "近12个月趋势",
    ]

    figures = [row[:3] for row in rows(wb["主要指标"])]
    assert figures[0][0] == TITLE
    assert ("受理工单总数", 10, "件") in figures
    assert ("工单按时办结率", 0.75, None) in figures
    assert ("回访满意度均值（1～5分）", 3.5, "分") in figures
    assert wb["主要指标"]["B4"].number_format == "0.0%"

    repairs = rows(wb["重复维修"])
    assert repairs[1][:5] == ("工单编号", "房号", "业主/联系人", "类别", "次数")
    numbers = "、".join(tickets[k].number for k in ("r1", "r2", "r3"))
    assert repairs[2][:7] == (
        numbers,
        "3-1-101",
        "王芳",
        "给排水",
        3,
        PROPOSAL,
        str(office_manager),
    )
    assert len(repairs) == 3

    complaints = rows(wb["重复投诉"])
    assert complaints[2][:5] == (
        "、".join(tickets[k].number for k in ("t1", "t2")),
        "3-1-101",
        "王芳",
        "给排水",
        2,
    )
    assert complaints[2][5] in ("", None)  # no proposal yet

    unqualified = rows(wb["回访不合格"])
    assert unqualified[2][0] == tickets["t2"].number
    assert unqualified[2][5:7] == (2, "仍漏水")  # satisfaction of the corrected record

    tables = wb["分类统计"]
    kinds = {row[0]: row[1] for row in rows(tables)[2:] if row[0]}
    assert kinds == {"报修": 5, "投诉": 3, "咨询": 1, "建议": 1}
    channels = {row[3]: row[4] for row in rows(tables)[2:] if row[3]}
    assert channels == {"热线电话": 10}
    categories = {row[6]: row[7] for row in rows(tables)[2:] if row[6]}
    assert categories == {"给排水": 5, "供电": 2, "噪音": 1, "其他": 2}
    assert len(tables._charts) == 3

    trend = rows(wb["近12个月趋势"])
    assert trend[2][0] == "2025-12" and trend[-1][0] == "2026-11"
    assert trend[-1][1:3] == (3.5, 2)


def test_xlsx_is_refused_outside_the_users_offices(client, office2_manager, community, november):
    client.force_login(office2_manager)
    assert get(client, XLSX, community).status_code == 404


def test_exports_are_chinese_whatever_the_page_language(
    client, office_manager, community, november
):
    client.force_login(office_manager)
    client.cookies["django_language"] = "en"
    wb = workbook(get(client, XLSX, community).content)
    kinds = {row[0] for row in rows(wb["分类统计"])[2:] if row[0]}
    assert "报修" in kinds and "Repair request" not in kinds
