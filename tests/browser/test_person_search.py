"""A receptionist finds an owner by phone and opens the owner's page, in a real browser."""

import pytest
from playwright.sync_api import expect

from estate.tests.factories import PersonFactory

pytestmark = pytest.mark.browser

FULL = "13812345678"
MASKED = "138****5678"


def test_receptionist_finds_a_person_by_phone(
    new_page, log_in, live_server, receptionist, owner, tmp_path
):
    PersonFactory(office=owner.office, name="王五", phones=["13700000000"])
    page = new_page()
    log_in(page, receptionist)
    page.goto(f"{live_server.url}/estate/people/")
    results = page.locator("#results")
    expect(results).to_contain_text("王五")

    # Typing searches live (htmx swaps #results and keeps the query in the address).
    page.fill("#person-q", FULL)
    expect(results).not_to_contain_text("王五")
    expect(results.get_by_role("link", name="张三")).to_be_visible()
    assert f"q={FULL}" in page.url

    results.get_by_role("link", name="张三").click()
    expect(page.locator("h1")).to_contain_text("张三")
    expect(page.locator("#phones")).to_contain_text(MASKED)
    assert FULL not in page.content()
    page.screenshot(path=tmp_path / "person.png", full_page=True)

    # The reveal button swaps in the full numbers.
    page.get_by_role("button", name="显示号码").click()
    expect(page.locator("#phones")).to_contain_text(FULL)


@pytest.mark.parametrize(
    "path",
    ["/", "/estate/people/", "/estate/people/{person}/", "/estate/communities/", "/estate/units/"],
)
def test_pages_fit_a_phone_screen(
    new_page, log_in, live_server, receptionist, owner, path, tmp_path
):
    page = new_page(width=390, height=844)
    log_in(page, receptionist)
    page.goto(live_server.url + path.format(person=owner.pk))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The menu folds behind its toggle.
    nav = page.locator(".mainnav")
    expect(nav).to_be_hidden()
    page.locator(".nav-toggle-label").click()
    expect(nav).to_be_visible()
    page.screenshot(path=tmp_path / "phone.png", full_page=True)
