"""Accessibility: axe-core finds no serious or critical violation on the key pages, in Chinese and in English.

Each test opens its pages in one language, waits for what a person would wait for, runs axe-core on each
(tests/browser/axe.py) and fails with the whole list — page, rule, impact, element — when anything serious
or critical is found. Moderate and minor findings are printed per page (``pytest -s``) so they stay in view.
axe-core cannot see a focus ring, so one more test walks the navigation bar with the keyboard.
"""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mediation.clock import local_date, utcnow
from mediation.models import Case, DutyShift
from mediation.services import followups, supervision
from mediation.services.deferred import run_deferred
from mediation.services.parties import PartyInput
from mediation.services.sessions import record_session
from mediation.services.station_log import VisitorInput, log_visitor, week_start
from tests.browser.axe import Audit
from tests.browser.conftest import new_page, sign_in
from tests.conftest import delegated_by, fire, make_case

pytestmark = pytest.mark.browser

OPEN = re.compile(r"\bshow\b")


@pytest.fixture(params=["zh-CN", "en"])
def locale(request):
    return request.param


@pytest.fixture
def page(browser, db, locale):
    """A page in ``locale`` (browser locale and Accept-Language), animations off so nothing is mid-fade."""
    page = new_page(browser, locale=locale)
    page.emulate_media(reduced_motion="reduce")
    yield page
    page.context.close()


@pytest.fixture
def audit(locale):
    return Audit(where=locale)


@pytest.fixture
def cases(db, station, mediator, police):
    """One case in each state the tests look at, with a person whose file has particulars; committed."""
    applicant = PartyInput(
        role="applicant",
        name="王芳",
        phone="13800000001",
        id_number="110101198001051234",
        address="兰州市西固区福利路12号",
        sex="female",
        ethnicity="汉族",
        occupation="教师",
    )
    respondent = PartyInput(role="respondent", name="李强", phone="13800000002")
    registered = make_case(station, mediator, title="楼道堆物 Junk in the stairwell")
    mediating = make_case(station, mediator, title="停车纠纷 Parking")
    fire(mediating, "accept", mediator)
    agreed = make_case(station, mediator, parties=[applicant, respondent], facts="楼上漏水 Water leaked.")
    fire(agreed, "accept", mediator)
    record_session(
        agreed,
        mediator,
        held_at=utcnow() - timedelta(hours=2),
        place="调解室",
        notes="听取双方意见",
        result="同意",
        rights_notified=True,
    )
    fire(
        agreed,
        "reach_agreement",
        mediator,
        performance_deadline=(local_date(utcnow()) + timedelta(days=14)).isoformat(),
    )
    referred = make_case(station, mediator, title="邻里冲突 A fight between neighbours")
    fire(referred, "refer", mediator)
    log_visitor(
        mediator,
        station,
        VisitorInput(visitor_name="刘大爷", matter="装修噪音 Noise", visitor_phone="13900000003"),
    )
    db.session.add(
        DutyShift(station_id=station.id, day=week_start(local_date(utcnow())), user_id=mediator.id)
    )
    db.session.commit()
    run_deferred()  # the referral's notification to the police liaison, as the request boundary would
    return {
        "registered": registered.number,
        "mediating": mediating.number,
        "agreed": agreed.number,
        "referred": referred.number,
        "party": agreed.party_links[0].party_id,
    }


def test_the_sign_in_page_passes_axe_also_after_a_refused_sign_in(page, live_server, audit, db, mediator):
    db.session.commit()  # the refused sign-in is audited: the server must be able to write
    page.goto(f"{live_server}/login")
    expect(page.locator("input[name=username]")).to_be_visible()
    audit.check(page, "sign-in")
    page.locator("input[name=username]").fill("wang")
    page.locator("input[name=password]").fill("not the password")
    page.locator("form button[type=submit]").click()
    expect(page.locator(".alert, .invalid-feedback").first).to_be_visible()
    audit.check(page, "sign-in refused")
    audit.assert_no_blocking()


def test_a_mediators_pages_pass_axe(page, live_server, audit, mediator, cases):
    sign_in(page, live_server, "wang")
    expect(page.locator("main tbody tr").first).to_be_visible()
    audit.check(page, "home (mediator)")

    page.goto(f"{live_server}/cases")
    expect(page.locator("main tbody tr")).to_have_count(4)
    audit.check(page, "case list")

    page.goto(f"{live_server}/cases/new")
    expect(page.locator("[data-add-party]")).to_be_visible()  # intake.js has run
    audit.check(page, "intake")
    page.locator("form[data-intake] button[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check(page, "intake refused")

    page.goto(f"{live_server}/parties/{cases['party']}")
    expect(page.locator("[data-case]")).to_have_count(4)  # 王芳 is in every case
    audit.check(page, "party file")

    page.goto(f"{live_server}/station/XLG/visit-log")
    expect(page.locator("[data-visit]")).to_have_count(1)
    audit.check(page, "visit log")

    page.goto(f"{live_server}/station/XLG/roster")
    expect(page.locator("tr[data-day]")).to_have_count(7)
    audit.check(page, "duty roster")

    response = page.goto(f"{live_server}/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("404")
    audit.check(page, "404")
    audit.assert_no_blocking()


def test_the_case_page_in_each_state_and_the_printable_agreement_pass_axe(
    page, live_server, audit, mediator, cases
):
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{cases['registered']}")
    expect(page.locator("main header [data-state]")).to_have_attribute("data-state", "registered")
    audit.check(page, "case page, registered")

    # Mediating, with the session form and a step's panel open.
    page.goto(f"{live_server}/cases/{cases['mediating']}")
    page.locator("[data-bs-target='#session-form']").click()
    expect(page.locator("#session-form")).to_have_class(OPEN)
    page.locator("[data-step=reach_agreement] .accordion-button").click()
    expect(page.locator("#step-reach_agreement")).to_have_class(OPEN)
    expect(page.locator("#step-reach_agreement form")).to_be_visible()  # fetched when opened
    audit.check(page, "case page, mediating, panels open")
    # A refused step comes back with its panel open and every field's message.
    page.locator("#step-reach_agreement button[type=submit]").click()
    expect(page.locator("#step-reach_agreement .invalid-feedback").first).to_be_visible()
    audit.check(page, "case page, mediating, step refused")

    # A panel's link opens its form as a page (where the panel could not fetch it).
    page.goto(f"{live_server}/cases/{cases['mediating']}/panels/reach_agreement")
    expect(page.locator("#step-reach_agreement form")).to_be_visible()
    audit.check(page, "a step's form as a page")

    page.goto(f"{live_server}/cases/{cases['agreed']}")
    expect(page.locator("#agreement")).to_be_visible()
    audit.check(page, "case page, following up with agreement")

    page.goto(f"{live_server}/cases/{cases['agreed']}/agreement/print")
    expect(page.locator("article.agreement-doc .doc-party")).to_have_count(2)
    audit.check(page, "printable agreement")
    audit.assert_no_blocking()


def test_the_printable_follow_up_record_passes_axe(page, live_server, audit, db, mediator, cases):
    case = db.session.scalar(select(Case).filter_by(number=cases["agreed"]))
    followups.record_visit(
        mediator, case, done_on=local_date(utcnow()), method="phone", party_reached="王芳",
        performance="partly", satisfaction=4, lawsuit_filed=True, measures="督促履行",
    )  # fmt: skip
    db.session.commit()
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{case.number}")
    page.locator("[data-visit-record]").click()
    expect(page.locator("[data-visit-record] [data-visit]")).to_have_count(1)
    audit.check(page, "printable follow-up record")
    audit.assert_no_blocking()


def test_the_supervisors_and_the_police_liaisons_pages_pass_axe(
    page, live_server, audit, supervisor, police_liaison, cases
):
    sign_in(page, live_server, "boss")
    expect(page.locator("main tbody tr").first).to_be_visible()
    audit.check(page, "home (supervisor)")
    page.context.clear_cookies()

    sign_in(page, live_server, "officer")
    expect(page.locator(f"main [data-referral][data-case='{cases['referred']}']")).to_be_visible()
    audit.check(page, "inbox (police liaison)")
    page.goto(f"{live_server}/cases/{cases['referred']}")
    expect(page.locator("#referral [data-step=accept_referral]")).to_be_visible()
    audit.check(page, "case page, referred (police liaison)")
    page.goto(f"{live_server}/notifications")
    expect(page.locator("[data-notification]")).to_have_count(1)
    audit.check(page, "notifications (police liaison)")
    page.goto(f"{live_server}/disputes/new")
    expect(page.locator("[data-add-party]")).to_be_visible()  # intake.js has run
    audit.check(page, "send a dispute")
    page.locator("form[data-intake] button[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check(page, "send a dispute, refused")
    audit.assert_no_blocking()


def test_supervision_and_my_work_pass_axe(page, live_server, audit, db, supervisor, mediator, cases):
    """督办 on the case page (the supervisor's form, then the mediator's answer form and the answers), the
    mediator's home with the supervised case on top, and My work."""
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/cases/{cases['mediating']}")
    page.locator("[aria-controls=supervise-form]").click()
    expect(page.locator("#supervise-form")).to_have_class(OPEN)
    audit.check(page, "case page, put under supervision (supervisor)")
    case = db.session.scalar(select(Case).filter_by(number=cases["mediating"]))
    supervision.start(
        supervisor, case, case.version, urgency="key", due_on=local_date(utcnow()), request="请加快调解"
    )
    supervision.answer(mediator, case, case.version, text="已约双方周五调解")
    db.session.commit()
    page.context.clear_cookies()

    sign_in(page, live_server, "wang")
    expect(page.locator("#home-supervised [data-case]")).to_have_count(1)
    audit.check(page, "home with a supervised case (mediator)")
    page.goto(f"{live_server}/cases/{cases['mediating']}")
    page.locator("[aria-controls=supervision-answer-form]").click()
    expect(page.locator("#supervision-answer-form")).to_have_class(OPEN)
    audit.check(page, "case page under supervision (mediator)")
    page.goto(f"{live_server}/work")
    expect(page.locator("main h1")).to_be_visible()
    audit.check(page, "my work (mediator)")
    audit.assert_no_blocking()


def test_the_monthly_report_passes_axe(page, live_server, audit, supervisor, cases):
    """The statistical report of this month (the cases fixture's disputes are this month's), with its form
    and the table's drill-down links."""
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/reports/monthly?month={local_date(utcnow()):%Y-%m}")
    expect(page.locator("[data-report-table] tfoot td a").first).to_be_visible()
    audit.check(page, "monthly report (supervisor)")
    page.goto(f"{live_server}/reports/monthly?kind=year&year={local_date(utcnow()):%Y}")
    expect(page.locator("[data-summary]")).to_be_visible()
    audit.check(page, "yearly report (supervisor)")
    audit.assert_no_blocking()


@pytest.fixture
def delegated(db, station, mediator, court, court_liaison):
    """A dispute the court delegated (委派), mediated without agreement and reported back; committed."""
    sent = replace(delegated_by(court), sent_by=court_liaison)
    case = make_case(station, court_liaison, title="借款纠纷 A loan", inbound=sent)
    fire(case, "accept", mediator)
    fire(case, "send_feedback", mediator)
    db.session.commit()
    return case.number


def test_the_court_liaisons_pages_and_the_feedback_letter_pass_axe(
    page, live_server, audit, mediator, court_liaison, delegated
):
    sign_in(page, live_server, "clerk")
    expect(page.locator(f"[data-section=inbox-sent] [data-case='{delegated}']")).to_be_visible()
    audit.check(page, "inbox (court liaison)")
    page.goto(f"{live_server}/cases/{delegated}")
    expect(page.locator("#inbound [data-feedback]")).to_be_visible()
    audit.check(page, "case page, sent by the court (court liaison)")
    page.goto(f"{live_server}/cases/{delegated}/feedback/print")
    expect(page.locator("article[data-letter]")).to_be_visible()
    audit.check(page, "printable feedback letter")
    page.context.clear_cookies()

    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{delegated}")
    expect(page.locator("header [data-sent-by]")).to_be_visible()
    audit.check(page, "case page, sent by the court (mediator)")
    audit.assert_no_blocking()


# --- Keyboard focus on the navigation bar ------------------------------------------------------------------

#: What a focused control's ring looks like, and the bar it must stand out against.
FOCUS_RING = """el => {
  const style = getComputedStyle(el);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor,
          bar: getComputedStyle(el.closest('nav')).backgroundColor};
}"""


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two opaque colours written ``rgb(r, g, b)``, as computed styles give them."""

    def luminance(colour):
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_every_control_of_the_bar_shows_a_focus_ring_when_tabbed_to(
    browser, live_server, db, mediator, width
):
    page = new_page(browser, width=width)
    page.emulate_media(reduced_motion="reduce")
    db.session.commit()
    try:
        sign_in(page, live_server, "wang")
        bar = page.get_by_role("navigation", name="Main")
        expect(bar).to_be_visible()
        controls = [bar.get_by_role("link", name="Dispute resolution station")]
        controls.append(bar.get_by_role("link", name="Notifications", exact=True))
        if width < 992:  # the menu folds away below Bootstrap's lg breakpoint
            controls.append(bar.get_by_role("button", name="Menu"))
        controls += [
            bar.get_by_role("link", name=name, exact=True)
            for name in ("Home", "My work", "Cases", "Oversight")
        ]
        controls += [
            bar.get_by_role("link", name=name)
            for name in ("Register a dispute", "Visit log", "Duty roster", "Monthly report")
        ]
        controls.append(bar.get_by_role("button", name="Sign out"))

        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        for control in controls:
            page.keyboard.press("Tab")
            expect(control).to_be_focused()
            ring = control.evaluate(FOCUS_RING)
            label = control.inner_text() or control.get_attribute("aria-label")
            assert ring["style"] != "none" and ring["width"] >= 2, f"{label}: no focus ring ({ring})"
            assert contrast(ring["colour"], ring["bar"]) >= 3, (
                f"{label}: the ring does not stand out ({ring})"
            )
            if control.get_attribute("aria-expanded") == "false":
                page.keyboard.press("Enter")
                expect(bar.locator("#nav")).to_have_class(OPEN)
    finally:
        page.context.close()


def test_the_oversight_dashboard_and_a_breakdown_pass_axe(page, live_server, audit, supervisor, cases):
    """The supervisor's figures beside the period before, the ranking, and a breakdown with its SVG charts."""
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/oversight/")
    expect(page.locator("[data-ranking] tbody tr").first).to_be_visible()
    audit.check(page, "oversight dashboard")
    page.goto(f"{live_server}/oversight/by/category")
    expect(page.locator("figure.chart-figure svg[role=img]").first).to_be_visible()
    audit.check(page, "oversight by category")
    page.goto(f"{live_server}/oversight/by/month?period=this_year")
    expect(page.locator("figure.chart-figure svg[role=img]").first).to_be_visible()
    audit.check(page, "oversight by month")
    page.locator("[data-figure=opened] a").first.click()
    expect(page.locator("[data-drill-down]")).to_be_visible()
    audit.check(page, "drill-down list")
    audit.assert_no_blocking()
