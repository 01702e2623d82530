"""In a browser, in Chinese and in English: correcting a case (also after a colleague's correction), the
risk notice that leads to a referral, a distant deadline confirmed, and a step the case does not allow yet
shown disabled with its reason. axe-core checks each new page and state (tests/browser/axe.py)."""

import re

import pytest
from playwright.sync_api import expect

from mediation.services.case_details import update_case
from tests.browser.axe import Audit
from tests.browser.conftest import new_page, sign_in
from tests.conftest import fire, make_case

pytestmark = pytest.mark.browser

OPEN = re.compile(r"\bshow\b")
#: What the pages say, in each language.
WORDS = {
    "en": {
        "correct": "Correct",
        "title": "Title",
        "high": "High",
        "save": "Save",
        "corrected": "The case is corrected.",
        "risk": "refer the case to the police",
        "refer": "Refer to an agency",
        "conflict": "Someone else changed this case",
        "saved_now": "Saved now:",
        "agreement": "Record agreement",
        "terms": "Agreed terms",
        "deadline": "Performance deadline",
        "signed": "The parties and the mediator have signed",
        "distant": "more than 2 years away",
        "date_right": "The date is right",
        "close": "Close case",
        "why_not": "A completed follow-up visit must have found the agreement performed.",
    },
    "zh-CN": {
        "correct": "更正",
        "title": "标题",
        "high": "高",
        "save": "保存",
        "corrected": "案件信息已更正。",
        "risk": "请将案件移交公安机关",
        "refer": "移交机构",
        "conflict": "其他人修改了此案件",
        "saved_now": "当前已保存：",
        "agreement": "达成协议",
        "terms": "协议内容",
        "deadline": "履行期限",
        "signed": "当事人和调解员均已签名",
        "distant": "距今超过2年",
        "date_right": "日期无误",
        "close": "结案",
        "why_not": "须有一次已完成的回访确认协议已履行。",
    },
}


@pytest.fixture(params=["zh-CN", "en"])
def locale(request):
    return request.param


@pytest.fixture
def words(locale):
    return WORDS[locale]


@pytest.fixture
def page(browser, db, locale):
    page = new_page(browser, locale=locale)
    page.emulate_media(reduced_motion="reduce")
    yield page
    page.context.close()


@pytest.fixture
def audit(locale):
    return Audit(where=locale)


def test_a_mediator_corrects_the_case_and_a_high_risk_leads_to_a_referral(
    page, live_server, audit, words, db, station, mediator, police
):
    case = make_case(station, mediator, title="楼道堆物 Junk")
    db.session.commit()
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{case.number}")
    expect(page.locator("#risk-notice")).to_have_count(0)
    page.locator("#details").get_by_role("link", name=words["correct"], exact=True).click()
    expect(page.get_by_label(words["title"], exact=True)).to_have_value("楼道堆物 Junk")
    audit.check(page, "correct the case")

    page.get_by_label(words["title"], exact=True).fill("楼道堆物 Junk in the stairwell")
    page.get_by_text(words["high"], exact=True).click()  # the risk's radio button, drawn as a button
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_text(words["corrected"])).to_be_visible()
    expect(page.locator("#risk-notice")).to_contain_text(words["risk"])
    expect(page.locator("[data-event=update_case]")).to_contain_text(
        "楼道堆物 Junk → 楼道堆物 Junk in the stairwell"
    )
    audit.check(page, "case page, high risk")
    page.locator("#risk-notice").get_by_role("button", name=words["refer"]).click()
    expect(page.locator("#step-refer")).to_have_class(OPEN)
    audit.assert_no_blocking()


def test_a_correction_after_a_colleagues_shows_what_is_saved_now(
    page, live_server, audit, words, db, station, mediator, colleague
):
    case = make_case(station, mediator, title="停车纠纷 Parking")
    db.session.commit()
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{case.number}/details")
    expect(page.get_by_label(words["title"], exact=True)).to_have_value("停车纠纷 Parking")
    update_case(colleague, case, case.version, title="停车纠纷 Parking space")  # meanwhile, a colleague
    db.session.commit()
    page.get_by_label(words["title"], exact=True).fill("停车纠纷 Parking, again")
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator("#conflict")).to_contain_text(words["conflict"])
    expect(page.locator("[data-saved=title]")).to_have_text(f"{words['saved_now']} 停车纠纷 Parking space")
    expect(page.get_by_label(words["title"], exact=True)).to_have_value("停车纠纷 Parking, again")
    audit.check(page, "correct the case, after a conflict")
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_text(words["corrected"])).to_be_visible()
    audit.assert_no_blocking()


def test_a_distant_deadline_is_confirmed_and_close_waits_for_a_visit(
    page, live_server, audit, words, db, station, mediator
):
    case = make_case(station, mediator, title="楼上漏水 Leak")
    fire(case, "accept", mediator)
    db.session.commit()
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{case.number}")
    page.locator("[data-step=reach_agreement] .accordion-button").click()
    step = page.locator("#step-reach_agreement")
    expect(step).to_have_class(OPEN)
    expect(step.get_by_label(words["date_right"])).to_have_count(0)
    step.get_by_label(words["terms"]).fill("李强 pays 800 yuan")
    step.get_by_label(words["deadline"]).fill("2099-06-30")
    step.get_by_label(words["signed"]).check()
    step.get_by_role("button", name=words["agreement"]).click()
    step = page.locator("#step-reach_agreement")
    expect(step.locator("#reach_agreement-performance_deadline-error")).to_contain_text(words["distant"])
    audit.check(page, "case page, a distant deadline questioned")
    step.get_by_label(words["date_right"]).check()
    step.get_by_role("button", name=words["agreement"]).click()

    close = page.locator("[data-step=close]").get_by_role("button", name=words["close"])
    expect(close).to_be_disabled()
    expect(page.locator("#step-close-why")).to_have_text(words["why_not"])
    expect(close).to_have_accessible_description(words["why_not"])
    audit.check(page, "case page, close not possible yet")
    audit.assert_no_blocking()
