"""The printed visit sheet 《回访记录表》: Chinese labels, the owner's details (phone
masked), one page per visit of the filtered list, the drawn signature as an image."""

import base64
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from org.tests.factories import UserFactory
from visits import services, views
from visits.models import ReturnVisit
from visits.tests.test_views import PNG_URL, make_visit

pytestmark = pytest.mark.django_db

LABELS = (
    "回访记录表",
    "业主姓名",
    "房号",
    "联系电话",
    "回访事项",
    "回访方式",
    "回访时间",
    "质量评价",
    "服务结果评价",
    "满意度",
    "非常满意",
    "非常不满意",
    "不足之处",
    "业主意见",
    "是否合格",
    "业主签字",
)


@pytest.fixture
def cs_staff(company, office, cs_department):
    return UserFactory(
        company=company, roles=["staff"], offices=[office], departments=[cs_department]
    )


@pytest.fixture
def visit(office_manager, community, owner, unit, cs_staff):
    return make_visit(office_manager, community, owner, unit)


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def images_on(page) -> list:
    xobjects = page["/Resources"].get("/XObject")
    if xobjects is None:
        return []
    xobjects = xobjects.get_object()
    return [name for name in xobjects if xobjects[name].get_object()["/Subtype"] == "/Image"]


def record(visit, actor, **extra):
    fields = {
        "method": "on_site",
        "visited_at": None,
        "quality": "维修质量好",
        "result": "漏水已止住",
        "satisfaction": 4,
        "shortcomings": "上门时间比约定晚了半小时",
        "opinions": "希望以后提前电话预约",
        "qualified": True,
        **extra,
    }
    return services.visit_record(visit_id=visit.id, actor=actor, **fields)


def test_blank_sheet_of_a_visit_to_make(client, cs_staff, visit):
    client.force_login(cs_staff)
    reader = pdf_of(client.get(reverse("visits:sheet_pdf", args=[visit.id])))
    assert len(reader.pages) == 1
    text = text_of(reader)
    for label in LABELS:
        assert label in text, label
    assert "张三" in text and "3-2-301" in text and "翠湖花园" in text
    assert "138****5678" in text and "13812345678" not in text
    assert visit.ticket.number in text and "厨房水管漏水" in text
    assert "已更换水管接头" in text  # the resolution
    assert images_on(reader.pages[0]) == []


def test_a_signed_visit_prints_its_record_and_signature_image(client, cs_staff, visit):
    record(visit, cs_staff, signature={"kind": "drawn", "data": PNG_URL})
    client.force_login(cs_staff)
    reader = pdf_of(client.get(reverse("visits:sheet_pdf", args=[visit.id])))
    text = text_of(reader)
    assert "上门时间比约定晚了半小时" in text and "希望以后提前电话预约" in text
    assert "签字时间" in text and "第 1 版记录" in text
    assert len(images_on(reader.pages[0])) == 1


def test_a_real_canvas_signature_is_drawn(client, cs_staff, visit):
    """A signature as the canvas sends it (900 px wide, transparent) prints too."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (900, 360), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(60, 250), (300, 120), (520, 260), (840, 90)], fill="black", width=8
    )
    buffer = BytesIO()
    image.save(buffer, "PNG")
    data = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    record(visit, cs_staff, signature={"kind": "drawn", "data": data})
    client.force_login(cs_staff)
    reader = pdf_of(client.get(reverse("visits:sheet_pdf", args=[visit.id])))
    assert len(images_on(reader.pages[0])) == 1


def test_sms_confirmation_prints_the_masked_phone(client, cs_staff, visit):
    import re

    from core.models import SmsMessage

    services.visit_send_code(visit_id=visit.id, actor=cs_staff)
    code = re.search(r"\d{6}", SmsMessage.objects.get().text).group()
    record(visit, cs_staff, signature={"kind": "sms_code", "data": code})
    client.force_login(cs_staff)
    text = text_of(pdf_of(client.get(reverse("visits:sheet_pdf", args=[visit.id]))))
    assert "短信验证码确认" in text and "138****5678" in text and "13812345678" not in text


def test_sheets_of_the_filtered_list_one_page_each(
    client,
    cs_staff,
    office_manager,
    office2_manager,
    community,
    community2,
    owner,
    unit,
    person_in_office2,
):
    first = make_visit(office_manager, community, owner, unit, title="楼道灯不亮")
    second = make_visit(office_manager, community, owner, unit, title="电梯异响")
    make_visit(office2_manager, community2, person_in_office2, None, title="锦绣苑投诉")
    client.force_login(cs_staff)
    reader = pdf_of(client.get(reverse("visits:sheets_pdf") + "?tab=today"))
    assert len(reader.pages) == 2
    text = text_of(reader)
    assert "楼道灯不亮" in text and "电梯异响" in text and "锦绣苑投诉" not in text
    assert first.ticket.number in reader.pages[0].extract_text()
    assert second.ticket.number in reader.pages[1].extract_text()
    # another tab: nothing done yet, a sheet that says so
    empty = pdf_of(client.get(reverse("visits:sheets_pdf") + "?tab=done"))
    assert len(empty.pages) == 1 and "没有符合条件的回访" in text_of(empty)


def test_sheets_are_capped(client, cs_staff, office_manager, community, owner, unit, monkeypatch):
    for _i in range(3):
        make_visit(office_manager, community, owner, unit)
    monkeypatch.setattr(views, "SHEETS_CAP", 2)
    client.force_login(cs_staff)
    assert len(pdf_of(client.get(reverse("visits:sheets_pdf"))).pages) == 2


def test_sheet_denials(client, office2_manager, visit):
    url = reverse("visits:sheet_pdf", args=[visit.id])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("visits:sheets_pdf")).status_code == 302
    client.force_login(office2_manager)
    assert client.get(url).status_code == 404
    reader = pdf_of(client.get(reverse("visits:sheets_pdf") + "?scope=office"))
    assert "张三" not in text_of(reader)
    assert ReturnVisit.objects.count() == 1
