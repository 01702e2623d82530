"""Browser tests: Python Playwright driving Debian's Chromium against the app served on 127.0.0.1.

The app under test has CSRF switched on, as in production. Chromium comes from Debian (`make test` installs
it); Playwright never downloads a browser here.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mediation import create_app
from mediation.config import TestConfig

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def live_server(app):
    """The app, with CSRF on, served from a thread on a free port (same database as the `db` fixture)."""

    class BrowserConfig(TestConfig):
        WTF_CSRF_ENABLED = True
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        UPLOAD_FOLDER = app.config["UPLOAD_FOLDER"]

    served = create_app(BrowserConfig)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser, locale="en", width=1280, height=900):
    context = browser.new_context(
        locale=locale,
        viewport={"width": width, "height": height},
        extra_http_headers={"Accept-Language": locale},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def open_page(browser, db):
    """Open a page in a fresh browser context (its own cookies), animations off so that a panel is open at
    once, never mid-slide when clicked into; every one is closed after the test."""
    contexts = []

    def open_(locale="en", width=1280, height=900):
        page = new_page(browser, locale=locale, width=width, height=height)
        page.emulate_media(reduced_motion="reduce")
        contexts.append(page.context)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser, db):
    page = new_page(browser)
    yield page
    page.context.close()


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Keep a screenshot of a key page for the README (docs/screenshots/), when ``make screenshots`` asks:
    the whole page, or only what fits in the window (phones). Otherwise nothing, so that ``make test`` leaves
    the working tree as it found it."""
    if not os.environ.get("SCREENSHOTS"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def sign_in(page, base, username, password="correct horse 8"):
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
