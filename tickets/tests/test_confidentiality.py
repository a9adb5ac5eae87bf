"""The complainant's identity stays inside the office unless they agreed: the contractor's
copy of the liaison form and the mediation notice to the other side of a dispute."""

import io

import pytest
from pypdf import PdfReader

from estate.tests.factories import PersonFactory, UnitFactory
from tickets.documents import dispute, liaison
from tickets.documents.confidentiality import (
    WITHHELD_NAME,
    WITHHELD_UNIT,
    complainant_view,
    redact,
)
from tickets.models import TicketParty
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

# What would identify the complainant 张三 of 3-2-301, phone 13812345678.
IDENTITY = ("张三", "3-2-301", "13812345678", "138****5678", "301")


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def eng_ticket(community, unit, owner, engineering, engineer):
    return TicketFactory(
        community=community,
        unit=unit,
        person=owner,
        number="A1-20261125-0007",
        kind="engineering",
        category="facilities",
        # agents write identities into free text too
        title="3-2-301张三反映卫生间顶棚渗水",
        description="张先生来电(13812345678):3号楼2单元301卫生间顶棚渗水,301室墙面起皮。",
        status="assigned",
        department=engineering,
        assignee=engineer,
    )


@pytest.fixture
def neighbour(office, building):
    unit = UnitFactory(building=building, entrance="2", room="401", number="3-2-401")
    return PersonFactory(office=office, name="王五", phones=["13900009999"], units=[unit]), unit


@pytest.fixture
def dispute_ticket(community, unit, owner, neighbour):
    person, their_unit = neighbour
    ticket = TicketFactory(
        community=community,
        unit=unit,
        person=owner,
        number="A1-20261125-0008",
        kind="dispute",
        category="noise",
        title="楼上3-2-401夜间噪音,张三(13812345678)要求处理",
        status="assigned",
    )
    TicketParty.objects.create(ticket=ticket, side="complainant", person=owner, unit=unit)
    TicketParty.objects.create(ticket=ticket, side="respondent", person=person, unit=their_unit)
    return ticket


def issue(ticket, actor):
    liaison.liaison_issue(ticket_id=ticket.id, actor=actor, contractor="宏达建筑工程有限公司")
    liaison.liaison_progress(
        ticket_id=ticket.id, actor=actor, text="已约张三明天上午入户,电话13812345678"
    )


def test_complainant_view_by_audience(eng_ticket):
    office = complainant_view(eng_ticket, audience="office")
    assert office["disclosed"] and office["name"] == "张三" and office["unit"] == "3-2-301"
    assert office["phone"] == "13812345678" and office["phone_masked"] == "138****5678"
    for audience in ("other_side", "contractor", "outside"):
        view = complainant_view(eng_ticket, audience=audience)
        assert not view["disclosed"]
        assert view["name"] == WITHHELD_NAME
        assert view["unit"] == "" and view["phone"] == "" and view["phone_masked"] == ""
        assert view["building"] == "3号楼"
        assert WITHHELD_UNIT in view["location"] and "301" not in view["location"]
    eng_ticket.complainant_consent = True
    view = complainant_view(eng_ticket, audience="contractor")
    assert view["disclosed"] and view["name"] == "张三" and view["unit"] == "3-2-301"
    with pytest.raises(ValueError):
        complainant_view(eng_ticket, audience="neighbours")


def test_redact_takes_the_identity_out_of_free_text(eng_ticket):
    text = redact(eng_ticket.description + eng_ticket.title, eng_ticket, audience="contractor")
    for piece in (*IDENTITY, "张先生"):
        assert piece not in text
    assert "卫生间顶棚渗水" in text
    assert redact(eng_ticket.title, eng_ticket, audience="office") == eng_ticket.title


def test_contractor_copy_without_consent_hides_the_complainant(engineer, eng_ticket):
    issue(eng_ticket, engineer)
    company_copy, contractor_copy, service_copy = pdf_pages(liaison.liaison_pdf(ticket=eng_ticket))
    for piece in IDENTITY:
        assert piece not in contractor_copy, piece
    assert "具体房号由客服中心陪同告知" in contractor_copy
    assert "翠湖花园" in contractor_copy and "3号楼" in contractor_copy
    assert "宏达建筑工程有限公司" in contractor_copy and "卫生间顶棚渗水" in contractor_copy
    # the office's own copies keep the full record (the phone masked on paper)
    for copy in (company_copy, service_copy):
        assert "张三" in copy and "3-2-301" in copy and "138****5678" in copy


def test_contractor_copy_with_consent_names_the_owner(engineer, eng_ticket):
    eng_ticket.complainant_consent = True
    eng_ticket.save()
    issue(eng_ticket, engineer)
    (contractor_copy,) = pdf_pages(liaison.liaison_pdf(ticket=eng_ticket, copy_for=2))
    assert "张三" in contractor_copy
    assert "3-2-301" in contractor_copy
    assert "13812345678" in contractor_copy
    assert "具体房号由客服中心陪同告知" not in contractor_copy


def test_contractor_copy_after_acceptance_does_not_name_the_acceptor(engineer, eng_ticket):
    issue(eng_ticket, engineer)
    liaison.liaison_accept(
        ticket_id=eng_ticket.id, actor=engineer, accepted_by_name="张三", note="张三表示满意"
    )
    (contractor_copy,) = pdf_pages(liaison.liaison_pdf(ticket=eng_ticket, copy_for=2))
    assert "张三" not in contractor_copy and "验收" in contractor_copy


def test_dispute_notice_without_consent(api_client_for, supervisor, dispute_ticket):
    r = api_client_for(supervisor).get(f"/api/v1/tickets/{dispute_ticket.id}/dispute-notice.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    (page,) = pdf_pages(r.content)
    assert "调解通知" in page.replace(" ", "")
    for piece in IDENTITY:
        assert piece not in page, piece
    # addressed to the other side, about the matter, with a line for the meeting time
    assert "3-2-401" in page and "王五" in page
    assert "噪音" in page and "调解时间" in page


def test_dispute_notice_with_consent_names_the_complainant(dispute_ticket):
    dispute_ticket.complainant_consent = True
    dispute_ticket.save()
    (page,) = pdf_pages(dispute.dispute_notice_pdf(ticket=dispute_ticket))
    assert "张三" in page and "3-2-301" in page
    assert "13812345678" in page  # it was in the title the desk wrote


def test_dispute_notice_print_page(client, supervisor, dispute_ticket):
    client.force_login(supervisor)
    r = client.get(f"/tickets/docs/{dispute_ticket.id}/dispute-notice/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "调解通知" in html and "3-2-401" in html and "王五" in html
    for piece in IDENTITY:
        assert piece not in html, piece
    dispute_ticket.complainant_consent = True
    dispute_ticket.save()
    html = client.get(f"/tickets/docs/{dispute_ticket.id}/dispute-notice/").content.decode()
    assert "张三" in html and "3-2-301" in html


def test_dispute_notice_only_for_visible_disputes(
    api_client_for, client, office2_manager, supervisor, dispute_ticket, eng_ticket
):
    url = f"/api/v1/tickets/{dispute_ticket.id}/dispute-notice.pdf"
    assert api_client_for(office2_manager).get(url).status_code == 404
    client.force_login(office2_manager)
    assert client.get(f"/tickets/docs/{dispute_ticket.id}/dispute-notice/").status_code == 404
    # not a dispute: there is no such notice
    r = api_client_for(supervisor).get(f"/api/v1/tickets/{eng_ticket.id}/dispute-notice.pdf")
    assert r.status_code == 404
