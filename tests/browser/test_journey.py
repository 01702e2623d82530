"""The mediator's whole journey in a real browser, in English at desktop width and in Chinese on a phone.

The dispute is the one in report 004 (seeds/): early in March two households of 钱局巷 lane, 蒸阳社区
(Hengyang), quarrel over water leaking from the upper flat; the affected resident comes to the station, the
station head and volunteers hear both sides, and the households reach an agreement. Here the station head,
旷昌伟, registers it, accepts it, records the session and the agreement, and prints the 调解协议书.

Assertions are on what people see (headings, badges, flash messages, the timeline); the database is checked
once at the end of each journey. Under `make screenshots` (SCREENSHOTS=1) they also refresh the README's
screenshots (docs/screenshots/); otherwise they write nothing.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from mediation.clock import local_date, utcnow
from mediation.models import Agreement, Case, CaseParty, Event, Party
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import make_case, make_station, make_user, written

pytestmark = pytest.mark.browser

TITLE = "楼上漏水纠纷 Water leaking from upstairs"
TITLE_ZH = "楼上漏水纠纷"
FACTS = (
    "今年3月初，钱局巷小区两户居民因房屋漏水问题引发矛盾：楼上周建国家卫生间管道渗漏，"
    "楼下刘秀英家厨房天花板和墙面受潮发霉。双方多次协商未果，刘秀英到驿站反映求助。\n"
    "Early March: the upstairs bathroom pipe leaks into the kitchen below; the households have quarrelled "
    "and the affected resident came to the station for help."
)
PLACE = "石鼓区人民街道钱局巷小区3栋"
APPLICANT = ("刘秀英", "13907341101")
RESPONDENT = ("周建国", "13907341102")
TERMS = (
    "一、周建国于两周内请师傅修复卫生间管道并重做防水；\n"
    "二、周建国赔偿刘秀英厨房天花板修复费用800元；\n"
    "三、双方今后互谅互让，和睦相处。"
)
CASE_NUMBER = re.compile(r"^\s*ZY-\d{4}-\d{4}\s*$")


# --- Fixtures and helpers ---------------------------------------------------------------------------------


@pytest.fixture
def zhengyang(db):
    """The station of report 004 and its head, a mediator there; committed, so the live server sees them."""
    station = make_station("ZY", "蒸阳社区解纷驿站")
    station.address, station.district = "衡阳市石鼓区人民街道蒸阳社区", "石鼓区"
    head = make_user("kuang", "mediator", [station])
    head.display_name = "旷昌伟"
    db.session.commit()
    return station, head


def other_cases(db, station, head):
    """A few more disputes at the station, so "my work" and the case list look like a working day."""
    make_case(
        station,
        head,
        title="钱局巷乱停车堵塞通道 Cars blocking the lane",
        risk_level="medium",
        parties=[
            PartyInput(role="applicant", name="黄国平", phone="13907341201"),
            PartyInput(role="respondent", name="谢文斌", phone="13907341202"),
        ],
    )
    make_case(
        station,
        head,
        title="外卖骑手送餐费纠纷 Rider and restaurant disagree over a fee",
        category="contract",
        parties=[
            PartyInput(role="applicant", name="苏晓明", phone="13907341301"),
            PartyInput(role="respondent", name="蒸湘小吃店", kind="organisation"),
        ],
    )
    # Registered five days ago and never accepted: overdue.
    register_case(
        head,
        station,
        CaseInput(
            title="维修基金使用争议 Dispute over the repair fund",
            category="property_management",
            channel="phone",
        ),
        [PartyInput(role="applicant", name="陈桂兰", phone="13907341401")],
        now=utcnow() - timedelta(days=5),
    )
    db.session.commit()


def fresh(db):
    """Forget what this test's session has cached: the browser changed the database behind its back."""
    db.session.rollback()


def fits_the_width(page):
    """Nothing on the page sticks out sideways (no horizontal scrolling on a phone). The culprits named are
    the elements reaching past the window, or else those whose own text does (a line that cannot break).
    Measured once the stylesheets have loaded: a page a click led to can be in the DOM before them."""
    page.wait_for_load_state("load")
    scroll, window, culprits = page.evaluate(
        r"""() => {
          const width = window.innerWidth;
          const all = [...document.querySelectorAll('body *')];
          const past = all.filter(el => el.getBoundingClientRect().right > width + 1);
          const overflowing = all.filter(el => el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1
            && ![...el.children].some(child => child.scrollWidth > el.clientWidth + 1));
          const wide = (past.length ? past : overflowing)
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       (typeof el.className === 'string' && el.className
                         ? '.' + el.className.trim().split(/\s+/).join('.') : ''));
          return [document.documentElement.scrollWidth, width, wide];
        }"""
    )
    assert scroll <= window, f"{page.url} is {scroll}px wide in a {window}px window: {culprits}"


def flash(page, text):
    return page.locator("main > .alert").filter(has_text=text)


def state_badge(page):
    return page.locator("main header [data-state]")


def case_number(page) -> str:
    """The number of the case page the browser is on, once that page has loaded."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(CASE_NUMBER)
    return heading.inner_text().strip()


def timeline_entry(page, action):
    return page.locator(f"#timeline li[data-event={action}]")


def deadline_in_two_weeks() -> str:
    return (local_date(utcnow()) + timedelta(days=14)).isoformat()


def check_the_database(db, number, head, parties=2):
    fresh(db)
    case = db.session.scalar(select(Case).filter_by(number=number))
    assert case.state == "following_up" and case.outcome is None
    assert case.mediator_id == head.id and len(case.party_links) == parties
    assert case.rights_notified_at is not None and len(case.sessions) == 1
    agreements = db.session.scalars(select(Agreement).where(Agreement.case_id == case.id)).all()
    assert len(agreements) == 1
    assert agreements[0].signatures_recorded and "800" in agreements[0].terms
    assert agreements[0].performance_deadline.isoformat() == deadline_in_two_weeks()
    events = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id)).all()
    assert [e.action for e in events] == ["register", "accept", "record_session", "reach_agreement"]
    assert {e.actor_id for e in events} == {head.id}
    return case


# --- 1. The journey in English at desktop width -------------------------------------------------------


def test_a_mediator_registers_mediates_and_prints_the_water_leak_agreement(
    open_page, live_server, db, zhengyang
):
    station, head = zhengyang
    other_cases(db, station, head)
    page = open_page("en", 1280, 900)

    sign_in(page, live_server, "kuang")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("旷昌伟 · Mediator")
    expect(page.locator("section[aria-labelledby=home-cases] tbody tr")).to_have_count(3)
    screenshot(page, "home")

    # Register the dispute.
    page.get_by_role("main").get_by_role("link", name="Register a dispute").click()
    expect(page.get_by_role("heading", name="Register a dispute", level=1)).to_be_visible()
    expect(page.get_by_label("Station")).to_have_value("ZY")
    page.get_by_label("How it came in").select_option(label="Walk-in visit")
    page.get_by_label("Category").select_option(label="Neighbours")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Facts").fill(FACTS)
    page.get_by_label("Place").fill(PLACE)
    page.get_by_role("radiogroup", name="Risk of escalation").get_by_text("Low", exact=True).click()
    expect(page.get_by_role("radio", name="Low")).to_be_checked()

    for number, (role, (name, phone)) in enumerate((("Applicant", APPLICANT), ("Respondent", RESPONDENT)), 1):
        party = page.get_by_role("group", name=f"Party {number}")
        expect(party.get_by_label("Role")).to_have_value(role.lower())
        party.get_by_label("Name").press_sequentially(name, delay=20)
        party.get_by_label("Phone").fill(phone)
    # Nobody by these names is on file yet: the type-ahead says so, and offers nobody.
    expect(page.locator("[data-party-status]")).to_have_text("Nobody on file matches.")
    expect(page.locator("[data-suggestions]:visible")).to_have_count(0)

    # "Add a party" adds a numbered block and puts the cursor in it; "Remove" takes it away again.
    page.get_by_role("button", name="+ Add a party").click()
    added = page.get_by_role("group", name="Party 4")
    expect(added.get_by_label("Name")).to_be_focused()
    added.get_by_role("button", name="Remove").click()
    expect(page.locator("[data-party-block]")).to_have_count(3)
    expect(page.get_by_role("button", name="+ Add a party")).to_be_focused()
    screenshot(page, "intake-filled")

    page.get_by_role("button", name="Register", exact=True).click()

    # The case page, with its new number.
    number = case_number(page)
    expect(page).to_have_url(re.compile(rf"/cases/{number}$"))
    expect(flash(page, f"Registered the dispute as case {number}.")).to_be_visible()
    expect(state_badge(page)).to_have_text("Registered")
    expect(page.locator("main header")).to_contain_text(TITLE)
    parties = page.locator("#parties")
    expect(parties).to_contain_text("Applicant 刘秀英")
    expect(parties).to_contain_text("Respondent 周建国")
    expect(page.locator("#deadlines")).to_contain_text("Accept or decline")

    # Accept it.
    actions = page.locator("#actions")
    actions.get_by_role("button", name="Accept", exact=True).click()
    page.locator("#step-accept").get_by_role("button", name="Accept", exact=True).click()
    expect(flash(page, "Done: Accept.")).to_be_visible()
    expect(state_badge(page)).to_have_text("In mediation")
    expect(page.locator("#details")).to_contain_text("旷昌伟")

    # Record the mediation session, with the rights-and-duties notice.
    expect(page.locator("#rights-notice")).to_contain_text("have not yet been told their rights and duties")
    page.get_by_role("button", name="Record a session").click()
    session = page.locator("#session-form")
    session.get_by_label("Place").fill("蒸阳社区红色驿站调解室")
    session.get_by_label("Who attended").fill("刘秀英、周建国；调解员旷昌伟；志愿者两名")
    session.get_by_label("What was said").fill(
        "到现场查看漏水位置，听取双方意见；周建国同意维修管道，双方就赔偿金额协商。"
    )
    session.get_by_label("Result").fill("双方同意达成书面调解协议。")
    session.get_by_label("The parties were told their rights and duties").check()
    session.get_by_role("button", name="Save the session").click()
    expect(flash(page, "The mediation session is recorded.")).to_be_visible()
    expect(page.locator("#rights-notice")).to_contain_text("The parties were told their rights and duties on")
    expect(page.locator("#sessions article")).to_have_count(1)
    expect(page.locator("#sessions article")).to_contain_text("周建国同意维修管道")

    # Record the agreement.
    actions.get_by_role("button", name="Record agreement", exact=True).click()
    step = page.locator("#step-reach_agreement")
    step.get_by_label("Agreed terms").fill(TERMS)
    step.get_by_label("Manner of performance").fill("上门维修；现金支付")
    step.get_by_label("Performance deadline").fill(deadline_in_two_weeks())
    step.get_by_label("The parties and the mediator have signed").check()
    step.get_by_role("button", name="Record agreement").click()
    expect(flash(page, "Done: Record agreement.")).to_be_visible()
    expect(state_badge(page)).to_have_text("Following up")
    agreement = page.locator("#agreement")
    expect(agreement).to_contain_text("周建国赔偿刘秀英厨房天花板修复费用800元")
    expect(agreement).to_contain_text(written(date.fromisoformat(deadline_in_two_weeks())))
    expect(page.locator("#deadlines")).to_contain_text("First follow-up visit")

    # The printable agreement: the parties, the terms, a line for every signature.
    agreement.get_by_role("link", name="Printable agreement").click()
    expect(page.get_by_role("heading", name="People's Mediation Agreement", level=1)).to_be_visible()
    document = page.locator("article.agreement-doc")
    expect(document).to_contain_text(f"No. {number}")
    expect(document).to_contain_text("蒸阳社区解纷驿站")
    expect(document.locator(".doc-party")).to_have_count(2)
    expect(document.locator(".doc-party").nth(0)).to_contain_text("Applicant")
    expect(document.locator(".doc-party").nth(0)).to_contain_text("刘秀英")
    expect(document.locator(".doc-party").nth(1)).to_contain_text("周建国")
    expect(document.locator(".doc-terms")).to_have_text(TERMS)
    signatures = document.get_by_role("region", name="Signatures")
    expect(signatures.locator(".doc-sign")).to_have_count(3)
    expect(signatures.locator(".sign-line:not(.short)")).to_have_count(3)
    expect(signatures).to_contain_text("Applicant 刘秀英 (signature, seal or fingerprint)")
    expect(signatures).to_contain_text("Respondent 周建国 (signature, seal or fingerprint)")
    expect(signatures).to_contain_text("Presiding mediator (signature)")
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    # Back on the case page: the timeline tells the story, newest first, with who did what.
    page.get_by_role("link", name="Back to the case").click()
    expect(page.get_by_role("heading", name=number, level=1)).to_be_visible()
    entries = page.locator("#timeline li")
    expect(entries).to_have_count(4)
    for action, title in (
        ("reach_agreement", "Record agreement"),
        ("record_session", "Recorded a mediation session"),
        ("accept", "Accept"),
        ("register", "Registered the dispute"),
    ):
        entry = timeline_entry(page, action)
        expect(entry.locator(".fw-semibold").first).to_have_text(title)
        expect(entry.locator(".actor")).to_have_text("旷昌伟")
    expect(entries.first).to_have_attribute("data-event", "reach_agreement")
    expect(timeline_entry(page, "accept")).to_contain_text("Registered")
    expect(timeline_entry(page, "accept")).to_contain_text("In mediation")
    screenshot(page, "case-page")

    # The case list shows it where it now is.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()
    row = page.locator(f"tr[data-case='{number}']")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Following up")
    expect(row).to_contain_text("刘秀英 — 周建国")
    expect(page.locator("main tbody tr")).to_have_count(4)
    screenshot(page, "case-list")

    check_the_database(db, number, head)


# --- 2. The same journey in Chinese on a phone ------------------------------------------------------------


def test_the_same_journey_in_chinese_on_a_phone_reuses_the_file_of_a_person_already_known(
    open_page, live_server, db, zhengyang
):
    station, head = zhengyang
    earlier = make_case(
        station,
        head,
        title="周建国家装修噪音扰民",
        parties=[
            PartyInput(role="applicant", name="王淑芬", phone="13907341188"),
            PartyInput(role="respondent", name=RESPONDENT[0], phone=RESPONDENT[1]),
        ],
    )
    db.session.commit()
    earlier_number = earlier.number
    page = open_page("zh-CN", 375, 812)

    page.goto(f"{live_server}/login")
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    fits_the_width(page)
    screenshot(page, "login-zh", full_page=False)
    page.get_by_label("用户名").fill("kuang")
    page.get_by_label("密码").fill("correct horse 8")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="首页", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="菜单")).to_be_visible()  # the navigation folds away on a phone
    fits_the_width(page)

    # Register: the respondent is picked from the type-ahead, so his one file is reused.
    page.get_by_role("main").get_by_role("link", name="登记纠纷").click()
    expect(page.get_by_role("heading", name="登记纠纷", level=1)).to_be_visible()
    fits_the_width(page)
    page.get_by_label("案件来源").select_option(label="来访")
    page.get_by_label("纠纷类别").select_option(label="邻里纠纷")
    page.get_by_label("标题", exact=True).fill(TITLE_ZH)
    page.get_by_label("纠纷简要情况").fill(FACTS)
    page.get_by_label("地点", exact=True).fill(PLACE)
    expect(page.get_by_role("radio", name="低")).to_be_checked()

    applicant = page.get_by_role("group", name="当事人 1")
    expect(applicant.get_by_label("身份", exact=True)).to_have_value("applicant")
    applicant.get_by_label("姓名", exact=True).fill(APPLICANT[0])
    applicant.get_by_label("电话", exact=True).fill(APPLICANT[1])
    respondent = page.get_by_role("group", name="当事人 2")
    expect(respondent.get_by_label("身份", exact=True)).to_have_value("respondent")
    respondent.get_by_label("姓名", exact=True).press_sequentially("周建", delay=30)
    suggestion = respondent.get_by_role("button", name=RESPONDENT[0])
    expect(suggestion).to_have_count(1)
    # Masked: the list only has to tell people apart.
    expect(suggestion).to_contain_text("139****1102 · 1件案件")
    expect(page.locator("[data-party-status]")).to_have_text("匹配的在档人员：1")
    suggestion.click()
    expect(respondent.get_by_label("姓名", exact=True)).to_have_value(RESPONDENT[0])
    picked = respondent.locator("[data-picked]")
    expect(picked).to_be_visible()
    expect(picked).to_contain_text("将使用已建档的人员信息（一人一档）。")
    expect(picked).to_contain_text(RESPONDENT[0])
    expect(picked.get_by_role("link", name="查看其档案")).to_be_visible()
    expect(respondent.get_by_label("电话", exact=True)).to_be_focused()
    expect(respondent.get_by_label("电话", exact=True)).to_have_attribute("placeholder", "139****1102")
    fits_the_width(page)
    page.get_by_role("button", name="登记", exact=True).click()

    # The case page.
    number = case_number(page)
    expect(flash(page, f"纠纷已登记，案件编号为{number}。")).to_be_visible()
    expect(state_badge(page)).to_have_text("已登记")
    expect(page.locator("main header")).to_contain_text(TITLE_ZH)
    expect(page.locator("#parties")).to_contain_text("被申请人 周建国")
    fits_the_width(page)

    # On a phone, what can be done comes before the details of the dispute.
    actions = page.get_by_role("region", name="可办理事项")
    assert actions.bounding_box()["y"] < page.get_by_role("region", name="纠纷情况").bounding_box()["y"]
    actions.get_by_role("button", name="受理", exact=True).click()
    page.locator("#step-accept").get_by_role("button", name="受理", exact=True).click()
    expect(flash(page, "已完成：受理。")).to_be_visible()
    expect(state_badge(page)).to_have_text("调解中")

    expect(page.locator("#rights-notice")).to_have_text("尚未告知当事人权利义务，请在首次调解前告知。")
    page.get_by_role("button", name="填写调解记录").click()
    session = page.locator("#session-form")
    session.get_by_label("地点", exact=True).fill("蒸阳社区红色驿站调解室")
    session.get_by_label("参加人员").fill("刘秀英、周建国；调解员旷昌伟")
    session.get_by_label("调解经过").fill("听取双方意见，周建国同意维修管道。")
    session.get_by_label("结果", exact=True).fill("双方同意达成书面调解协议。")
    session.get_by_label("已告知当事人权利义务").check()
    session.get_by_role("button", name="保存调解记录").click()
    expect(flash(page, "调解记录已保存。")).to_be_visible()
    expect(page.locator("#rights-notice")).to_contain_text("告知当事人权利义务。")
    expect(page.locator("#rights-notice")).to_contain_text("已于")
    expect(page.locator("#sessions article")).to_have_count(1)

    actions.get_by_role("button", name="达成协议", exact=True).click()
    step = page.locator("#step-reach_agreement")
    step.get_by_label("协议内容").fill(TERMS)
    step.get_by_label("履行期限").fill(deadline_in_two_weeks())
    step.get_by_label("当事人和调解员均已签名").check()
    step.get_by_role("button", name="达成协议").click()
    expect(flash(page, "已完成：达成协议。")).to_be_visible()
    expect(state_badge(page)).to_have_text("回访中")
    expect(page.get_by_role("region", name="办理期限")).to_contain_text("首次回访")
    expect(page.get_by_role("region", name="调解协议")).to_contain_text(
        "周建国赔偿刘秀英厨房天花板修复费用800元"
    )
    # Dates as Chinese writes them (2026年12月8日), not as ISO or English.
    expect(page.get_by_role("region", name="调解协议")).to_contain_text(
        written(date.fromisoformat(deadline_in_two_weeks()), "zh_Hans_CN")
    )
    fits_the_width(page)
    screenshot(page, "case-page-phone-zh", full_page=False)

    # The timeline ("办理经过"), with the mediator's name on every entry.
    expect(page.get_by_role("heading", name="办理经过")).to_be_visible()
    for action, title in (
        ("reach_agreement", "达成协议"),
        ("record_session", "填写调解记录"),
        ("accept", "受理"),
        ("register", "登记纠纷"),
    ):
        entry = timeline_entry(page, action)
        expect(entry.locator(".fw-semibold").first).to_have_text(title)
        expect(entry.locator(".actor")).to_have_text("旷昌伟")

    # The printable agreement, which fits a phone too.
    page.get_by_role("link", name="打印调解协议书").click()
    expect(page.get_by_role("heading", name="人民调解协议书", level=1)).to_be_visible()
    document = page.locator("article.agreement-doc")
    expect(document).to_contain_text(f"编号：{number}")
    expect(document.locator(".doc-party").nth(0)).to_contain_text("申请人")
    expect(document.locator(".doc-party").nth(0)).to_contain_text(re.compile(rf"姓名\s*{APPLICANT[0]}"))
    expect(document.locator(".doc-party").nth(1)).to_contain_text("被申请人")
    expect(document.locator(".doc-party").nth(1)).to_contain_text(re.compile(rf"姓名\s*{RESPONDENT[0]}"))
    expect(document).to_contain_text("经调解，当事人自愿达成如下协议")
    expect(document.locator(".doc-terms")).to_have_text(TERMS)
    signatures = document.get_by_role("region", name="签名")
    expect(signatures.locator(".doc-sign")).to_have_count(3)
    expect(signatures.locator(".sign-line:not(.short)")).to_have_count(3)
    expect(signatures).to_contain_text(f"申请人 {APPLICANT[0]} （签名、盖章或按指印）")
    expect(signatures).to_contain_text(f"被申请人 {RESPONDENT[0]} （签名、盖章或按指印）")
    expect(signatures).to_contain_text("主持调解员（签名）")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    fits_the_width(page)
    page.set_viewport_size({"width": 1024, "height": 900})
    screenshot(page, "agreement-print-zh")
    page.set_viewport_size({"width": 375, "height": 812})
    page.get_by_role("link", name="返回案件").click()
    expect(page.get_by_role("heading", name=number, level=1)).to_be_visible()

    # The case list, through the folded menu.
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="案件", exact=True).click()
    expect(page.get_by_role("heading", name="案件", level=1)).to_be_visible()
    expect(page.locator(f"tr[data-case='{number}']")).to_contain_text("回访中")
    fits_the_width(page)

    # One file per person: 周建国's file lists both cases.
    page.goto(f"{live_server}/cases/{number}")
    page.locator("#parties").get_by_role("link", name=RESPONDENT[0]).click()
    expect(page.get_by_role("heading", name=RESPONDENT[0], level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="共2件案件")).to_be_visible()
    expect(page.locator("[data-case]")).to_have_count(2)
    expect(page.locator(f"[data-case='{earlier_number}']")).to_contain_text("被申请人")
    fits_the_width(page)

    case = check_the_database(db, number, head)
    people = db.session.scalars(select(Party).filter_by(name=RESPONDENT[0])).all()
    assert len(people) == 1
    links = db.session.scalar(select(func.count()).select_from(CaseParty).filter_by(party_id=people[0].id))
    assert links == 2
    assert people[0].phone == RESPONDENT[1]  # his file kept the full number
    assert case.title == TITLE_ZH


# --- 3. A stale page ---------------------------------------------------------------------------------------


def test_a_step_from_a_stale_page_is_refused_and_changes_nothing(open_page, live_server, db, zhengyang):
    station, head = zhengyang
    case = make_case(station, head, title=TITLE)
    db.session.commit()
    number = case.number
    first = open_page("en", 1280, 900)
    sign_in(first, live_server, "kuang")
    second = first.context.new_page()  # another tab of the same mediator
    for tab in (first, second):
        tab.goto(f"{live_server}/cases/{number}")
        expect(state_badge(tab)).to_have_text("Registered")

    # The second tab opens its decline form; then the first accepts the case.
    second.locator("#actions").get_by_role("button", name="Decline", exact=True).click()
    decline = second.locator("#step-decline")
    expect(decline.get_by_label("Reason")).to_be_visible()
    first.locator("#actions").get_by_role("button", name="Accept", exact=True).click()
    first.locator("#step-accept").get_by_role("button", name="Accept", exact=True).click()
    expect(state_badge(first)).to_have_text("In mediation")

    # A panel the second tab opens now says its step is gone; the form it opened before is sent, refused.
    second.locator("#actions").get_by_role("button", name="Accept", exact=True).click()
    expect(second.locator("#step-accept [data-panel-gone]")).to_contain_text("“Accept” is not possible now")
    second.locator("#actions [data-step=decline] .accordion-button").click()
    decline.get_by_label("Reason").select_option(label="A court has already accepted it")
    decline.get_by_label("Note").fill("The respondent says he has sued.")
    decline.get_by_role("button", name="Decline").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_have_attribute("role", "alert")
    expect(conflict).to_contain_text("Someone else changed this case while you were looking at it.")
    expect(conflict).to_contain_text("Nothing was saved.")
    expect(state_badge(second)).to_have_text("In mediation")  # the page now shows the case as it is
    expect(second.locator("#actions [data-step=decline]")).to_have_count(0)

    fresh(db)
    case = db.session.scalar(select(Case).filter_by(number=number))
    assert case.state == "mediating" and case.outcome is None and case.closed_at is None
    actions = db.session.scalars(
        select(Event.action).where(Event.case_id == case.id).order_by(Event.id)
    ).all()
    assert actions == ["register", "accept"]


# --- 4. Bad input at intake --------------------------------------------------------------------------------


def test_intake_with_bad_input_comes_back_with_errors_under_the_fields_and_keeps_what_was_typed(
    open_page, live_server, db, zhengyang
):
    page = open_page("en", 1280, 900)
    sign_in(page, live_server, "kuang")
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Category").select_option("neighbour")
    page.get_by_label("Facts").fill(FACTS)
    page.get_by_label("Place").fill(PLACE)
    page.get_by_role("radiogroup", name="Risk of escalation").get_by_text("Medium", exact=True).click()
    applicant = page.get_by_role("group", name="Party 1")
    respondent = page.get_by_role("group", name="Party 2")
    applicant.get_by_label("Name").fill(APPLICANT[0])
    applicant.get_by_label("Phone").fill("1390734abc")
    applicant.get_by_label("Address").fill("钱局巷小区3栋101")
    respondent.get_by_label("Name").fill(RESPONDENT[0])
    respondent.get_by_label("Phone").fill(RESPONDENT[1])
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("heading", name="Register a dispute", level=1)).to_be_visible()
    expect(page.locator("form[data-intake] > .alert-danger")).to_have_text(
        "Some information is missing or wrong."
    )
    title = page.get_by_label("Title")
    expect(page.locator("#title-error")).to_have_text("Give the dispute a short title.")
    expect(title).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(title).to_have_attribute("aria-describedby", re.compile(r"\btitle-error\b"))
    phone = page.get_by_role("group", name="Party 1").get_by_label("Phone")
    expect(phone).to_have_value("1390734abc")
    expect(phone).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(phone).to_have_attribute("aria-describedby", re.compile(r"\bparties-0-phone-error\b"))
    expect(page.locator("#parties-0-phone-error")).to_have_text(
        "Enter a phone number of digits, such as 13812345678."
    )
    # The error sits right under its own input, inside the first party's block.
    assert page.locator("#parties-0-phone-error").evaluate(
        "(error) => error.previousElementSibling === document.getElementById('parties-0-phone')"
    )
    expect(page.locator(".invalid-feedback")).to_have_count(2)

    # Everything else typed is still there.
    expect(page.get_by_label("Category")).to_have_value("neighbour")
    expect(page.get_by_label("How it came in")).to_have_value("walk_in")
    expect(page.get_by_label("Facts")).to_have_value(FACTS)
    expect(page.get_by_label("Place")).to_have_value(PLACE)
    expect(page.get_by_role("radio", name="Medium")).to_be_checked()
    applicant = page.get_by_role("group", name="Party 1")
    respondent = page.get_by_role("group", name="Party 2")
    expect(applicant.get_by_label("Name")).to_have_value(APPLICANT[0])
    expect(applicant.get_by_label("Address")).to_have_value("钱局巷小区3栋101")
    expect(respondent.get_by_label("Role")).to_have_value("respondent")
    expect(respondent.get_by_label("Name")).to_have_value(RESPONDENT[0])
    expect(respondent.get_by_label("Phone")).to_have_value(RESPONDENT[1])

    fresh(db)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


# --- 5. Keyboard and labels --------------------------------------------------------------------------------

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && [...el.labels].some(l => l.textContent.trim()))
                && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML)"""


def first_tab_goes_to_the_skip_link(page):
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visually hidden until focused
    expect(skip).to_have_attribute("href", "#main")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the next stop is inside the main content, past the navigation
    expect(page.locator("#main :focus")).to_have_count(1)


def test_the_login_and_intake_pages_are_labelled_and_start_with_a_skip_link(
    open_page, live_server, db, zhengyang
):
    page = open_page("en", 1280, 900)
    page.goto(f"{live_server}/login")
    assert page.evaluate(UNLABELLED) == []
    first_tab_goes_to_the_skip_link(page)
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill("kuang")
    page.get_by_label("Password").fill("correct horse 8")
    expect(page.get_by_label("Keep me signed in on this device")).not_to_be_checked()
    page.get_by_label("Password").press("Enter")  # the keyboard alone signs in
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()

    page.goto(f"{live_server}/cases/new")
    assert page.evaluate(UNLABELLED) == []
    for label in (
        "Station",
        "How it came in",
        "Category",
        "Title",
        "Facts",
        "Place",
        "Amount in dispute (yuan)",
        "External reference",
        "Mediator",
    ):
        expect(page.get_by_label(label, exact=True)).to_be_editable()
    for level in ("Low", "Medium", "High"):
        expect(page.get_by_role("radio", name=level)).to_have_count(1)
    party = page.get_by_role("group", name="Party 1")
    for label in ("Role", "Name", "Phone", "ID number", "Address"):
        expect(party.get_by_label(label, exact=True)).to_be_editable()
    expect(page.get_by_label("Title")).to_have_attribute("aria-describedby", re.compile(r"^title-help\b"))
    first_tab_goes_to_the_skip_link(page)
