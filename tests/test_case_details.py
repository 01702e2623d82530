"""Correcting a case after registration (``services.case_details`` and its page): who may, every problem named
at once, a stale page never overwrites, and every change is in the trail with its old and new value."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mediation.errors import Conflict, Invalid, NotAllowed
from mediation.models import Event
from mediation.services.case_details import EDITABLE, update_case
from mediation.services.transitions import apply_step
from tests.conftest import fire, login, make_case

DETAILS = {
    "title": "楼上漏水 Water leak",
    "facts": "Water from the flat upstairs.",
    "category": "neighbour",
    "channel": "walk_in",
    "place": "福利路 12 号",
    "amount": "1200",
    "risk_level": "low",
    "external_ref": "",
}


@pytest.fixture
def case(db, station, mediator):
    case = make_case(
        station,
        mediator,
        facts=DETAILS["facts"],
        place=DETAILS["place"],
        amount=DETAILS["amount"],
    )
    db.session.commit()
    return case


def events(db, case):
    return db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id)).all()


def saved(db, case):
    db.session.expire_all()
    return {name: getattr(case, name) for name in EDITABLE}


def test_the_editable_details_are_those_intake_takes():
    assert set(EDITABLE) == set(DETAILS)


# --- The service ---------------------------------------------------------------------------------------


def test_a_mediator_corrects_every_detail_and_the_trail_keeps_old_and_new(db, case, mediator):
    changes = update_case(
        mediator,
        case,
        case.version,
        title="楼上漏水",
        facts="Water from the flat upstairs, twice.",
        category="property_management",
        channel="phone",
        place="福利路 14 号",
        amount="1500.5",
        risk_level="high",
        external_ref="XG-110-7",
    )
    db.session.commit()
    assert saved(db, case) == {
        "title": "楼上漏水",
        "facts": "Water from the flat upstairs, twice.",
        "category": "property_management",
        "channel": "phone",
        "place": "福利路 14 号",
        "amount": Decimal("1500.50"),
        "risk_level": "high",
        "external_ref": "XG-110-7",
    }
    assert changes["amount"] == (Decimal("1200.00"), Decimal("1500.50"))
    last = events(db, case)[-1]
    assert (last.kind, last.action, last.actor_id, last.case_version) == (
        "update",
        "update_case",
        mediator.id,
        case.version,
    )
    assert last.data == {
        "old": {
            "title": "楼上漏水 Water leak",
            "facts": "Water from the flat upstairs.",
            "category": "neighbour",
            "channel": "walk_in",
            "place": "福利路 12 号",
            "amount": "1200.00",
            "risk_level": "low",
            "external_ref": "",
        },
        "new": {
            "title": "楼上漏水",
            "facts": "Water from the flat upstairs, twice.",
            "category": "property_management",
            "channel": "phone",
            "place": "福利路 14 号",
            "amount": "1500.50",
            "risk_level": "high",
            "external_ref": "XG-110-7",
        },
    }


def test_only_what_changed_is_recorded_and_absent_details_are_left_alone(db, case, colleague):
    update_case(colleague, case, case.version, title="  Leak from upstairs  ", amount="1200.00")
    db.session.commit()
    assert saved(db, case)["title"] == "Leak from upstairs"
    assert saved(db, case)["facts"] == DETAILS["facts"]
    assert events(db, case)[-1].data == {
        "old": {"title": "楼上漏水 Water leak"},
        "new": {"title": "Leak from upstairs"},
    }


def test_clearing_the_amount_is_a_change_to_none(db, case, mediator):
    update_case(mediator, case, case.version, amount="")
    assert case.amount is None
    assert events(db, case)[-1].data == {"old": {"amount": "1200.00"}, "new": {"amount": None}}


def test_nothing_changed_records_nothing_and_keeps_the_version(db, case, mediator):
    before = (case.version, len(events(db, case)))
    assert update_case(mediator, case, case.version, **DETAILS) == {}
    db.session.commit()
    assert (case.version, len(events(db, case))) == before


def test_every_problem_is_named_at_once_and_nothing_changes(db, case, mediator):
    before = saved(db, case)
    with pytest.raises(Invalid) as info:
        update_case(
            mediator,
            case,
            case.version,
            title=" ",
            category="aliens",
            channel="pigeon",
            amount="-3",
            risk_level="x",
        )
    assert info.value.code == "invalid_fields"
    assert set(info.value.fields) == {"title", "category", "channel", "amount", "risk_level"}
    db.session.rollback()
    assert saved(db, case) == before


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(db, case, mediator, colleague):
    seen = case.version
    update_case(colleague, case, case.version, title="The colleague's title")
    db.session.commit()
    with pytest.raises(Conflict) as info:
        update_case(mediator, case, seen, title="Mine")
    assert info.value.code == "stale_version"
    db.session.rollback()
    assert saved(db, case)["title"] == "The colleague's title"


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "police_liaison", "court_liaison", "admin"])
def test_only_the_stations_mediators_may_correct_a_case(db, case, people, persona):
    with pytest.raises(NotAllowed):
        update_case(people[persona], case, case.version, title="Not mine to change")


def test_a_closed_case_cannot_be_corrected(db, case, mediator):
    fire(case, "withdraw", mediator)
    with pytest.raises(NotAllowed):
        update_case(mediator, case, case.version, title="Too late")


def test_an_unknown_detail_is_a_programming_error(db, case, mediator):
    with pytest.raises(TypeError):
        update_case(mediator, case, case.version, state="closed")


# --- The page --------------------------------------------------------------------------------------------


def edit_page(client, case):
    return client.get(f"/cases/{case.number}/details")


def post(client, case, version=None, **changes):
    data = {**DETAILS, "version": case.version if version is None else version, **changes}
    return client.post(f"/cases/{case.number}/details", data=data)


def test_the_case_page_leads_to_the_form_filled_with_what_is_saved(client, case, mediator):
    login(client, mediator)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert f'href="/cases/{case.number}/details"' in html
    response = edit_page(client, case)
    assert response.status_code == 200
    form = response.get_data(as_text=True)
    assert 'value="楼上漏水 Water leak"' in form and "Water from the flat upstairs.</textarea>" in form
    assert re.search(r'<option selected value="neighbour">|<option[^>]*value="neighbour"[^>]*selected', form)
    assert 'value="1200.00"' in form
    assert re.search(r'checked[^>]*value="low"|value="low"[^>]*checked', form)


@pytest.mark.parametrize("persona", ["supervisor", "admin"])
def test_readers_who_may_not_correct_see_no_link_and_get_403(client, case, people, persona):
    login(client, people[persona])
    assert f"/cases/{case.number}/details" not in client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert edit_page(client, case).status_code == 403
    assert post(client, case, title="x").status_code == 403


def test_an_outsider_gets_404(client, case, outsider):
    login(client, outsider)
    assert edit_page(client, case).status_code == 404


def test_a_correction_is_saved_and_shown_on_the_timeline_in_english_and_chinese(client, db, case, mediator):
    login(client, mediator)
    response = post(client, case, title="Leak from upstairs", category="property_management", amount="1500")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.number}#details")
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "The case is corrected." in html
    entry = html[html.index('data-event="update_case"') :].split("data-event=")[1]
    assert "Corrected the case details" in entry
    assert re.search(r"<dt>Title</dt><dd[^>]*>楼上漏水 Water leak → Leak from upstairs</dd>", entry)
    assert re.search(r"<dt>Category</dt><dd[^>]*>Neighbours → [^<]+</dd>", entry)
    assert "¥1,200.00 → ¥1,500.00" in entry

    html = client.get(f"/cases/{case.number}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    entry = html[html.index('data-event="update_case"') :].split("data-event=")[1]
    assert "更正了案件信息" in entry and "楼上漏水 Water leak → Leak from upstairs" in entry
    assert "邻里纠纷 →" in entry and "Neighbours" not in entry


def test_posting_what_is_saved_changes_nothing(client, db, case, mediator):
    login(client, mediator)
    before = case.version
    response = post(client, case)
    assert response.status_code == 302
    assert "Nothing was changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert case.version == before


def test_a_refused_correction_keeps_what_was_typed_and_names_every_problem(client, db, case, mediator):
    login(client, mediator)
    response = post(client, case, title="", amount="lots", facts="Typed facts, kept.")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="title-error"[^>]*>Give the dispute a short title.', html)
    assert re.search(r'id="amount-error"[^>]*>Enter an amount in yuan', html)
    assert "Typed facts, kept.</textarea>" in html and 'value="lots"' in html
    assert saved(db, case)["facts"] == DETAILS["facts"]


def test_a_stale_form_shows_what_is_saved_beside_what_was_typed(client, db, case, mediator, colleague):
    login(client, mediator)
    seen = case.version
    update_case(colleague, case, case.version, title="The colleague's title", risk_level="medium")
    db.session.commit()
    response = post(client, case, version=seen, title="My title")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this case" in html
    assert 'value="My title"' in html  # kept
    assert re.search(r'data-saved="title">\s*Saved now: <span[^>]*>The colleague&#39;s title</span>', html)
    assert re.search(r'data-saved="risk_level">\s*Saved now: <span[^>]*>Medium</span>', html)
    assert 'data-saved="facts"' not in html  # the same on both sides
    assert f'name="version" type="hidden" value="{case.version}"' in html
    assert saved(db, case)["title"] == "The colleague's title"
    # Sent again after that look, it goes through.
    assert post(client, case, title="My title").status_code == 302
    assert saved(db, case)["title"] == "My title"


# --- A high risk of escalation ----------------------------------------------------------------------------


def test_raising_the_risk_to_high_prompts_a_referral_to_the_police(client, db, case, mediator, police):
    login(client, mediator)
    assert 'id="risk-notice"' not in client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert post(client, case, risk_level="high").status_code == 302
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    notice = html[html.index('id="risk-notice"') :].split("</div>")[0]
    assert "refer the case to the police" in notice
    assert 'data-bs-target="#step-refer"' in notice and "Refer to an agency" in notice

    fire(case, "refer", mediator, agency="XGPS")
    db.session.commit()
    assert 'id="risk-notice"' not in client.get(f"/cases/{case.number}").get_data(as_text=True)


def test_the_risk_notice_is_shown_to_the_supervisor_without_the_step(client, db, case, mediator, supervisor):
    update_case(mediator, case, case.version, risk_level="high")
    db.session.commit()
    login(client, supervisor)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    notice = html[html.index('id="risk-notice"') :].split("</div>")[0]
    assert "refer the case to the police" in notice and "step-refer" not in notice


def test_the_correction_is_counted_like_any_change(db, case, mediator):
    """A correction moves the version, so a step posted from a page loaded before it is stale."""
    seen = case.version
    update_case(mediator, case, case.version, place="Elsewhere")
    db.session.commit()
    assert case.version > seen
    count = db.session.scalar(select(func.count(Event.id)).where(Event.case_id == case.id))
    assert count == 2
    with pytest.raises(Conflict):
        apply_step(case, "accept", mediator, version=seen)
