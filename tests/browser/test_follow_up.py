"""Issue 14's journeys in a real browser.

(a) In English at desktop width: a mediator records the follow-up visit (回访) of an agreed case, which
    found the agreement performed; the page leads on to closing, and the case closes.
(b) In Chinese on a phone (375 px): a supervisor puts a stuck case under supervision (督办); its mediator
    finds it on top of home, answers it; the supervisor reads the answer and ends the supervision.

The cases are built through the services (tests/conftest.py); the journeys go through the pages.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mediation.clock import local_date, utcnow
from mediation.services.deferred import run_deferred
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_journey import fits_the_width, flash, fresh, state_badge
from tests.browser.test_linkage import events, open_step
from tests.conftest import fire, make_case

pytestmark = pytest.mark.browser


@pytest.fixture
def agreed(db, station, mediator):
    mediator.display_name = "王调解"
    case = make_case(station, mediator, title="楼上漏水 Water leak from upstairs")
    fire(case, "accept", mediator)
    day = local_date(utcnow()) + timedelta(days=10)
    fire(case, "reach_agreement", mediator, performance_deadline=day.isoformat())
    db.session.commit()
    return case.number


def test_a_visit_that_found_the_agreement_performed_leads_to_closing(open_page, live_server, db, agreed):
    page = open_page("en", 1280, 900)
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{agreed}")
    close = page.locator("[data-step=close]")
    expect(close).to_have_attribute("data-blocked", "")  # no visit yet: closing waits for one
    visits = page.locator("#visits")
    expect(visits.locator("[data-planned]")).to_have_count(1)
    visits.get_by_role("button", name="Record a visit").click()
    form = page.locator("#visit-form")
    expect(form).to_be_visible()
    form.get_by_label("How").select_option(label="Phone")
    form.get_by_label("Who was reached").fill("王芳 and 李强")
    form.get_by_label("Performance of the agreement").select_option(label="Performed in full")
    form.get_by_label("Satisfaction (1–5)").select_option("5")
    form.get_by_label("Measures taken").fill("Confirmed the repair and the payment with both sides.")
    form.get_by_role("button", name="Save the visit").click()
    expect(flash(page, "found the agreement performed: you may close the case")).to_be_visible()
    expect(page.locator("[data-step=close]")).not_to_have_attribute("data-blocked", "")
    step = open_step(page, "Close case", "#step-close")
    step.get_by_label("Closing note").fill("Performed in full; both parties satisfied.")
    step.get_by_role("button", name="Close case").click()
    expect(flash(page, "Done: Close case.")).to_be_visible()
    expect(state_badge(page)).to_have_text("Closed")
    assert events(db, agreed)[-2:] == ["record_visit", "close"]


@pytest.fixture
def stuck(db, station, mediator, supervisor):
    mediator.display_name, supervisor.display_name = "王调解", "刘主任"
    mediator.locale = supervisor.locale = "zh_Hans_CN"
    case = make_case(station, mediator, title="楼道堆物纠纷")
    fire(case, "accept", mediator)
    db.session.commit()
    return case.number


def test_a_supervisor_presses_a_stuck_case_and_the_mediator_answers(open_page, live_server, db, stuck):
    boss = open_page("zh-CN", 375, 800)
    sign_in(boss, live_server, "boss")
    boss.goto(f"{live_server}/cases/{stuck}")
    boss.get_by_role("button", name="将案件列入督办").click()
    form = boss.locator("#supervise-form")
    expect(form).to_be_visible()
    form.get_by_label("督办级别").select_option(label="紧急")
    form.get_by_label("答复期限").fill((local_date(utcnow()) + timedelta(days=3)).isoformat())
    form.get_by_label("督办要求").fill("该案两周未见进展，请三日内说明原因并加快调解。")
    form.get_by_role("button", name="列入督办").click()
    expect(flash(boss, "案件已列入督办，已通知调解员。")).to_be_visible()
    section = boss.locator("#supervision")
    expect(section).to_contain_text("督办中：紧急")
    expect(section).to_contain_text("驿站尚未答复。")
    fits_the_width(boss)
    run_deferred()  # the live server wrote the notification after its commit, in its own thread

    mediator = open_page("zh-CN", 375, 800)
    sign_in(mediator, live_server, "wang")
    on_top = mediator.locator("#home-supervised")
    expect(on_top.locator(f"[data-case='{stuck}']")).to_contain_text("该案两周未见进展")
    on_top.get_by_role("link", name=stuck).click()
    answer = mediator.locator("#supervision")
    answer.get_by_role("button", name="答复", exact=True).click()
    expect(mediator.locator("#supervision-answer-form")).to_be_visible()
    mediator.get_by_label("进展情况").fill("已约双方周五再次调解，并请网格员协助稳控。")
    mediator.get_by_role("button", name="提交答复").click()
    expect(flash(mediator, "答复已送达督办人。")).to_be_visible()
    expect(mediator.locator("#supervision [data-due=met]")).to_have_text("已答复")
    fits_the_width(mediator)
    screenshot(mediator, "supervision-answered", full_page=False)

    boss.reload()
    expect(boss.locator("#supervision [data-answers]")).to_contain_text("已约双方周五再次调解")
    boss.get_by_role("button", name="结束督办").click()
    expect(boss.locator("#end-supervision-form")).to_be_visible()
    boss.get_by_label("督办结论").fill("已有进展，结束督办。")
    boss.locator("#end-supervision-form").get_by_role("button", name="结束督办").click()
    expect(flash(boss, "督办已结束。")).to_be_visible()
    expect(boss.locator("[data-supervised]")).to_have_count(0)
    fresh(db)
    assert events(db, stuck)[-3:] == ["start_supervision", "answer_supervision", "end_supervision"]
