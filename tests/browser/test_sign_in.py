import pytest

from tests.browser.conftest import new_page, sign_in
from tests.conftest import make_case

pytestmark = pytest.mark.browser


def test_a_mediator_signs_in_sees_their_cases_and_signs_out(page, live_server, db, station, mediator):
    case = make_case(station, mediator, title="楼上漏水 Water leak")
    db.session.commit()
    sign_in(page, live_server, "wang")
    assert page.locator("main").get_by_role("link", name=case.number).is_visible()
    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/login")
    page.goto(live_server + "/")
    assert "/login" in page.url


def test_a_wrong_password_is_refused_with_a_message(page, live_server, mediator, db):
    db.session.commit()
    sign_in(page, live_server, "wang", password="wrong password")
    assert "/login" in page.url
    assert page.get_by_text("Wrong username or password.").is_visible()


def test_the_browser_language_is_the_default_and_the_switch_remembers_a_choice(browser, live_server, db):
    page = new_page(browser, locale="zh-CN")
    page.goto(live_server + "/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", name="登录").is_visible()
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.reload()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.context.close()
