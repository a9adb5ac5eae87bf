"""A customer-service staff member records a return visit with the owner's signature drawn
on the screen, in a real browser, on a desktop and on a phone."""

from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from org.tests.factories import UserFactory
from visits.models import VisitRecord
from visits.tests.test_views import make_visit

pytestmark = pytest.mark.browser


@pytest.fixture
def cs_staff(company, office, cs_department):
    return UserFactory(
        company=company,
        roles=["staff"],
        offices=[office],
        departments=[cs_department],
        username="cs1",
        name="客服小李",
    )


def sign(page) -> None:
    """Three strokes with the mouse, as a person signs: 张, a dot, a flourish."""
    canvas = page.locator(".signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 200
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    strokes = [
        [(0.12, 0.30), (0.22, 0.28), (0.20, 0.55), (0.30, 0.70), (0.18, 0.78)],
        [(0.38, 0.25), (0.36, 0.75), (0.48, 0.45), (0.58, 0.72), (0.66, 0.40)],
        [(0.70, 0.62), (0.80, 0.35), (0.86, 0.70), (0.92, 0.50)],
    ]
    for stroke in strokes:
        (sx, sy), rest = stroke[0], stroke[1:]
        page.mouse.move(x0 + sx * w, y0 + sy * h)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(x0 + x * w, y0 + y * h, steps=8)
        page.mouse.up()


def fill_record(page) -> None:
    page.locator("label.segment:has(input[name=method][value=face_to_face])").click()
    page.fill("#id_quality", "维修及时，师傅态度好")
    page.fill("#id_result", "顶棚已不再渗水")
    page.locator("label.rating-choice:has(input[value='4'])").click()
    page.fill("#id_opinions", "希望以后提前电话预约")
    page.locator("label.segment:has(input[name=qualified][value=true])").click()
    expect(page.locator(".unqualified-warning")).to_be_hidden()
    sign(page)
    expect(page.locator(".signature-pad")).to_have_class("signature-pad has-ink")


def assert_fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def assert_signature_shows(page) -> None:
    image = page.locator("img.signature-image")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('img.signature-image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("document.querySelector('img.signature-image').naturalWidth") == 900


def assert_stored_signature_has_ink(record: VisitRecord) -> None:
    png = Image.open(BytesIO(bytes(record.signature_image)))
    assert png.format == "PNG" and png.width == 900
    # something was drawn: the alpha channel is not empty
    assert png.convert("RGBA").getchannel("A").getbbox() is not None


@pytest.mark.parametrize("width", [1280, 390])
def test_record_a_visit_with_a_drawn_signature(
    new_page, log_in, live_server, office_manager, community, owner, unit, cs_staff, width, tmp_path
):
    visit = make_visit(office_manager, community, owner, unit, title="卫生间顶棚渗水")
    page = new_page(width=width, height=900 if width > 500 else 844)
    log_in(page, cs_staff)

    # Today's visits: mine by default.
    page.goto(f"{live_server.url}/visits/")
    row = page.locator(".visit-row").first
    expect(row).to_contain_text("卫生间顶棚渗水")
    expect(row).to_contain_text("138****5678")
    assert_fits(page, width)
    page.screenshot(path=tmp_path / f"list-{width}.png", full_page=True)

    row.locator("a.visit-window").click()
    expect(page.locator("#record-link")).to_be_visible()
    page.locator("#record-link").click()
    expect(page.locator(".signature-canvas")).to_be_visible()
    fill_record(page)
    assert_fits(page, width)
    page.screenshot(path=tmp_path / f"form-{width}.png", full_page=True)

    page.locator("#save-record").click()
    page.wait_for_url(f"{live_server.url}/visits/{visit.id}/")
    expect(page.locator("#record-v1")).to_contain_text("希望以后提前电话预约")
    expect(page.locator("#visit-state")).to_have_class("visit-state state-done")
    assert_signature_shows(page)
    assert_fits(page, width)
    page.screenshot(path=tmp_path / f"visit-{width}.png", full_page=True)

    record = VisitRecord.objects.get(visit=visit)
    assert (record.method, record.satisfaction, record.qualified) == ("face_to_face", 4, True)
    assert record.signature_kind == "drawn"
    assert_stored_signature_has_ink(record)


def test_clear_and_sms_panel(new_page, log_in, live_server, office_manager, community, owner, unit, cs_staff):  # fmt: skip
    visit = make_visit(office_manager, community, owner, unit)
    page = new_page(width=390, height=844)
    log_in(page, cs_staff)
    page.goto(f"{live_server.url}/visits/{visit.id}/record/")
    sign(page)
    pad = page.locator(".signature-pad")
    expect(pad).to_have_class("signature-pad has-ink")
    page.locator("[data-signature-clear]").click()
    expect(pad).to_have_class("signature-pad")
    # Sending without a signature: the form says what is missing, nothing is stored.
    page.locator("label.segment:has(input[name=method][value=phone])").click()
    page.locator("label.rating-choice:has(input[value='5'])").click()
    page.locator("label.segment:has(input[name=qualified][value=true])").click()
    page.locator("#save-record").click()
    expect(page.locator("#panel-drawn .errors")).to_be_visible()
    assert not VisitRecord.objects.exists()

    # Confirm by SMS instead: the code panel replaces the signature box.
    page.locator("label.segment:has(input[name=confirm_by][value=sms_code])").click()
    expect(page.locator(".signature-canvas")).to_be_hidden()
    page.locator("#send-code").click()
    expect(page.locator("#code-status")).to_contain_text("138****5678")
