import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page, sign_in
from tests.conftest import make_case

pytestmark = pytest.mark.browser


def test_a_mediator_signs_in_sees_their_cases_and_signs_out(page, live_server, db, station, mediator):
    case = make_case(station, mediator, title="楼上漏水 Water leak")
    db.session.commit()
    sign_in(page, live_server, "wang")
    expect(page.locator("main").get_by_role("link", name=case.number)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/login\b"))


def test_a_wrong_password_is_refused_with_a_message(page, live_server, mediator, db):
    db.session.commit()
    sign_in(page, live_server, "wang", password="wrong password")
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login\b"))


def test_the_browser_language_is_the_default_and_the_switch_remembers_a_choice(browser, live_server, db):
    page = new_page(browser, locale="zh-CN")
    page.goto(live_server + "/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.context.close()
