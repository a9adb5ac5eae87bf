"""A walk-in repair from the front desk to resolution, in a real browser: the receptionist
logs it, the engineering supervisor assigns it, the engineer starts and resolves it."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tickets.models import Ticket
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.browser

# Labels in Chinese once the locale has the ticket strings, in English until then.
LOGGED = re.compile("登记|Logged")
ASSIGNED = re.compile("分派|Assigned")
RESOLVED = re.compile("解决|Resolved")
STATUS_ASSIGNED = re.compile("已派单|Assigned")
STATUS_IN_PROGRESS = re.compile("处理中|In progress")
STATUS_RESOLVED = re.compile("已解决|Resolved")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: TICKET_SHOTS_DIR to keep them, else the test's tmp dir."""
    folder = Path(os.environ.get("TICKET_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits_the_screen(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_walk_in_repair_from_front_desk_to_resolution(
    new_page, log_in, live_server, receptionist, supervisor, engineer, owner, engineering, shots
):
    # Some work on the list already, so the screenshots show a real list.
    TicketFactory(
        community=owner.office.communities.get(),
        title="电梯异响",
        category="lift",
        status="assigned",
        department=engineering,
        assignee=engineer,
    )
    url = live_server.url

    # 1. The receptionist logs the walk-in repair through the form.
    page = new_page()
    log_in(page, receptionist)
    page.goto(f"{url}/tickets/new/")
    expect(page.locator("#id_unit_number")).to_be_focused()
    page.fill("#id_unit_number", "3-2-301")
    owner_choice = page.locator(f'#who input[name="person"][value="{owner.id}"]')
    expect(owner_choice).to_be_visible()  # the lookup suggests the unit's people
    expect(page.locator("#who")).to_contain_text("138****5678")
    owner_choice.check()
    expect(page.locator('input[name="kind"][value="repair"]')).to_be_checked()
    expect(page.locator("#id_channel")).to_have_value("walk_in")
    expect(page.locator("#id_severity_0")).to_be_hidden()  # complaints only
    page.select_option("#id_category", "water")
    page.fill("#id_title", "卫生间漏水")
    page.fill("#id_description", "楼上渗水到卫生间天花板，业主上午在家")
    page.screenshot(path=shots / "create_1280.png", full_page=True)
    page.locator("form.ticket-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get(title="卫生间漏水")
    assert (ticket.person_id, ticket.unit.number, ticket.category) == (owner.id, "3-2-301", "water")
    assert ticket.channel == "walk_in" and ticket.department == engineering
    expect(page.locator("h1")).to_contain_text("卫生间漏水")
    expect(page.locator(".ticket-head")).to_contain_text(ticket.number)

    # 2. The engineering supervisor assigns it to the engineer.
    page = new_page()
    log_in(page, supervisor)
    page.goto(f"{url}/tickets/")
    expect(page.locator("#results")).to_contain_text("卫生间漏水")
    page.screenshot(path=shots / "list_1280.png", full_page=True)
    page.locator("#results").get_by_role("link", name="卫生间漏水").click()
    page.locator("#action-assign summary").click()
    page.select_option("#id_assign-target", f"{engineering.id}:{engineer.id}")
    page.locator("#action-assign button[type=submit]").click()
    expect(page.locator("#ticket-status")).to_have_text(STATUS_ASSIGNED)
    expect(page.locator(".ticket-head")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.assignee == engineer

    # 3. The engineer starts and resolves it.
    page = new_page()
    log_in(page, engineer)
    page.goto(f"{url}/tickets/")
    page.locator("#results").get_by_role("link", name="卫生间漏水").click()
    page.locator("#action-start button[type=submit]").click()
    expect(page.locator("#ticket-status")).to_have_text(STATUS_IN_PROGRESS)
    page.locator("#action-resolve summary").click()
    page.fill("#id_resolve-resolution", "更换楼上卫生间存水弯，已试水不漏")
    page.locator("#action-resolve button[type=submit]").click()
    expect(page.locator("#ticket-status")).to_have_text(STATUS_RESOLVED)

    # 4. The ticket page shows the three steps, each with who did it.
    timeline = page.locator(".ticket-timeline")
    for label, actor in ((LOGGED, receptionist), (ASSIGNED, supervisor), (RESOLVED, engineer)):
        step = timeline.locator("li", has=page.locator(".event-label", has_text=label))
        expect(step.first).to_contain_text(str(actor))
    expect(timeline).to_contain_text("更换楼上卫生间存水弯")
    page.screenshot(path=shots / "detail_1280.png", full_page=True)

    # 5. The same pages on a phone: nothing wider than the screen, the list as cards.
    phone = new_page(**PHONE)
    log_in(phone, supervisor)
    for name, path in (
        ("list", "/tickets/?tab=office"),
        ("create", "/tickets/new/"),
        ("detail", f"/tickets/{ticket.id}/"),
    ):
        phone.goto(url + path)
        fits_the_screen(phone)
        phone.screenshot(path=shots / f"{name}_390.png", full_page=True)
    phone.goto(f"{url}/tickets/?tab=office")
    expect(phone.locator(".ticket-table thead")).to_be_hidden()


def test_a_refused_action_shows_its_message_in_the_form(
    new_page, log_in, live_server, office_manager, community
):
    ticket = TicketFactory(community=community, status="resolved", kind="engineering")
    page = new_page()
    log_in(page, office_manager)
    page.goto(f"{live_server.url}/tickets/{ticket.id}/")
    page.locator("#action-close summary").click()
    page.locator("#action-close button[type=submit]").click()
    # 422: the owner has not accepted the repair yet — shown in the close form.
    expect(page.locator("#action-close .form-errors")).to_be_visible()
    expect(page.locator("#action-close details")).to_have_attribute("open", "")
    expect(page.locator("#ticket-status")).to_have_text(STATUS_RESOLVED)


def test_changing_a_filter_swaps_the_results_and_keeps_the_url(
    new_page, log_in, live_server, receptionist, community
):
    TicketFactory(community=community, title="电梯异响", category="lift", status="assigned")
    TicketFactory(community=community, title="物业费怎么交", category="fees", kind="inquiry")
    page = new_page()
    log_in(page, receptionist)
    page.goto(f"{live_server.url}/tickets/?tab=office")
    results = page.locator("#results")
    expect(results).to_contain_text("电梯异响")
    expect(results).to_contain_text("物业费怎么交")
    page.select_option("#id_kind", "inquiry")
    expect(results).not_to_contain_text("电梯异响")
    expect(results).to_contain_text("物业费怎么交")
    assert "kind=inquiry" in page.url and "tab=office" in page.url
    page.fill("#id_q", "电梯")
    page.select_option("#id_kind", "")
    expect(results).not_to_contain_text("物业费怎么交")
    expect(results).to_contain_text("电梯异响")
    assert "q=" in page.url
