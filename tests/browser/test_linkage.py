"""Police and court linkage (警调对接, 诉调对接) in a real browser: issue 13's three journeys.

(a) In English at desktop width: a mediator refers a dispute at risk of violence (民转刑) to the police; the
    police liaison finds it flagged urgent in the inbox, with its notification, accepts it, records the
    police case number and reports it resolved; the mediator is told and sees the result on the case page.
(b) In Chinese on a phone (375 px): the police hand a neighbour dispute to the station (公安移交); the
    mediator on duty finds it waiting to be accepted, accepts it and records an agreement; the police
    liaison sees what became of it.
(c) In English at desktop width: a court delegates a dispute before filing (委派) with its case number; the
    station mediates to an agreement and sends the court its result (调解情况反馈); the court's liaison sees
    it and the printable letter; the parties apply for judicial confirmation and the court's liaison
    records the acceptance and the decision: valid.

The people and the agencies serving the station are built through the services (tests/conftest.py); the
journeys themselves go through the pages. Under SCREENSHOTS=1 they refresh the liaison guide's screenshots.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mediation.clock import local_date, utcnow
from mediation.models import Case, DutyShift, Event, Referral
from mediation.services.deferred import run_deferred
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_journey import fits_the_width, flash, fresh, state_badge
from tests.conftest import fire, make_case

pytestmark = pytest.mark.browser

POLICE_NUMBER = "西公(治)受字〔2026〕118号"
HANDOVER_NUMBER = "西公(治)调字〔2026〕205号"
COURT_NUMBER = "(2026)甘0104民诉前调1234号"
CONFIRMATION_NUMBER = "(2026)甘0104民特56号"


def case_number(page) -> str:
    """The number of the case page the browser is on (a case of 西固解纷驿站), once that page has loaded."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^\s*XLG-\d{4}-\d{4}\s*$"))
    return heading.inner_text().strip()


def in_two_weeks() -> str:
    return (local_date(utcnow()) + timedelta(days=14)).isoformat()


def events(db, number) -> list[str]:
    fresh(db)
    case = db.session.scalar(select(Case).filter_by(number=number))
    return list(db.session.scalars(select(Event.action).where(Event.case_id == case.id).order_by(Event.id)))


def open_step(page, name, panel):
    """Open a step's panel under "What you can do" by its heading's button; the panel, once it shows."""
    button = page.locator("#actions").get_by_role("heading", name=name, exact=True).get_by_role("button")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(page.locator(panel)).to_be_visible()
    return page.locator(panel)


def bell(page):
    return page.get_by_role("navigation").locator("a.app-notifications")


def record_agreement(page, terms, signed_label, submit):
    step = page.locator("#step-reach_agreement")
    step.locator("textarea[name=terms]").fill(terms)
    step.locator("input[name=performance_deadline]").fill(in_two_weeks())
    step.get_by_label(signed_label).check()
    step.get_by_role("button", name=submit).click()


# --- (a) A dispute at risk of violence, referred to the police ---------------------------------------------


@pytest.fixture
def at_risk(db, station, mediator, police, police_liaison):
    """A dispute the station accepted and judged at high risk of escalation, and an older, ordinary referral
    already waiting for the police (so the inbox shows which comes first); committed."""
    mediator.display_name, police_liaison.display_name = "王调解", "李民警"
    earlier = make_case(station, mediator, title="楼道堆物 Junk in the stairwell")
    fire(earlier, "refer", mediator, reason="A matter for the police station's community officer")
    case = make_case(
        station,
        mediator,
        title="宅基地纠纷 A quarrel over a boundary wall",
        facts="The brothers-in-law threatened each other with a shovel over the wall between their yards.",
        risk_level="high",
    )
    fire(case, "accept", mediator)
    db.session.commit()
    run_deferred()  # the earlier referral's notification, as the request boundary would send it
    return case.number, earlier.number


def test_a_dispute_at_risk_of_violence_goes_to_the_police_and_comes_back_resolved(
    open_page, live_server, db, at_risk
):
    number, earlier = at_risk
    mediator = open_page("en", 1280, 900)
    sign_in(mediator, live_server, "wang")
    mediator.goto(f"{live_server}/cases/{number}")
    risk = mediator.locator("#risk-notice")
    expect(risk).to_contain_text("The risk of escalation is high (民转刑)")
    risk.get_by_role("button", name="Refer to an agency").click()
    refer = mediator.locator("#step-refer")
    expect(refer).to_be_visible()
    agency = refer.get_by_label("Agency")
    expect(agency.locator("option:checked")).to_have_text("西固派出所")  # the police, already chosen
    refer.get_by_label("Reason").fill(
        "Threats with a shovel: the police should step in before it turns violent."
    )
    refer.get_by_role("button", name="Refer to an agency").click()
    expect(flash(mediator, "Done: Refer to an agency.")).to_be_visible()
    expect(state_badge(mediator)).to_have_text("Referred")

    # The police liaison: the inbox, urgent first, and the bell.
    police = open_page("en", 1280, 900)
    sign_in(police, live_server, "officer")
    expect(police.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    expect(bell(police)).to_have_accessible_name("Notifications, 2 unread")
    waiting = police.locator("[data-section=inbox-waiting]")
    expect(waiting.locator("[data-referral]")).to_have_count(2)
    first = waiting.locator("[data-referral]").first
    expect(first).to_have_attribute("data-case", number)  # urgent before older
    expect(first.locator("[data-urgent-badge]")).to_have_text("Urgent: high risk of escalation")
    expect(first).to_contain_text("Threats with a shovel")
    expect(first).to_contain_text("left")
    expect(waiting.locator(f"[data-case='{earlier}'] [data-urgent-badge]")).to_have_count(0)
    tile = police.locator("a.card").filter(has_text="Waiting for our answer")
    expect(tile.locator("[data-count]")).to_have_text("2")
    screenshot(police, "liaison-inbox")

    bell(police).click()
    expect(police.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    notices = police.locator("[data-notification]")
    expect(notices).to_have_count(2)
    urgent = notices.first
    expect(urgent).to_contain_text(
        "Urgent: 西固解纷驿站 referred a dispute at high risk of escalation to your agency."
    )
    expect(urgent).to_contain_text("Unread")
    expect(urgent).to_contain_text(number)
    screenshot(police, "liaison-notifications")
    urgent.get_by_role("link").click()

    # The referral's page: accept, record the number, report the result.
    expect(police.get_by_role("heading", name=number, level=1)).to_be_visible()
    expect(bell(police)).to_have_accessible_name("Notifications, 1 unread")  # opened, so read
    card = police.get_by_role("region", name="Referred to your agency")
    expect(card.locator("[data-urgent-badge]")).to_be_visible()
    expect(card).to_contain_text("Waiting for the agency's answer")
    expect(card).to_contain_text("王调解, 西固解纷驿站")
    expect(police.locator("#details")).to_contain_text("threatened each other with a shovel")
    screenshot(police, "liaison-case-page")
    open_step(police, "Accept referral", "#step-accept_referral").get_by_role(
        "button", name="Accept referral"
    ).click()
    expect(flash(police, "Done: Accept referral.")).to_be_visible()
    expect(state_badge(police)).to_have_text("With the agency")

    step = open_step(police, "Record our case number", "#step-record_case_number")
    step.get_by_label("Your case number").fill(POLICE_NUMBER)
    step.get_by_role("button", name="Record our case number").click()
    expect(flash(police, "Done: Record our case number.")).to_be_visible()
    expect(card).to_contain_text(POLICE_NUMBER)

    step = open_step(police, "Resolved by agency", "#step-resolve_by_agency")
    step.get_by_label("Result").fill("Both warned; the wall is to be rebuilt on the surveyed line.")
    step.get_by_role("button", name="Resolved by agency").click()
    expect(flash(police, "Done: Resolved by agency.")).to_be_visible()
    expect(state_badge(police)).to_have_text("Following up")
    police.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    expect(police.locator(f"[data-section=inbox-waiting] [data-case='{number}']")).to_have_count(0)
    expect(police.locator(f"[data-section=inbox-with-us] [data-case='{number}']")).to_have_count(0)

    # The mediator is told, and sees the result on the case page.
    mediator.reload()
    expect(bell(mediator)).to_have_accessible_name("Notifications, 3 unread")
    bell(mediator).click()
    notices = mediator.locator("[data-notification]")
    expect(notices).to_have_count(3)
    expect(notices.nth(0)).to_contain_text("西固派出所 resolved the dispute; follow the case up.")
    expect(notices.nth(1)).to_contain_text(f"西固派出所 recorded its case number {POLICE_NUMBER}.")
    expect(notices.nth(2)).to_contain_text("西固派出所 accepted the referral.")
    notices.nth(0).get_by_role("link").click()
    expect(mediator.get_by_role("heading", name=number, level=1)).to_be_visible()
    expect(state_badge(mediator)).to_have_text("Following up")
    # The referral has ended: its card gives way to the timeline, which keeps what the police did.
    resolved = mediator.locator("#timeline li[data-event=resolve_by_agency]")
    expect(resolved.locator(".fw-semibold").first).to_have_text("Resolved by agency")
    expect(resolved.locator(".actor")).to_have_text("李民警")
    expect(resolved).to_contain_text("the wall is to be rebuilt on the surveyed line")
    expect(mediator.locator("#timeline li[data-event=record_case_number]")).to_contain_text(POLICE_NUMBER)
    expect(mediator.get_by_role("region", name="What is due next")).to_contain_text("First follow-up visit")

    assert events(db, number) == [
        "register",
        "accept",
        "refer",
        "accept_referral",
        "record_case_number",
        "resolve_by_agency",
    ]
    sent = db.session.scalar(select(Referral).join(Case).where(Case.number == number))
    assert sent.urgent and sent.status == "resolved" and sent.agency_case_number == POLICE_NUMBER


# --- (b) The police hand a neighbour dispute to the station, in Chinese on a phone -------------------------


@pytest.fixture
def on_duty(db, station, mediator, police, police_liaison):
    """The station's mediator on duty today; committed."""
    mediator.display_name, police_liaison.display_name = "王调解", "李民警"
    db.session.add(DutyShift(station_id=station.id, day=local_date(utcnow()), user_id=mediator.id))
    db.session.commit()


def test_the_police_hand_a_neighbour_dispute_to_the_station_and_see_what_became_of_it(
    open_page, live_server, db, on_duty
):
    police = open_page("zh-CN", 375, 812)
    sign_in(police, live_server, "officer")
    expect(police.get_by_role("heading", name="待办箱", level=1)).to_be_visible()
    police.get_by_role("main").get_by_role("link", name="+ 移送纠纷").click()
    expect(police.get_by_role("heading", name="向驿站移送纠纷", level=1)).to_be_visible()
    expect(police.locator("[data-add-party]")).to_be_visible()  # intake.js has run
    expect(police.get_by_label("驿站", exact=True).locator("option:checked")).to_have_text("西固解纷驿站")
    expect(police.get_by_label("移送类型").locator("option:checked")).to_have_text("公安移交")
    police.get_by_label("本单位案号").fill(HANDOVER_NUMBER)
    police.get_by_label("移送理由").fill("邻里噪音纠纷，双方无违法行为，适宜人民调解。")
    police.get_by_label("纠纷类别").select_option("neighbour")
    police.get_by_label("标题").fill("深夜装修噪音纠纷")
    police.get_by_label("纠纷简要情况").fill(
        "楼上住户深夜装修，楼下住户多次报警，民警到场劝解后移交驿站调解。"
    )
    police.get_by_label("地点", exact=True).fill("西固区福利路12号院")
    applicant = police.get_by_role("group", name="当事人 1")
    applicant.get_by_label("姓名", exact=True).fill("张丽")
    applicant.get_by_label("电话", exact=True).fill("13900001111")
    respondent = police.get_by_role("group", name="当事人 2")
    expect(respondent.get_by_label("身份", exact=True)).to_have_value("respondent")
    respondent.get_by_label("姓名", exact=True).fill("赵刚")
    respondent.get_by_label("电话", exact=True).fill("13900002222")
    fits_the_width(police)
    police.set_viewport_size({"width": 1280, "height": 900})
    screenshot(police, "liaison-send-dispute")
    police.set_viewport_size({"width": 375, "height": 812})
    police.get_by_role("button", name="移送驿站").click()

    number = case_number(police)
    sent_by = police.locator("header [data-sent-by]")
    expect(sent_by).to_have_text(f"西固派出所移送：公安移交 · 对方案号{HANDOVER_NUMBER}")
    expect(state_badge(police)).to_have_text("已登记")
    expect(police.get_by_role("region", name="本单位移送的纠纷")).to_contain_text("待驿站答复")
    fits_the_width(police)

    # The mediator on duty: the dispute waits to be accepted, and the bell says so.
    mediator = open_page("zh-CN", 375, 812)
    sign_in(mediator, live_server, "wang")
    expect(mediator.get_by_role("heading", name="首页", level=1)).to_be_visible()
    expect(bell(mediator)).to_have_accessible_name("通知，1条未读")
    tile = mediator.locator("a.card").filter(has_text="待受理")
    expect(tile.locator("[data-count]")).to_have_text("1")
    tile.click()
    row = mediator.locator(f"tr[data-case='{number}']")
    expect(row).to_contain_text("深夜装修噪音纠纷")
    row.get_by_role("link", name=number).first.click()  # a phone's row repeats it under the title
    expect(mediator.get_by_role("heading", name=number, level=1)).to_be_visible()
    inbound = mediator.get_by_role("region", name="对接机构移送驿站")
    expect(inbound).to_contain_text(HANDOVER_NUMBER)
    expect(inbound).to_contain_text("邻里噪音纠纷，双方无违法行为")
    expect(mediator.locator("#details")).to_contain_text("王调解")  # assigned to the mediator on duty
    fits_the_width(mediator)

    actions = mediator.get_by_role("region", name="可办理事项")
    actions.get_by_role("button", name="受理", exact=True).click()
    mediator.locator("#step-accept").get_by_role("button", name="受理", exact=True).click()
    expect(flash(mediator, "已完成：受理。")).to_be_visible()
    expect(state_badge(mediator)).to_have_text("调解中")
    actions.get_by_role("button", name="达成协议", exact=True).click()
    expect(mediator.locator("#step-reach_agreement")).to_be_visible()
    record_agreement(
        mediator, "赵刚今后晚上十点后不再施工，并向张丽赔礼道歉。", "当事人和调解员均已签名", "达成协议"
    )
    expect(flash(mediator, "已完成：达成协议。")).to_be_visible()
    expect(state_badge(mediator)).to_have_text("回访中")
    fits_the_width(mediator)

    # The police see what became of it: in their inbox, and on the case page.
    police.goto(live_server)
    expect(bell(police)).to_have_accessible_name("通知，1条未读")
    sent = police.locator(f"[data-section=inbox-sent] [data-case='{number}']")
    expect(sent.locator("[data-answer=accepted]")).to_contain_text("驿站已受理")
    expect(sent.locator("[data-state]")).to_have_text("回访中")
    expect(sent).to_contain_text(HANDOVER_NUMBER)
    fits_the_width(police)
    police.goto(f"{live_server}/notifications")
    expect(police.locator("[data-notification]").first).to_contain_text(
        "西固解纷驿站已受理你单位移送的纠纷。"
    )
    police.locator("[data-notification]").first.get_by_role("link").click()
    expect(police.get_by_role("heading", name=number, level=1)).to_be_visible()
    expect(police.get_by_role("region", name="调解协议")).to_contain_text("晚上十点后不再施工")
    fits_the_width(police)

    assert events(db, number) == ["register", "accept", "reach_agreement"]
    case = db.session.scalar(select(Case).filter_by(number=number))
    assert case.channel == "police" and case.mediator.username == "wang"
    assert case.inbound_referral.kind == "police_handover" and case.inbound_referral.status == "accepted"


# --- (c) A court delegates a dispute (委派); feedback, then judicial confirmation ---------------------------


@pytest.fixture
def serving_court(db, station, mediator, court, court_liaison):
    mediator.display_name, court_liaison.display_name = "王调解", "周书记员"
    db.session.commit()


def test_a_court_delegates_a_dispute_gets_the_result_and_confirms_the_agreement(
    open_page, live_server, db, serving_court
):
    court = open_page("en", 1280, 900)
    sign_in(court, live_server, "clerk")
    court.get_by_role("navigation", name="Main").get_by_role("link", name="Send a dispute").click()
    expect(court.get_by_role("heading", name="Send a dispute to a station", level=1)).to_be_visible()
    expect(court.locator("[data-add-party]")).to_be_visible()
    court.get_by_label("Kind of dispute").select_option(label="Delegated by a court before filing (委派)")
    court.get_by_label("Your case number").fill(COURT_NUMBER)
    court.get_by_label("Why you send it to the station").fill("诉前委派调解 Delegated before filing.")
    court.get_by_label("Category").select_option(label="Contracts")
    court.get_by_label("Title").fill("民间借贷纠纷 A loan between friends")
    court.get_by_label("Facts").fill("孙伟 lent 周敏 20,000 yuan in 2024; 8,000 is still unpaid.")
    court.get_by_role("group", name="Party 1").get_by_label("Name", exact=True).fill("孙伟")
    court.get_by_role("group", name="Party 1").get_by_label("Phone", exact=True).fill("13700003333")
    court.get_by_role("group", name="Party 2").get_by_label("Name", exact=True).fill("周敏")
    court.get_by_role("button", name="Send to the station").click()
    number = case_number(court)
    expect(court.locator("header [data-sent-by]")).to_contain_text(COURT_NUMBER)

    # The station accepts it, mediates to an agreement and reports to the court.
    mediator = open_page("en", 1280, 900)
    sign_in(mediator, live_server, "wang")
    bell(mediator).click()
    notice = mediator.locator("[data-notification]").first
    expect(notice).to_contain_text(
        "西固区人民法院 sent the station a dispute: Delegated by a court before filing (委派)."
    )
    notice.get_by_role("link").click()
    expect(mediator.get_by_role("heading", name=number, level=1)).to_be_visible()
    inbound = mediator.get_by_role("region", name="Sent to the station by an agency")
    expect(inbound).to_contain_text("30 calendar days from the station’s acceptance")
    open_step(mediator, "Accept", "#step-accept").get_by_role("button", name="Accept", exact=True).click()
    expect(flash(mediator, "Done: Accept.")).to_be_visible()
    expect(mediator.locator("#feedback-owed")).to_contain_text(
        "the case cannot close before the station sends it"
    )
    open_step(mediator, "Record agreement", "#step-reach_agreement")
    record_agreement(
        mediator,
        "周敏 repays the 8,000 yuan to 孙伟 in two instalments by the end of the month.",
        "The parties and the mediator have signed",
        "Record agreement",
    )
    expect(flash(mediator, "Done: Record agreement.")).to_be_visible()
    step = open_step(mediator, "Send the result to the court", "#step-send_feedback")
    step.get_by_label("Result").select_option(label="The parties reached an agreement")
    step.get_by_label("What the station did, for the court").fill(
        "Two sessions; the parties agreed on repayment in instalments."
    )
    step.get_by_role("button", name="Send the result to the court").click()
    expect(flash(mediator, "Done: Send the result to the court.")).to_be_visible()
    expect(mediator.locator("#feedback-owed")).to_have_count(0)
    expect(inbound.locator("[data-feedback=agreement]")).to_contain_text("The parties reached an agreement")

    # The parties apply for judicial confirmation through the station.
    mediator.locator("[data-judicial=jc-apply] .accordion-button").click()
    apply = mediator.locator("#step-jc-apply")
    expect(apply).to_be_visible()
    expect(apply.get_by_label("Court", exact=True).locator("option:checked")).to_have_text("西固区人民法院")
    apply.get_by_role("button", name="Record the application for judicial confirmation").click()
    expect(flash(mediator, "The application for judicial confirmation is recorded.")).to_be_visible()
    confirmation = mediator.get_by_role("region", name="Judicial confirmation")
    expect(confirmation).to_contain_text("Waiting for the court to accept the application")

    # The court's liaison: the result in the inbox, the letter, then the court's answers.
    court.goto(live_server)
    expect(bell(court)).to_have_accessible_name("Notifications, 3 unread")
    sent = court.locator(f"[data-section=inbox-sent] [data-case='{number}']")
    expect(sent.locator("[data-feedback=agreement]")).to_contain_text("The parties reached an agreement")
    sent.get_by_role("link", name="Printable feedback letter").click()
    letter = court.locator("article[data-letter]")
    expect(letter).to_contain_text(COURT_NUMBER)
    expect(letter).to_contain_text("Two sessions; the parties agreed on repayment in instalments.")
    expect(letter).to_contain_text("孙伟")
    court.goto(f"{live_server}/cases/{number}")
    expect(court.get_by_role("region", name="Your agency sent this dispute")).to_contain_text(
        "The parties reached an agreement"
    )
    court.locator("[data-judicial=jc-answer] .accordion-button").click()
    answer = court.locator("#step-jc-answer")
    expect(answer).to_be_visible()
    answer.get_by_label("The court's answer").select_option(label="Accepted")
    answer.get_by_label("Court case number").fill(CONFIRMATION_NUMBER)
    answer.get_by_role("button", name="Record the court's answer").click()
    expect(flash(court, "The court's answer is recorded.")).to_be_visible()
    court.locator("[data-judicial=jc-decide] .accordion-button").click()
    decide = court.locator("#step-jc-decide")
    expect(decide).to_be_visible()
    expect(decide.get_by_label("Court case number")).to_have_value(CONFIRMATION_NUMBER)
    decide.get_by_label("The court's decision").select_option(label="Confirmed valid")
    decide.get_by_role("button", name="Record the court's decision").click()
    expect(flash(court, "The court's decision is recorded.")).to_be_visible()
    confirmation = court.get_by_role("region", name="Judicial confirmation")
    expect(confirmation).to_contain_text("Confirmed valid")
    expect(confirmation).to_contain_text(CONFIRMATION_NUMBER)
    expect(court.locator("[data-judicial]")).to_have_count(0)  # nothing more to record

    assert events(db, number) == [
        "register",
        "accept",
        "reach_agreement",
        "send_feedback",
        "apply_for_confirmation",
        "accept_application",
        "decide_confirmation",
    ]
    case = db.session.scalar(select(Case).filter_by(number=number))
    assert case.inbound_referral.agency_case_number == COURT_NUMBER
    assert case.inbound_referral.feedback_outcome == "agreement"
    assert case.confirmation.jc_decision == "valid"
