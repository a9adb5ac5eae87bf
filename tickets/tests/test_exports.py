"""The work list exported to Excel: the rows of the filter, Chinese headers, a cap."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tickets import exports
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.worksheets[0]


def data_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=3, values_only=True))


def export_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("tickets:export") + "?" + urlencode(params)


def test_export_holds_the_filtered_rows_with_chinese_headers(
    client, receptionist, community, unit, owner, engineering, engineer, community2
):
    now = timezone.now()
    water = TicketFactory(
        community=community,
        unit=unit,
        person=owner,
        category="water",
        status="assigned",
        department=engineering,
        assignee=engineer,
        due_at=now - timedelta(hours=1),
        title="卫生间漏水",
    )
    TicketFactory(community=community, category="noise", kind="complaint", title="噪音")
    TicketFactory(community=community2, category="water", title="别处的漏水")
    client.force_login(receptionist)
    ws = sheet_of(client.get(export_url(tab="office", category="water")))
    headers = [c.value for c in ws[2]]
    assert headers[:5] == ["编号", "受理时间", "小区", "房号", "业主/联系人"]
    assert "状态" in headers and "承诺时限" in headers and "超期" in headers
    rows = data_rows(ws)
    assert [r[0] for r in rows] == [water.number]
    row = dict(zip(headers, rows[0], strict=True))
    assert row["小区"] == "翠湖花园"
    assert row["房号"] == "3-2-301"
    assert row["业主/联系人"] == "张三"
    assert row["标题"] == "卫生间漏水"
    assert row["责任部门"] == "工程部"
    assert row["处理人"] == str(engineer)
    assert row["超期"] == "是"
    # Labels in Chinese, like the headers; times as the company's local time.
    assert row["类型"] == "报修"
    assert row["状态"] == "已派单"
    local = timezone.localtime(water.received_at).replace(tzinfo=None, microsecond=0)
    assert abs(row["受理时间"] - local) < timedelta(minutes=1)
    assert "共 1 条" in ws["A1"].value


def test_export_follows_the_tab(client, engineer, community, engineering):
    mine = TicketFactory(
        community=community, status="in_progress", department=engineering, assignee=engineer
    )
    TicketFactory(community=community, status="in_progress", department=engineering)
    client.force_login(engineer)
    rows = data_rows(sheet_of(client.get(export_url(tab="mine"))))
    assert [r[0] for r in rows] == [mine.number]


def test_export_is_capped_with_a_notice(client, receptionist, community, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 3)
    TicketFactory.create_batch(5, community=community)
    client.force_login(receptionist)
    ws = sheet_of(client.get(export_url(tab="office")))
    assert len(data_rows(ws)) == 3
    assert "共 5 条" in ws["A1"].value and "仅导出前 3 条" in ws["A1"].value
    # The list says so beside the export button.
    page = client.get(reverse("tickets:list") + "?tab=office")
    assert "export-cap" in page.content.decode()


def test_export_needs_login(client):
    response = client.get(reverse("tickets:export"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_export_never_holds_another_office(client, office2_manager, community):
    TicketFactory(community=community, title="翠湖的工单")
    client.force_login(office2_manager)
    assert data_rows(sheet_of(client.get(export_url(tab="office")))) == []


def test_workbook_of_no_tickets_has_its_headers(community):
    content = exports.tickets_workbook([], total=0, now=timezone.now(), categories={})
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    assert ws.title == "工单"
    assert [c.value for c in ws[2]] == [name for name, _width in exports.COLUMNS]
    assert data_rows(ws) == []
