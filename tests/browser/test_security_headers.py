"""The Content-Security-Policy in a real browser: the key pages, and what their scripts do, break none of it
(no inline script or style anywhere), and the agreement's Print button still prints."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page, sign_in
from tests.conftest import fire, make_case, make_user

pytestmark = pytest.mark.browser

#: Before any page script: record every CSP violation, and replace printing by a mark on the page.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`.trim());
});
window.print = () => {
  const html = document.documentElement;
  html.dataset.printed = String(Number(html.dataset.printed || 0) + 1);
};
"""


@pytest.fixture
def watched(browser):
    """Open pages that report CSP violations, from the page's own event and from the console."""
    pages = []

    def open_():
        page = new_page(browser)
        page.add_init_script(WATCH)
        console = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        pages.append(page)
        return page, console

    yield open_
    for page in pages:
        page.context.close()


def violations(page) -> list[str]:
    page.wait_for_load_state("load")
    return page.evaluate("window.__violations")


@pytest.fixture
def agreed_case(db, station, mediator):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator)
    db.session.commit()
    return case


def test_the_key_pages_keep_the_policy_and_print_still_prints(watched, live_server, db, agreed_case, station):
    make_user("root", "admin")
    db.session.commit()
    page, console = watched()
    seen = {}

    page.goto(f"{live_server}/login")
    seen["login"] = violations(page)
    sign_in(page, live_server, "wang", password="wrong password")
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    seen["login, refused"] = violations(page)
    sign_in(page, live_server, "wang")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    seen["home"] = violations(page)

    number = agreed_case.number
    for name, path in (
        ("case list", "/cases"),
        ("case page", f"/cases/{number}"),
        ("agreement", f"/cases/{number}/agreement"),
        ("visit log", f"/station/{station.code}/visit-log"),
        ("duty roster", f"/station/{station.code}/roster"),
        ("not found", "/cases/XLG-1999-9999"),
    ):
        page.goto(live_server + path)
        seen[name] = violations(page)

    # The intake form's script: the type-ahead asks the server, "Add a party" adds a block.
    page.goto(f"{live_server}/cases/new")
    first = page.get_by_role("group", name="Party 1")
    first.get_by_label("Name").press_sequentially("王芳", delay=20)
    expect(page.locator("[data-party-status]")).not_to_be_empty()
    page.get_by_role("button", name="+ Add a party").click()
    expect(page.locator("[data-party-block]")).to_have_count(4)
    seen["intake"] = violations(page)

    # The case page's collapsible panels (Bootstrap's script sets their height as it animates).
    page.goto(f"{live_server}/cases/{number}")
    toggle = page.locator("main [data-bs-toggle=collapse]").first
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    seen["case page, a panel opened"] = violations(page)

    page.goto(f"{live_server}/cases/{number}/agreement/print")
    page.get_by_role("button", name="Print").click()
    expect(page.locator("html")).to_have_attribute("data-printed", "1")
    seen["printable agreement"] = violations(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "root")
    page.goto(f"{live_server}/audit")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    seen["audit log"] = violations(page)

    assert {name: found for name, found in seen.items() if found} == {}
    assert console == []


def test_the_check_sees_a_violation_when_there_is_one(watched, live_server, db):
    """The harness above would notice: an inline script is refused and reported."""
    page, console = watched()
    page.goto(f"{live_server}/login")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                   document.head.appendChild(s); }"""
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate("window.ran") is None
    assert any(v.startswith("script-src") for v in violations(page))
