"""A party's details in a real browser: intake asks about a file that differs from what was typed, a block
can be an organisation, and "Show in full" puts a party's details in place (and in the audit log)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mediation.models import AuditEntry, Case, Party, User
from mediation.services.parties import PartyInput
from tests.browser.axe import Audit
from tests.browser.conftest import new_page, sign_in
from tests.conftest import make_case, make_station, make_user

pytestmark = pytest.mark.browser

LIU = ("刘建华", "13712345678", "62010219800103123X", "东岗西路8号")


@pytest.fixture
def stations(db):
    """Our station with its mediator, and 刘建华 on file at another station."""
    ours, theirs = make_station("XLG", "西固解纷驿站"), make_station("DHJ", "东海街解纷驿站")
    make_user("wang", "mediator", [ours])
    name, phone, id_number, address = LIU
    make_case(
        theirs,
        make_user("chen", "mediator", [theirs]),
        parties=[PartyInput(role="applicant", name=name, phone=phone, id_number=id_number, address=address)],
    )
    db.session.commit()
    return ours


def fresh(db):
    db.session.rollback()
    db.session.expire_all()


def test_intake_asks_about_a_differing_name_shows_the_file_masked_and_registers_nothing_until_answered(
    page, live_server, db, stations
):
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Category").select_option("neighbour")
    page.get_by_label("Title").fill("Noise at night")
    applicant = page.get_by_role("group", name="Party 1")
    applicant.get_by_label("Name").fill("王小二")
    applicant.get_by_label("ID number").fill(LIU[2])
    respondent = page.get_by_role("group", name="Party 2")
    respondent.get_by_label("Name").fill("李强")
    page.get_by_role("button", name="Register", exact=True).click()

    panel = applicant.get_by_role("group", name="Someone with this ID number is on file:")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("刘*华")
    expect(panel).to_contain_text("王小二")
    expect(panel).to_contain_text("620***********123X")
    expect(page.locator("body")).not_to_contain_text("刘建华")
    fresh(db)
    assert db.session.scalar(select(Case).filter_by(title="Noise at night")) is None

    panel.get_by_label("Yes, the same person: register them with this file").check()
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("#parties")).to_contain_text("Applicant 刘建华")
    fresh(db)
    case = db.session.scalar(select(Case).filter_by(title="Noise at night"))
    liu = db.session.scalar(select(Party).filter_by(name="刘建华"))
    assert case.parties_in("applicant")[0].id == liu.id


def test_a_block_marked_as_an_organisation_asks_for_its_representative_and_credit_code(
    page, live_server, stations
):
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/new")
    block = page.get_by_role("group", name="Party 2")
    expect(block.get_by_label("ID number")).to_be_visible()
    expect(block.get_by_label("Unified social credit code")).to_be_hidden()
    block.get_by_label("An organisation").check()
    expect(block.get_by_label("Legal representative")).to_be_visible()
    expect(block.get_by_label("Unified social credit code")).to_be_visible()
    expect(block.get_by_label("ID number")).to_be_hidden()


def test_show_in_full_puts_the_details_in_place_and_the_view_is_recorded(page, live_server, db, stations):
    liu = db.session.scalar(select(Party).filter_by(name="刘建华"))
    mediator = db.session.scalar(select(User).filter_by(username="wang"))
    case = make_case(
        stations,
        mediator,
        parties=[
            PartyInput(role="applicant", name=LIU[0], id_number=LIU[2]),
            PartyInput(role="respondent", name="李强"),
        ],
    )
    db.session.commit()
    sign_in(page, live_server, "wang")
    page.goto(f"{live_server}/cases/{case.number}")
    party = page.locator(f"[data-party='{liu.id}']")
    expect(party).to_contain_text("137****5678")
    expect(party).not_to_contain_text(LIU[1])
    party.get_by_role("link", name="Show in full").click()
    expect(party).to_contain_text(LIU[1])
    expect(party).to_contain_text(LIU[2])
    expect(party).to_contain_text(LIU[3])
    expect(party.get_by_role("status")).to_have_text("Shown in full; this is recorded.")
    fresh(db)
    entry = db.session.scalars(select(AuditEntry).filter_by(action="view_personal_data")).one()
    assert entry.target == f"party:{liu.id}" and entry.case_id == case.id


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_party_pages_pass_axe(browser, live_server, db, stations, locale):
    """The match panel at intake, "Show in full" without the script, and the form that corrects particulars
    (also refused) have no serious or critical axe-core violation, in Chinese and in English."""
    mediator = db.session.scalar(select(User).filter_by(username="wang"))
    case = make_case(
        stations, mediator, parties=[PartyInput(role="applicant", name=LIU[0], id_number=LIU[2])]
    )
    liu = case.party_links[0].party
    db.session.commit()
    audit = Audit(where=locale)
    page = new_page(browser, locale=locale)
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "wang")

    page.goto(f"{live_server}/cases/new")
    page.locator("select[name=category]").select_option("neighbour")
    page.locator("input[name=title]").fill("Noise at night")
    page.locator("input[name='parties-0-name']").fill("王小二")
    page.locator("input[name='parties-0-id_number']").fill(LIU[2])
    page.locator("input[name='parties-0-phone']").fill("139 0000 1111")
    page.locator("form[data-intake] button[type=submit]").click()
    expect(page.locator("[data-match]")).to_be_visible()
    audit.check(page, "intake, a file to confirm")

    page.goto(f"{live_server}/parties/{liu.id}/personal-data?case={case.number}")
    expect(page.locator("[data-field=phone]")).to_have_text(LIU[1])
    audit.check(page, "personal data shown in full")

    page.goto(f"{live_server}/cases/{case.number}/parties/{liu.id}")
    expect(page.locator("input[name=phone]")).to_have_value(LIU[1])
    audit.check(page, "correct particulars")
    page.locator("input[name=phone]").fill("12")
    page.locator("form[data-party-form] button[type=submit]").click()
    expect(page.locator("#phone-error")).to_be_visible()
    audit.check(page, "correct particulars, refused")
    page.context.close()
    audit.assert_no_blocking()
