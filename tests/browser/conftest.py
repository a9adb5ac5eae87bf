"""Browser tests: Playwright (sync API) driving Debian's chromium against live_server.

`playwright install` cannot download here, so the browser is Debian's chromium, and a
CJK font is needed for Chinese to render (and for screenshots to be worth reading).
Both are installed on first use when missing.
"""

import os
import shutil
import subprocess

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests' factories would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PACKAGES = ["chromium", "fonts-noto-cjk"]


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def _missing() -> list[str]:
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append("chromium")
    if not _has_cjk_font():
        missing.append("a CJK font")
    return missing


def _give_up(reason: str) -> None:
    # In CI a browser test that cannot run is a failure, never a quiet skip.
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _install() -> None:
    if os.geteuid() != 0:
        _give_up(f"{', '.join(_missing())} missing and not root to apt-get install them")
    if shutil.which("apt-get") is None:
        _give_up(f"{', '.join(_missing())} missing and no apt-get to install them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        for command in (
            ["apt-get", "update"],
            ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
        ):
            subprocess.run(command, check=True, env=env, capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        output = getattr(exc, "stderr", b"") or b""
        _give_up(f"could not install {' '.join(PACKAGES)}: {exc} {output.decode()[-500:]}")


@pytest.fixture(scope="session")
def browser():
    if _missing():
        _install()
        if missing := _missing():
            _give_up(f"still missing after apt-get: {', '.join(missing)}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(width=1280) → a page in a fresh context (own cookies), in Chinese."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", device_scale_factor=1
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server):
    """log_in(page, user) through the login form, as a person would."""
    from org.tests.factories import PASSWORD

    def do(page, user):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return do
