"""A hotline call from ring to ticket, in a real browser: the phone system pushes a ringing
call for the agent's extension, the caller's card pops on the desk within seconds, the
agent types what the owner says, the category is suggested live, Enter logs the ticket,
and the engineering supervisor finds it in the department's work list."""

import json
import os
import re
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hotline import kb
from hotline.models import Call, Script
from hotline.services import call_log, phone_system_create
from tickets.models import Ticket

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESCRIPTION = "厨房水管漏水,水都流到客厅了"
WATER = re.compile("给排水|水|Water")
ENGINEERING = "工程部"


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: HOTLINE_SHOTS_DIR to keep them, else the test's tmp dir."""
    folder = Path(os.environ.get("HOTLINE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def push(base_url: str, system, **body) -> dict:
    """What the phone system does: POST the call with its key and secret (loopback only)."""
    key, secret = system[0].key, system[1]
    request = urllib.request.Request(
        f"{base_url}/api/v1/phone/push",
        data=json.dumps({"event": "ringing", **body}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-Phone-System": key,
            "X-Phone-Secret": secret,
        },
        method="POST",
    )
    # No proxy from the environment: the live server is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def fits_the_screen(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def some_history(agent, receptionist, office, owner):
    """Calls, articles and a script, so that the pages show what they are for."""
    now = timezone.now()
    for i, (actor, outcome, minutes) in enumerate(
        [
            (agent, "answered", 3),
            (agent, "answered", 5),
            (receptionist, "answered", 2),
            (agent, "missed", 0),
            (receptionist, "answered", 7),
            (agent, "answered", 1),
        ]
    ):
        call_log(
            actor=actor,
            office=office,
            direction="in" if i % 3 else "out",
            number="13812345678" if i % 2 else "13700001111",
            outcome=outcome,
            started_at=now - timedelta(hours=2 * i + 1),
            duration_s=minutes * 60,
            person=owner if i % 2 else None,
        )
    kb.article_create(
        actor=receptionist,
        category="water",
        title="厨房水管破裂漏水",
        problem="业主家厨房水管爆裂,水漫到客厅",
        solution="请业主先关闭户内总阀,工程部30分钟内上门;贵重物品先移开。",
    )
    Script.objects.create(
        company=office.company,
        category="",
        title="接听开场",
        text="您好,和悦物业客服中心,请问有什么可以帮您?",
    )
    Script.objects.create(
        company=office.company,
        category="water",
        title="漏水报修",
        text="请问漏水的具体位置?是否已关闭总阀?我们马上安排工程部上门。",
    )


def test_a_call_pops_the_card_and_becomes_a_ticket_for_engineering(
    new_page,
    log_in,
    live_server,
    hotline_agent,
    receptionist,
    supervisor,
    office,
    owner,
    engineering,
    shots,
):
    owner.address_as = "张先生"
    owner.special_needs = "家中有行动不便的老人"
    owner.key_client = True
    owner.save()
    some_history(hotline_agent, receptionist, office, owner)
    system = phone_system_create(office=office, name="翠湖呼叫中心", key="pbx-cuihu")
    url = live_server.url

    # 1. The agent opens the desk and sets the extension of the desk phone.
    page = new_page()
    log_in(page, hotline_agent)
    page.goto(f"{url}/hotline/")
    page.fill("#id_extension", "8001")
    page.locator("#extension-form button[type=submit]").click()
    expect(page.locator("#extension-form .listening")).to_contain_text("8001")
    hotline_agent.refresh_from_db()
    assert hotline_agent.extension == "8001"

    # 2. The phone system pushes a ringing call from 张三's number to extension 8001.
    pushed = push(url, system, number="13812345678", extension="8001", call_id="pbx-77")
    assert pushed["person"] == owner.id

    # 3. Within a few seconds the card pops: who, how to address them, where.
    caller = page.locator("#caller")
    expect(caller.locator(".caller-card")).to_contain_text("张三", timeout=8000)
    popped = time.monotonic()
    expect(caller).to_contain_text("张先生")
    expect(caller).to_contain_text("3-2-301")
    expect(caller.locator(".needs-banner")).to_contain_text("行动不便")
    expect(caller).to_contain_text("138****5678")
    unit_id = owner.unit_links.get().unit_id
    expect(page.locator("#id_unit")).to_have_value(f"{owner.id}:{unit_id}")
    expect(page.locator("#id_description")).to_be_focused()

    # 4. The agent types what the owner says; the category is suggested as it is typed.
    page.locator("#id_description").press_sequentially(DESCRIPTION, delay=20)
    expect(page.locator("#id_category")).to_have_value("water")
    expect(page.locator("#id_category option:checked")).to_have_text(WATER)
    expect(page.locator("#category-field .department")).to_have_text(ENGINEERING)
    expect(page.locator("#kb-articles")).to_contain_text("厨房水管破裂漏水")
    expect(page.locator("#scripts")).to_contain_text("漏水报修")
    fits_the_screen(page)
    page.screenshot(path=shots / "desk_card_1280.png", full_page=True)

    # 5. Enter logs the ticket; its number shows at once, with a call-back form.
    page.locator("#id_description").press("Enter")
    done = page.locator(".done-card")
    expect(done).to_be_visible()
    ticket = Ticket.objects.get(channel="hotline")
    expect(done.locator(".ticket-number")).to_have_text(ticket.number)
    # Card to ticket number: well under the 30 s a routine repair may take (typing included).
    assert time.monotonic() - popped < 30
    assert (ticket.person, ticket.unit_id, ticket.category) == (owner, unit_id, "water")
    assert ticket.department == engineering and ticket.title == "厨房水管漏水"
    assert Call.objects.get(external_id="pbx-77").ticket == ticket
    page.screenshot(path=shots / "desk_done_1280.png", full_page=True)

    # 6. The engineering supervisor sees it in the department's work list.
    boss = new_page()
    log_in(boss, supervisor)
    boss.goto(f"{url}/tickets/?tab=department")
    expect(boss.locator("#results")).to_contain_text(ticket.number)
    expect(boss.locator("#results")).to_contain_text("厨房水管漏水")

    # 7. The call log and the statistics, wide and on a phone.
    for width in (1280, 390):
        p = page if width == 1280 else new_page(**PHONE)
        if width == 390:
            log_in(p, hotline_agent)
            p.goto(f"{url}/hotline/?call={Call.objects.get(external_id='pbx-77').id}")
            expect(p.locator(".caller-card")).to_contain_text("张三")
            fits_the_screen(p)
            p.screenshot(path=shots / "desk_card_390.png", full_page=True)
        p.goto(f"{url}/hotline/calls/")
        expect(p.locator("#results")).to_contain_text(ticket.number)
        fits_the_screen(p)
        p.screenshot(path=shots / f"calls_{width}.png", full_page=True)
        p.goto(f"{url}/hotline/stats/")
        expect(p.locator("svg.chart-hours")).to_be_visible()
        fits_the_screen(p)
        p.screenshot(path=shots / f"stats_{width}.png", full_page=True)
