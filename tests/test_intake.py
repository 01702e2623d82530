"""Registering a dispute through the intake page: the form, the service's answers, and one file per person."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from mediation.clock import local_date, utcnow
from mediation.models import Case, DutyShift, Event, Party
from mediation.services.parties import PartyInput
from tests.conftest import login, make_case, make_station, make_user


def intake_data(**override):
    """What the page posts for a neighbour dispute with an applicant, a respondent and a blank third block."""
    data = {
        "station": "XLG",
        "channel": "walk_in",
        "category": "neighbour",
        "title": "楼上漏水 Water leak",
        "facts": "Water has come through the ceiling for a week.",
        "place": "西固区福利路 3 号楼",
        "amount": "800",
        "risk_level": "medium",
        "external_ref": "GRID-17",
        "mediator": "",
        "parties-0-role": "applicant",
        "parties-0-name": "王芳",
        "parties-0-phone": "13800000001",
        "parties-0-id_number": "",
        "parties-0-address": "3-502",
        "parties-0-party_id": "",
        "parties-1-role": "respondent",
        "parties-1-name": "李强",
        "parties-1-phone": "13800000002",
        "parties-1-id_number": "",
        "parties-1-address": "3-602",
        "parties-1-party_id": "",
        "parties-2-role": "third_party",
        "parties-2-name": "",
        "parties-2-phone": "",
        "parties-2-id_number": "",
        "parties-2-address": "",
        "parties-2-party_id": "",
    }
    data.update(override)
    return data


def only_case(db):
    return db.session.scalars(select(Case)).one()


def case_count(db):
    return db.session.scalar(select(func.count()).select_from(Case))


def party_count(db):
    return db.session.scalar(select(func.count()).select_from(Party))


# --- The page ------------------------------------------------------------------------------------------


def test_the_intake_page_preselects_the_only_station_and_offers_its_mediators(
    client, db, mediator, colleague
):
    db.session.commit()
    login(client, mediator)
    page = client.get("/cases/new").get_data(as_text=True)
    assert '<option selected value="XLG">' in page
    assert f'value="{colleague.id}"' in page and f'value="{mediator.id}"' in page
    assert page.count("data-party-block") >= 4  # three blocks and the template the script copies
    assert 'name="parties-0-role"' in page and 'name="parties-2-name"' in page
    assert "parties-__prefix__-name" in page
    assert "intake.js" in page
    assert 'name="csrf_token"' in page


def test_a_mediator_of_two_stations_chooses_one_and_sees_both_stations_mediators(client, db, station):
    other = make_station("DHJ", "东海街解纷驿站")
    both = make_user("both", "mediator", [station, other])
    east = make_user("east", "mediator", [other])
    db.session.commit()
    login(client, both)
    page = client.get("/cases/new").get_data(as_text=True)
    assert "Choose a station" in page and "东海街解纷驿站" in page
    assert f'value="{east.id}"' in page
    assert "<optgroup" in page
    assert '<option selected value="DHJ">' in client.get("/cases/new?station=DHJ").get_data(as_text=True)


@pytest.mark.parametrize("persona", ["supervisor", "police_liaison", "admin"])
def test_only_mediators_may_register(client, db, request, persona):
    user = request.getfixturevalue(persona)
    db.session.commit()
    login(client, user)
    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", data=intake_data()).status_code == 403
    assert case_count(db) == 0


def test_intake_needs_a_login(client, db):
    response = client.get("/cases/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- Success ---------------------------------------------------------------------------------------------


def test_registering_creates_the_case_with_its_number_parties_and_chosen_mediator(
    client, db, mediator, colleague
):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(mediator=str(colleague.id)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/cases/XLG-")
    case = only_case(db)
    assert response.headers["Location"] == f"/cases/{case.number}"
    assert case.number == f"XLG-{local_date(utcnow()).year}-0001"
    assert case.title == "楼上漏水 Water leak" and case.category == "neighbour" and case.channel == "walk_in"
    assert case.place == "西固区福利路 3 号楼" and str(case.amount) == "800.00"
    assert case.risk_level == "medium" and case.external_ref == "GRID-17"
    assert case.mediator_id == colleague.id and case.registered_by_id == mediator.id
    # The blank third block is ignored.
    assert [(link.role, link.party.name) for link in case.party_links] == [
        ("applicant", "王芳"),
        ("respondent", "李强"),
    ]
    assert case.party_links[0].party.address == "3-502"
    assert case.state == "registered"
    assert [e.action for e in case.events] == ["register"]
    # The flash names the new number on the next page.
    assert case.number in client.get("/").get_data(as_text=True)


def test_without_a_chosen_mediator_the_case_goes_to_whoever_is_on_duty_today(
    client, db, station, mediator, colleague
):
    db.session.add(DutyShift(station_id=station.id, day=local_date(utcnow()), user_id=colleague.id))
    db.session.commit()
    login(client, mediator)
    assert client.post("/cases/new", data=intake_data()).status_code == 302
    assert only_case(db).mediator_id == colleague.id


def test_with_nobody_on_duty_the_registering_mediator_takes_the_case(
    client, db, station, mediator, colleague
):
    yesterday = date.fromordinal(local_date(utcnow()).toordinal() - 1)
    db.session.add(DutyShift(station_id=station.id, day=yesterday, user_id=colleague.id))
    db.session.commit()
    login(client, mediator)
    assert client.post("/cases/new", data=intake_data()).status_code == 302
    assert only_case(db).mediator_id == mediator.id


def test_parties_added_by_the_script_are_registered_too(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    extra = {
        "parties-3-role": "respondent",
        "parties-3-name": "李强之妻",
        "parties-3-phone": "",
        "parties-4-role": "applicant",
        "parties-4-name": "王芳之子",
    }
    assert client.post("/cases/new", data=intake_data(**extra)).status_code == 302
    roles = [(link.role, link.party.name) for link in only_case(db).party_links]
    assert ("respondent", "李强之妻") in roles and ("applicant", "王芳之子") in roles and len(roles) == 4


# --- Errors keep what was typed ----------------------------------------------------------------------------


def test_service_errors_appear_under_their_fields_and_every_typed_value_stays(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=intake_data(
            title="",
            amount="eight hundred",
            **{"parties-1-phone": "12", "parties-1-id_number": "1234", "parties-2-name": "第三人赵"},
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert case_count(db) == 0 and party_count(db) == 0
    # Each message sits under its own input (the field macro ties them with aria-describedby).
    for field_id, message in [
        ("title", "Give the dispute a short title."),
        ("amount", "Enter an amount in yuan"),
        ("parties-1-phone", "Enter a phone number of digits"),
        ("parties-1-id_number", "An ID number has 18 characters"),
    ]:
        assert f'id="{field_id}-error"' in page, field_id
        error_at = page.index(f'id="{field_id}-error"')
        assert message in page[error_at : error_at + 200]
    for typed in [
        "eight hundred",
        "Water has come through the ceiling for a week.",
        "西固区福利路 3 号楼",
        "GRID-17",
        "王芳",
        "13800000001",
        "3-502",
        "李强",
        'value="12"',
        'value="1234"',
        "第三人赵",
    ]:
        assert typed in page, typed
    assert re.search(r'<input[^>]* checked [^>]*name="risk_level"[^>]*value="medium"', page)


def test_an_intake_without_an_applicant_says_so_above_the_parties(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(**{"parties-0-role": "third_party"}))
    assert response.status_code == 422
    assert "Name at least one applicant." in response.get_data(as_text=True)
    assert case_count(db) == 0


def test_a_mediator_of_another_station_cannot_be_chosen_for_this_one(client, db, station):
    other = make_station("DHJ", "东海街解纷驿站")
    both = make_user("both", "mediator", [station, other])
    east = make_user("east", "mediator", [other])
    db.session.commit()
    login(client, both)
    response = client.post("/cases/new", data=intake_data(station="XLG", mediator=str(east.id)))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="mediator-error"' in page and "Choose a mediator who serves at this station." in page
    assert case_count(db) == 0


def test_a_mediator_of_two_stations_must_choose_one(client, db, station):
    other = make_station("DHJ", "东海街解纷驿站")
    both = make_user("both", "mediator", [station, other])
    db.session.commit()
    login(client, both)
    response = client.post("/cases/new", data=intake_data(station=""))
    assert response.status_code == 422
    assert 'id="station-error"' in response.get_data(as_text=True)
    assert case_count(db) == 0
    assert (
        client.post("/cases/new", data=intake_data(station="DHJ"))
        .headers["Location"]
        .startswith("/cases/DHJ-")
    )


def test_a_station_the_mediator_does_not_serve_cannot_be_posted(client, db, mediator, other_station):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(station="DHJ"))
    assert response.status_code == 422
    assert case_count(db) == 0


# --- One file per person --------------------------------------------------------------------------------


def test_a_picked_party_keeps_their_one_file(client, db, station, mediator):
    earlier = make_case(station, mediator)
    wang = earlier.parties_in("applicant")[0]
    db.session.commit()
    parties_before = party_count(db)
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=intake_data(
            **{"parties-0-party_id": str(wang.id), "parties-0-name": "王芳", "parties-0-phone": ""}
        ),
    )
    assert response.status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.id != earlier.id
    assert case.parties_in("applicant")[0].id == wang.id
    # 李强 is found again by the same name and phone: nobody new is on file.
    assert party_count(db) == parties_before
    assert db.session.get(Party, wang.id).phone == "13800000001"


def test_the_same_id_number_finds_the_same_person(client, db, station, mediator):
    make_case(
        station,
        mediator,
        parties=[
            PartyInput(role="applicant", name="张伟", id_number="62010219800101123X"),
            PartyInput(role="respondent", name="赵敏"),
        ],
    )
    db.session.commit()
    zhang = db.session.scalar(select(Party).filter_by(name="张伟"))
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=intake_data(
            **{
                "parties-1-name": "张伟 (Zhang Wei)",
                "parties-1-phone": "13900000009",
                "parties-1-id_number": "62010219800101123x",
            }
        ),
    )
    assert response.status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.parties_in("respondent")[0].id == zhang.id
    assert db.session.get(Party, zhang.id).phone == "13900000009"  # a gap in the file was filled
    assert (
        db.session.scalar(select(func.count()).select_from(Party).filter_by(id_number="62010219800101123X"))
        == 1
    )


def test_a_party_from_a_case_the_mediator_may_not_see_cannot_be_picked(
    client, db, mediator, other_station, outsider
):
    elsewhere = make_case(other_station, outsider)
    stranger = elsewhere.parties_in("applicant")[0]
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/cases/new", data=intake_data(**{"parties-0-party_id": str(stranger.id), "parties-0-name": "王芳"})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="parties-0-name-error"' in page and "not on file for you" in page
    assert case_count(db) == 1  # only the other station's


def test_the_intake_is_in_the_audit_trail(client, db, mediator):
    """The intake event records who registered it, for the audit trail."""
    db.session.commit()
    login(client, mediator)
    client.post("/cases/new", data=intake_data())
    event = db.session.scalars(select(Event)).one()
    assert event.kind == "intake" and event.actor_id == mediator.id
    assert event.data["parties"] == ["applicant:王芳", "respondent:李强"]


def test_the_form_is_refused_without_its_csrf_token(client, db, app, mediator, monkeypatch):
    db.session.commit()
    login(client, mediator)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/cases/new", data=intake_data())
    assert response.status_code == 400
    assert case_count(db) == 0
