"""Work liaison forms (工作联系单), paid special services (quote, payment, receipt) and their
PDFs, through the services, the API and the ticket page's documents panel."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from core.errors import NotAllowed, NotFound, RuleViolation
from org.tests.factories import DepartmentFactory, UserFactory
from tickets import services
from tickets.documents import liaison, special_services
from tickets.documents.pdf import text_width, wrap
from tickets.documents.special_services import rmb_upper
from tickets.models import LiaisonForm, PriceItem, ServiceQuote, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true"}


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def in_a_week():
    return (timezone.now() + timedelta(days=7)).astimezone(SH).date()


@pytest.fixture
def eng_ticket(community, unit, owner, engineering, engineer):
    return TicketFactory(
        community=community,
        unit=unit,
        person=owner,
        kind="engineering",
        category="facilities",
        title="卫生间顶棚渗水",
        description="交房第二年,卫生间顶棚持续渗水,墙面起皮。",
        status="assigned",
        department=engineering,
        assignee=engineer,
    )


@pytest.fixture
def repair_ticket(community, unit, owner, engineering, engineer):
    return TicketFactory(
        community=community,
        unit=unit,
        person=owner,
        kind="repair",
        category="water",
        title="更换厨房水龙头",
        status="assigned",
        department=engineering,
        assignee=engineer,
    )


@pytest.fixture
def price_items(office):
    return {
        "faucet": PriceItem.objects.create(office=office, name="更换水龙头", unit="个", price=60),
        "unclog": PriceItem.objects.create(office=office, name="疏通下水道", price=80),
    }


# ---- money in capitals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("120", "壹佰贰拾元整"),
        ("0", "零元整"),
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("10", "壹拾元整"),
        ("15.5", "壹拾伍元伍角"),
        ("1001", "壹仟零壹元整"),
        ("10100", "壹万零壹佰元整"),
        ("100010", "壹拾万零壹拾元整"),
        # the examples of the rules for filling in 票据 (正确填写票据和结算凭证的基本规定)
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("100000000", "壹亿元整"),
        ("100100000", "壹亿零壹拾万元整"),
        ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amount_in_chinese_capitals(amount, words):
    assert rmb_upper(Decimal(amount)) == words


def test_amount_in_capitals_refuses_negative():
    with pytest.raises(ValueError):
        rmb_upper(Decimal("-1"))


# ---- the layout helper ---------------------------------------------------------------------------


def test_wrap_breaks_chinese_by_width_and_keeps_punctuation_off_line_starts():
    text = "卫生间顶棚持续渗水,墙面起皮,业主要求尽快维修。" * 3
    lines = wrap(text, 100, 10)
    assert "".join(lines) == text
    assert all(text_width(line, 10) <= 100 for line in lines)
    assert not any(line[0] in ",。、" for line in lines)
    # a Latin word or number is not split when it fits on a line
    lines = wrap("工单号 A1-20261123-0007 已派工", 120, 10)
    assert len(lines) == 2 and any("A1-20261123-0007" in line for line in lines)


# ---- work liaison form ------------------------------------------------------------------------------


def test_liaison_flow_through_the_api_then_close(api_client_for, engineer, eng_ticket):
    client = api_client_for(engineer)
    due = in_a_week()
    r = client.post(
        f"/api/v1/tickets/{eng_ticket.id}/liaison",
        {
            "contractor": "宏达建筑工程有限公司",
            "contractor_contact": "王工",
            "committed_date": str(due),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == f"LX-{eng_ticket.number}"
    assert body["committed_date"] == str(due)
    assert body["accepted_at"] is None

    later = due + timedelta(days=3)
    r = client.post(
        f"/api/v1/tickets/{eng_ticket.id}/liaison/progress",
        {"text": "已联系施工单位,材料到货后维修", "committed_date": str(later)},
    )
    assert r.status_code == 200, r.content
    assert r.json()["committed_date"] == str(later)
    assert r.json()["progress"][0]["data"]["committed_date"] == {
        "old": str(due),
        "new": str(later),
    }

    services.ticket_start(ticket_id=eng_ticket.id, actor=engineer)
    services.ticket_resolve(ticket_id=eng_ticket.id, actor=engineer, resolution="已修复")
    with pytest.raises(RuleViolation):  # not accepted by the owner yet
        services.ticket_close(ticket_id=eng_ticket.id, actor=engineer_manager(eng_ticket))

    r = client.post(
        f"/api/v1/tickets/{eng_ticket.id}/liaison/accept",
        {"accepted_by_name": "张三", "note": "顶棚已干燥,验收合格"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["accepted_by_name"] == "张三" and r.json()["accepted_at"]

    closed = services.ticket_close(ticket_id=eng_ticket.id, actor=engineer_manager(eng_ticket))
    assert closed.status == "closed"
    actions = list(TicketEvent.objects.filter(ticket=eng_ticket).values_list("action", flat=True))
    for action in ("liaison_issue", "liaison_progress", "liaison_accept", "close"):
        assert action in actions


def engineer_manager(ticket):
    """An office manager of the ticket's office (closing is theirs, not the engineer's)."""
    return UserFactory(company=ticket.company, roles=["office_manager"], offices=[ticket.office])


def test_liaison_only_on_engineering_tickets(api_client_for, engineer, repair_ticket):
    r = api_client_for(engineer).post(
        f"/api/v1/tickets/{repair_ticket.id}/liaison", {"contractor": "宏达"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "not_engineering"


def test_liaison_issued_once(api_client_for, engineer, eng_ticket):
    client = api_client_for(engineer)
    url = f"/api/v1/tickets/{eng_ticket.id}/liaison"
    assert client.post(url, {"contractor": "宏达"}).status_code == 201
    assert client.post(url, {"contractor": "宏达"}).status_code == 409
    assert LiaisonForm.objects.filter(ticket=eng_ticket).count() == 1


def test_liaison_permissions(
    api_client_for, receptionist, quality, supervisor, office2_manager, eng_ticket
):
    url = f"/api/v1/tickets/{eng_ticket.id}/liaison"
    # the front desk and quality may not promise on an assigned ticket, so may not issue
    assert api_client_for(receptionist).post(url, {"contractor": "宏达"}).status_code == 403
    assert api_client_for(quality).post(url, {"contractor": "宏达"}).status_code == 403
    # another office does not even see the ticket
    assert api_client_for(office2_manager).post(url, {"contractor": "宏达"}).status_code == 404
    assert api_client_for(office2_manager).get(f"{url}.pdf").status_code == 404
    # the supervisor of the ticket's department may
    assert api_client_for(supervisor).post(url, {"contractor": "宏达"}).status_code == 201


def test_liaison_accept_time_rules(engineer, eng_ticket):
    liaison.liaison_issue(ticket_id=eng_ticket.id, actor=engineer, contractor="宏达")
    with pytest.raises(RuleViolation):
        liaison.liaison_accept(
            ticket_id=eng_ticket.id,
            actor=engineer,
            accepted_by_name="张三",
            accepted_at=timezone.now() + timedelta(hours=1),
        )
    with pytest.raises(RuleViolation):
        liaison.liaison_accept(
            ticket_id=eng_ticket.id,
            actor=engineer,
            accepted_by_name="张三",
            accepted_at=timezone.now() - timedelta(days=1),
        )
    with pytest.raises(RuleViolation):  # progress cannot promise a date in the past
        liaison.liaison_progress(
            ticket_id=eng_ticket.id,
            actor=engineer,
            text="x",
            committed_date=(timezone.now() - timedelta(days=2)).date(),
        )


def test_liaison_pdf_three_copies(api_client_for, engineer, eng_ticket):
    liaison.liaison_issue(
        ticket_id=eng_ticket.id,
        actor=engineer,
        contractor="宏达建筑工程有限公司",
        contractor_contact="王工 13700001111",
        committed_date=in_a_week(),
    )
    liaison.liaison_progress(ticket_id=eng_ticket.id, actor=engineer, text="施工单位已到场查看")
    r = api_client_for(engineer).get(f"/api/v1/tickets/{eng_ticket.id}/liaison.pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    pages = pdf_pages(r.content)
    assert len(pages) == 3
    for page, copy in zip(pages, ("第一联", "第二联", "第三联"), strict=True):
        assert "工作联系单" in page.replace(" ", "")
        assert copy in page
        assert "宏达建筑工程有限公司" in page
        assert f"LX-{eng_ticket.number}" in page
        assert "业主验收签字" in page
        assert "施工单位已到场查看" in page
    assert "物业公司存根" in pages[0] and "客服中心" in pages[2]

    one = api_client_for(engineer).get(f"/api/v1/tickets/{eng_ticket.id}/liaison.pdf?copy=2")
    assert one.status_code == 200
    assert len(pdf_pages(one.content)) == 1 and "第二联" in pdf_pages(one.content)[0]


def test_liaison_pdf_before_issue_is_404(api_client_for, engineer, eng_ticket):
    r = api_client_for(engineer).get(f"/api/v1/tickets/{eng_ticket.id}/liaison.pdf")
    assert r.status_code == 404


def test_long_description_stays_on_one_page_per_copy(engineer, eng_ticket):
    eng_ticket.description = "卫生间顶棚持续渗水,墙面起皮。" * 120
    eng_ticket.save()
    liaison.liaison_issue(ticket_id=eng_ticket.id, actor=engineer, contractor="宏达")
    for i in range(12):
        liaison.liaison_progress(ticket_id=eng_ticket.id, actor=engineer, text=f"第{i}次回复:" * 8)
    pages = pdf_pages(liaison.liaison_pdf(ticket=eng_ticket))
    assert len(pages) == 3


# ---- price list -----------------------------------------------------------------------------------


def test_price_list_kept_by_managers_and_scoped_by_office(
    api_client_for, office_manager, office2_manager, engineer, office, office2
):
    r = api_client_for(office_manager).post(
        "/api/v1/price-items",
        {"office": office.id, "name": "更换水龙头", "unit": "个", "price": "60"},
    )
    assert r.status_code == 201, r.content
    item = r.json()
    assert item["price"] == "60.00"
    # an engineer may not keep prices; another office's manager does not see this office
    body = {"office": office.id, "name": "疏通", "price": "80"}
    assert api_client_for(engineer).post("/api/v1/price-items", body).status_code == 403
    assert api_client_for(office2_manager).post("/api/v1/price-items", body).status_code == 404
    assert api_client_for(office2_manager).get("/api/v1/price-items").json()["results"] == []
    listed = api_client_for(engineer).get("/api/v1/price-items").json()
    assert [i["name"] for i in listed["results"]] == ["更换水龙头"]

    r = api_client_for(office_manager).patch(f"/api/v1/price-items/{item['id']}", {"price": "65.5"})
    assert r.status_code == 200 and Decimal(r.json()["price"]) == Decimal("65.50")
    assert (
        api_client_for(office2_manager)
        .patch(f"/api/v1/price-items/{item['id']}", {"price": "1"})
        .status_code
        == 404
    )


def test_price_item_duplicate_and_bad_price(office_manager, office):
    special_services.price_item_create(actor=office_manager, office=office, name="疏通", price=80)
    with pytest.raises(Exception) as exc:
        special_services.price_item_create(
            actor=office_manager, office=office, name="疏通", price=90
        )
    assert exc.value.status == 400 and "name" in exc.value.fields
    with pytest.raises(Exception) as exc:
        special_services.price_item_create(
            actor=office_manager, office=office, name="开锁", price="-1"
        )
    assert exc.value.status == 400 and "price" in exc.value.fields


# ---- quotes -----------------------------------------------------------------------------------------


def test_quote_total_computed_from_list_and_free_lines(
    api_client_for, engineer, repair_ticket, price_items
):
    r = api_client_for(engineer).post(
        f"/api/v1/tickets/{repair_ticket.id}/quote",
        {
            "lines": [
                {"item_id": price_items["faucet"].id, "quantity": "2"},
                {"name": "辅材(生料带、软管)", "price": "15.55", "quantity": "1.5"},
            ]
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    # 2 × 60.00 + 1.5 × 15.55 = 120.00 + 23.325 → 23.33
    assert Decimal(body["total"]) == Decimal("143.33")
    assert [line["amount"] for line in body["lines"]] == ["120.00", "23.33"]
    assert body["lines"][0]["item"] == "更换水龙头" and body["lines"][0]["unit"] == "个"
    assert body["total_in_words"] == "壹佰肆拾叁元叁角叁分"
    assert body["payment"] == "unpaid"
    assert body["warnings"][0]["code"] == "not_accepted"
    assert TicketEvent.objects.filter(ticket=repair_ticket, action="quote_create").exists()


def test_quote_line_errors_name_the_line(api_client_for, engineer, repair_ticket, price_items):
    client = api_client_for(engineer)
    url = f"/api/v1/tickets/{repair_ticket.id}/quote"
    r = client.post(url, {"lines": [{"item_id": price_items["faucet"].id}, {"name": "开锁"}]})
    assert r.status_code == 400 and "lines.1.price" in r.json()["error"]["fields"]
    other = PriceItem.objects.create(office=DepartmentFactory().office, name="外处", price=1)
    r = client.post(url, {"lines": [{"item_id": other.id}]})
    assert r.status_code == 400 and "lines.0.item_id" in r.json()["error"]["fields"]
    assert client.post(url, {"lines": []}).status_code == 400


def test_quote_permissions(
    api_client_for, quality, receptionist, office2_manager, supervisor, repair_ticket
):
    url = f"/api/v1/tickets/{repair_ticket.id}/quote"
    body = {"lines": [{"name": "更换水龙头", "price": "60"}]}
    assert api_client_for(quality).post(url, body).status_code == 403
    assert api_client_for(receptionist).post(url, body).status_code == 403
    assert api_client_for(office2_manager).post(url, body).status_code == 404
    assert api_client_for(office2_manager).get(f"{url}").status_code == 404
    assert api_client_for(supervisor).post(url, body).status_code == 201


def test_quote_only_on_repairs(api_client_for, engineer, eng_ticket):
    r = api_client_for(engineer).post(
        f"/api/v1/tickets/{eng_ticket.id}/quote", {"lines": [{"name": "x", "price": "1"}]}
    )
    assert r.status_code == 422


def test_pay_before_accept_refused_then_receipts_numbered(
    api_client_for, engineer, receptionist, repair_ticket, community, unit, engineering
):
    second = TicketFactory(
        community=community,
        unit=unit,
        kind="repair",
        status="assigned",
        department=engineering,
        assignee=engineer,
    )
    client = api_client_for(engineer)
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=SH)):
        for t in (repair_ticket, second):
            r = client.post(
                f"/api/v1/tickets/{t.id}/quote", {"lines": [{"name": "更换水龙头", "price": "120"}]}
            )
            assert r.status_code == 201
        r = client.post(f"/api/v1/tickets/{repair_ticket.id}/quote/pay", {"method": "cash"})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "quote_not_accepted"

        for t in (repair_ticket, second):
            r = client.post(f"/api/v1/tickets/{t.id}/quote/accept", {"accepted_by_name": "张三"})
            assert r.status_code == 200 and r.json()["warnings"] == []
        # the front desk takes the money
        desk = api_client_for(receptionist)
        r = desk.post(f"/api/v1/tickets/{repair_ticket.id}/quote/pay", {"method": "wechat"})
        assert r.status_code == 200, r.content
        assert r.json()["payment"] == "paid"
        assert r.json()["receipt_number"] == "SJ-A1-20261125-0001"
        r = desk.post(f"/api/v1/tickets/{second.id}/quote/pay", {"method": "cash"})
        assert r.json()["receipt_number"] == "SJ-A1-20261125-0002"
        # paying twice is a conflict; an unknown method is bad input
        r = desk.post(f"/api/v1/tickets/{second.id}/quote/pay", {"method": "cash"})
        assert r.status_code == 409
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, tzinfo=SH)):
        third = TicketFactory(
            community=community, kind="repair", status="new", department=engineering
        )
        special_services.quote_create(
            ticket_id=third.id, actor=engineer_manager(third), lines=[{"name": "x", "price": "5"}]
        )
        special_services.quote_accept(ticket_id=third.id, actor=receptionist, accepted_by_name="李")
        paid = special_services.quote_pay(ticket_id=third.id, actor=receptionist, method="card")
        assert paid.receipt_number == "SJ-A1-20261126-0001"
    r = api_client_for(receptionist).post(
        f"/api/v1/tickets/{third.id}/quote/pay", {"method": "bitcoin"}
    )
    assert r.status_code == 400


def test_accepted_quote_cannot_be_replaced_but_unaccepted_one_can(engineer, repair_ticket):
    lines = [{"name": "更换水龙头", "price": "60"}]
    # the need for paid work showed only once the repair had started (in progress)
    services.ticket_start(ticket_id=repair_ticket.id, actor=engineer)
    special_services.quote_create(ticket_id=repair_ticket.id, actor=engineer, lines=lines)
    repair_ticket.refresh_from_db()
    # the warning is loud, and the price may still be corrected before acceptance
    assert special_services.quote_warnings(repair_ticket)[0]["code"] == "started_before_acceptance"
    quote = special_services.quote_create(
        ticket_id=repair_ticket.id, actor=engineer, lines=[{"name": "更换水龙头", "price": "50"}]
    )
    assert quote.total == Decimal("50.00")
    assert TicketEvent.objects.filter(ticket=repair_ticket, action="quote_replace").exists()
    special_services.quote_accept(
        ticket_id=repair_ticket.id, actor=engineer, accepted_by_name="张三"
    )
    with pytest.raises(Exception) as exc:
        special_services.quote_create(ticket_id=repair_ticket.id, actor=engineer, lines=lines)
    assert exc.value.status == 409


def test_late_acceptance_is_recorded_as_late(engineer, receptionist, repair_ticket):
    services.ticket_start(ticket_id=repair_ticket.id, actor=engineer)
    special_services.quote_create(
        ticket_id=repair_ticket.id, actor=engineer, lines=[{"name": "x", "price": "30"}]
    )
    services.ticket_resolve(ticket_id=repair_ticket.id, actor=engineer, resolution="已修好")
    special_services.quote_accept(
        ticket_id=repair_ticket.id, actor=receptionist, accepted_by_name="张"
    )
    event = TicketEvent.objects.get(ticket=repair_ticket, action="quote_accept")
    assert event.data["after_start"] is True
    paid = special_services.quote_pay(ticket_id=repair_ticket.id, actor=receptionist, method="cash")
    assert paid.receipt_number.startswith("SJ-A1-")


def test_work_starts_only_after_the_owner_accepts_the_price(
    api_client_for, engineer, repair_ticket
):
    client = api_client_for(engineer)
    special_services.quote_create(
        ticket_id=repair_ticket.id, actor=engineer, lines=[{"name": "x", "price": "1"}]
    )
    r = client.post(f"/api/v1/tickets/{repair_ticket.id}/actions", {"action": "start"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "quote_not_accepted"
    special_services.quote_accept(ticket_id=repair_ticket.id, actor=engineer, accepted_by_name="张")
    r = client.post(f"/api/v1/tickets/{repair_ticket.id}/actions", {"action": "start"})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"


def test_owner_confirms_after_resolve(api_client_for, engineer, hotline_agent, repair_ticket):
    special_services.quote_create(
        ticket_id=repair_ticket.id, actor=engineer, lines=[{"name": "x", "price": "10"}]
    )
    special_services.quote_accept(ticket_id=repair_ticket.id, actor=engineer, accepted_by_name="张")
    url = f"/api/v1/tickets/{repair_ticket.id}/quote/confirm"
    assert api_client_for(engineer).post(url).status_code == 409  # not resolved yet
    services.ticket_start(ticket_id=repair_ticket.id, actor=engineer)
    services.ticket_resolve(ticket_id=repair_ticket.id, actor=engineer, resolution="已更换")
    r = api_client_for(hotline_agent).post(url)  # the owner confirmed on the phone
    assert r.status_code == 200 and r.json()["confirmed_at"]
    assert api_client_for(engineer).post(url).status_code == 409
    assert TicketEvent.objects.filter(ticket=repair_ticket, action="quote_confirm").exists()


def test_receipt_pdf(api_client_for, engineer, receptionist, repair_ticket, price_items):
    client = api_client_for(engineer)
    assert client.get(f"/api/v1/tickets/{repair_ticket.id}/receipt.pdf").status_code == 404
    special_services.quote_create(
        ticket_id=repair_ticket.id,
        actor=engineer,
        lines=[{"item_id": price_items["faucet"].id, "quantity": "2"}],
    )
    special_services.quote_accept(
        ticket_id=repair_ticket.id, actor=engineer, accepted_by_name="张三"
    )
    quote = special_services.quote_pay(
        ticket_id=repair_ticket.id, actor=receptionist, method="cash"
    )
    r = client.get(f"/api/v1/tickets/{repair_ticket.id}/receipt.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    (page,) = pdf_pages(r.content)
    flat = page.replace(" ", "")
    assert "收据" in flat
    assert "壹佰贰拾元整" in page
    assert quote.receipt_number in page
    assert "和悦物业" in page
    assert "更换水龙头" in page and "120.00" in page and "60.00" in page
    assert "张三" in page and "3-2-301" in page
    assert "现金" in page and "收款人" in page


# ---- the documents panel on the ticket page --------------------------------------------------------


def test_panel_shows_only_allowed_buttons(client, engineer, receptionist, eng_ticket):
    client.force_login(engineer)
    r = client.get(f"/tickets/docs/{eng_ticket.id}/", **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert f"/tickets/docs/{eng_ticket.id}/liaison/" in html
    assert 'id="ticket-docs"' in html and "<html" not in html
    client.force_login(receptionist)
    html = client.get(f"/tickets/docs/{eng_ticket.id}/", **HTMX).content.decode()
    assert f"/tickets/docs/{eng_ticket.id}/liaison/" not in html
    assert 'name="file"' in html  # the front desk may attach photos
    # without htmx the panel comes in a page of its own
    assert "<html" in client.get(f"/tickets/docs/{eng_ticket.id}/").content.decode()


def test_panel_issue_and_accept_through_htmx(client, engineer, receptionist, eng_ticket):
    client.force_login(engineer)
    r = client.post(
        f"/tickets/docs/{eng_ticket.id}/liaison/",
        {"contractor": "宏达建筑", "committed_date": str(in_a_week())},
        **HTMX,
    )
    assert r.status_code == 200
    assert f"LX-{eng_ticket.number}" in r.content.decode()
    # a role that may not act gets 403 even when it posts directly…
    client.force_login(receptionist)
    r = client.post(f"/tickets/docs/{eng_ticket.id}/liaison/progress/", {"text": "x"}, **HTMX)
    assert r.status_code == 403
    client.force_login(engineer)
    r = client.post(
        f"/tickets/docs/{eng_ticket.id}/liaison/accept/", {"accepted_by_name": ""}, **HTMX
    )
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    r = client.post(
        f"/tickets/docs/{eng_ticket.id}/liaison/accept/",
        {
            "accepted_by_name": "张三",
            "accepted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        **HTMX,
    )
    assert r.status_code == 200
    assert LiaisonForm.objects.get(ticket=eng_ticket).accepted_by_name == "张三"
    # the front desk still sees the form and may print it
    client.force_login(receptionist)
    assert client.get(f"/tickets/docs/{eng_ticket.id}/liaison.pdf").status_code == 200


def test_panel_quote_flow_and_warning(client, engineer, receptionist, repair_ticket, price_items):
    client.force_login(engineer)
    r = client.post(
        f"/tickets/docs/{repair_ticket.id}/quote/",
        {
            "item_id_0": price_items["faucet"].id,
            "quantity_0": "2",
            "name_0": "",
            "price_0": "",
            "item_id_1": "",
            "quantity_1": "1",
            "name_1": "",
            "price_1": "",
        },
        **HTMX,
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "壹佰贰拾元整" in html and 'data-warning="not_accepted"' in html
    assert ServiceQuote.objects.get(ticket=repair_ticket).total == Decimal("120.00")
    client.force_login(receptionist)
    client.post(
        f"/tickets/docs/{repair_ticket.id}/quote/accept/", {"accepted_by_name": "张三"}, **HTMX
    )
    r = client.post(f"/tickets/docs/{repair_ticket.id}/quote/pay/", {"method": "cash"}, **HTMX)
    html = r.content.decode()
    assert "SJ-A1-" in html and f"/tickets/docs/{repair_ticket.id}/receipt.pdf" in html
    r = client.get(f"/tickets/docs/{repair_ticket.id}/receipt.pdf")
    assert r.status_code == 200 and "壹佰贰拾元整" in pdf_pages(r.content)[0]


def test_panel_of_another_office_is_404(client, office2_manager, eng_ticket):
    client.force_login(office2_manager)
    assert client.get(f"/tickets/docs/{eng_ticket.id}/").status_code == 404
    r = client.post(f"/tickets/docs/{eng_ticket.id}/liaison/", {"contractor": "x"}, **HTMX)
    assert r.status_code == 404
    assert client.get(f"/tickets/docs/{eng_ticket.id}/liaison.pdf").status_code == 404


def test_services_scope_and_policy_errors(office2_manager, quality, repair_ticket):
    with pytest.raises(NotFound):
        special_services.quote_create(
            ticket_id=repair_ticket.id, actor=office2_manager, lines=[{"name": "x", "price": "1"}]
        )
    with pytest.raises(NotAllowed):
        special_services.quote_create(
            ticket_id=repair_ticket.id, actor=quality, lines=[{"name": "x", "price": "1"}]
        )
