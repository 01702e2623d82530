"""Registering a dispute through the intake page: the form, the service's answers, and one file per person."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from mediation.clock import local_date, utcnow
from mediation.models import AuditEntry, Case, DutyShift, Event, Party, user_station
from mediation.services.cases import on_duty, serving
from mediation.services.parties import PartiesToConfirm, PartyInput
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


def newest_case(db):
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


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


def test_each_station_offers_its_own_mediators_and_names_who_is_on_duty_there(db, station, other_station):
    today = local_date(utcnow())
    yesterday = date.fromordinal(today.toordinal() - 1)
    zhou, an, gone = (make_user(name, "mediator", [station]) for name in ("zhou", "an", "gone"))
    both = make_user("both", "mediator", [station, other_station])
    left = make_user("left", "mediator", [other_station])
    gone.active = False
    shifts = [(station, yesterday, zhou), (station, today, both), (station, today, an)]
    shifts.append((other_station, today, left))
    db.session.add_all(DutyShift(station_id=s.id, day=day, user_id=u.id) for s, day, u in shifts)
    db.session.flush()
    found = serving([station, other_station], utcnow())
    assert [u.username for u in found[station.id].mediators] == ["an", "both", "zhou"]
    assert found[station.id].on_duty is both  # the first shift of the day
    assert [u.username for u in found[other_station.id].mediators] == ["both", "left"]
    db.session.execute(user_station.delete().where(user_station.c.user_id == left.id))  # no longer serves
    assert serving([other_station], utcnow())[other_station.id] == ([both], None)
    assert on_duty(station, utcnow()) is both


def test_the_mediator_field_names_who_is_on_duty_today(client, db, station, mediator, colleague):
    db.session.add(DutyShift(station_id=station.id, day=local_date(utcnow()), user_id=colleague.id))
    db.session.commit()
    login(client, mediator)
    assert "On duty today: zhao" in client.get("/cases/new").get_data(as_text=True)


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
        ("parties-1-phone", "A mobile number has 11 digits"),
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
            PartyInput(role="applicant", name="张伟", id_number=LIU_ID.replace("X", "x")),
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
                "parties-1-name": "张 伟",
                "parties-1-phone": "13900000009",
                "parties-1-id_number": LIU_ID.lower(),
            }
        ),
    )
    assert response.status_code == 302
    case = newest_case(db)
    assert case.parties_in("respondent")[0].id == zhang.id
    assert db.session.get(Party, zhang.id).phone == "13900000009"  # a gap in the file was filled
    assert db.session.scalar(select(func.count()).select_from(Party).filter_by(id_number=LIU_ID)) == 1


# --- A file that differs from what was typed ----------------------------------------------------------------

LIU_ID = "62010219800103123X"


@pytest.fixture
def liu(db, other_station, outsider):
    """刘建华, on file at another station, with his phone and address."""
    make_case(
        other_station,
        outsider,
        parties=[
            PartyInput(
                role="applicant", name="刘建华", phone="13712345678", id_number=LIU_ID, address="东岗西路8号"
            ),
            PartyInput(role="respondent", name="某某"),
        ],
    )
    db.session.commit()
    return db.session.scalar(select(Party).filter_by(name="刘建华"))


def wang_xiaoer(**override):
    """An intake for 王小二 typed with 刘建华's ID number."""
    return intake_data(
        **{
            "parties-0-name": "王小二",
            "parties-0-phone": "13600000000",
            "parties-0-id_number": LIU_ID,
            "parties-0-address": "3-502",
            **override,
        }
    )


def test_a_name_that_differs_from_the_file_found_is_shown_and_asked_never_replaced(client, db, mediator, liu):
    login(client, mediator)
    response = client.post("/cases/new", data=wang_xiaoer())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert case_count(db) == 1 and party_count(db) == 2  # nothing registered, nobody new on file
    # 刘建华 is on file at another station: the typist sees him only as policy allows there.
    panel = page[page.index("data-match=") : page.index("data-match=") + 3000]
    assert "刘*华" in panel and "刘建华" not in page and "王小二" in panel
    assert "137****5678" in panel and "13712345678" not in page and "东岗西路8号" not in page
    assert "620***********123X" in panel
    assert "Is it the same person?" in panel and 'value="yes"' in panel and 'value="no"' in panel
    assert f'href="/parties/{liu.id}"' not in page  # not a file the typist may open
    assert f'name="parties-0-seen_party_id" type="hidden" value="{liu.id}"' in page
    # Everything typed is still there.
    assert 'value="王小二"' in page and 'value="13600000000"' in page and 'value="3-502"' in page


def test_the_refusal_carries_the_file_as_shown_for_the_api(db, station, mediator, liu):
    with pytest.raises(PartiesToConfirm) as refused:
        make_case(station, mediator, parties=[PartyInput(role="applicant", name="王小二", id_number=LIU_ID)])
    body = refused.value.as_json()["error"]
    assert body["code"] == "confirm_party" and "parties-0-match" in body["fields"]
    assert body["matches"]["0"]["name"] == "刘*华" and body["matches"]["0"]["found_by"] == "id_number"
    assert "刘建华" not in str(body) and "13712345678" not in str(body)


def test_the_same_person_confirmed_joins_their_file_which_keeps_its_name(client, db, mediator, liu):
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=wang_xiaoer(**{"parties-0-seen_party_id": str(liu.id), "parties-0-same_person": "yes"}),
    )
    assert response.status_code == 302
    case = newest_case(db)
    assert case.parties_in("applicant")[0].id == liu.id
    db.session.expire_all()
    file = db.session.get(Party, liu.id)
    # The typed name and the phone and address he has do not replace the file's: only a decision would.
    assert (file.name, file.phone, file.address) == ("刘建华", "13712345678", "东岗西路8号")


def test_someone_else_means_the_id_number_is_wrong_and_nothing_is_registered(client, db, mediator, liu):
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=wang_xiaoer(**{"parties-0-seen_party_id": str(liu.id), "parties-0-same_person": "no"}),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error_at = page.index('id="parties-0-id_number-error"')
    assert "this number is not theirs" in page[error_at : error_at + 300]
    assert case_count(db) == 1
    # With the ID number corrected, 王小二 gets a file of his own.
    fixed = wang_xiaoer(
        **{"parties-0-seen_party_id": str(liu.id), "parties-0-id_number": "110101198001051234"}
    )
    assert client.post("/cases/new", data=fixed).status_code == 302
    assert newest_case(db).parties_in("applicant")[0].name == "王小二"


def test_an_answer_about_one_file_does_not_stand_for_another(client, db, station, mediator, liu):
    """The typist said "the same person" about 刘建华; the ID number then typed finds 张伟: ask again."""
    make_case(
        station, mediator, parties=[PartyInput(role="applicant", name="张伟", id_number="110101198001051234")]
    )
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=wang_xiaoer(
            **{
                "parties-0-seen_party_id": str(liu.id),
                "parties-0-same_person": "yes",
                "parties-0-id_number": "110101198001051234",
            }
        ),
    )
    assert response.status_code == 422 and case_count(db) == 2
    page = response.get_data(as_text=True)
    # 张伟 has a case at the typist's station: his name is shown in full, with a link to his file.
    zhang = db.session.scalar(select(Party).filter_by(name="张伟"))
    assert "张伟" in page and f'href="/parties/{zhang.id}"' in page


def test_a_differing_phone_or_address_is_offered_as_an_update(client, db, mediator, liu):
    login(client, mediator)
    typed = {"parties-0-name": "刘建华", "parties-0-phone": "139 0000 1111"}
    response = client.post("/cases/new", data=wang_xiaoer(**typed))
    assert response.status_code == 422 and case_count(db) == 1
    page = response.get_data(as_text=True)
    assert "Put the phone typed into the file" in page and "Put the address typed into the file" in page
    assert "On file: 137****5678" in page and "Typed: 13900001111" in page
    assert "The file has another one." in page  # his address is not for this typist to see, even masked
    assert "Is it the same person?" not in page  # the names agree
    # Ticked, the phone goes into the file; left unticked, the file keeps its address.
    seen = {"parties-0-seen_party_id": str(liu.id), "parties-0-update_phone": "y"}
    assert client.post("/cases/new", data=wang_xiaoer(**typed, **seen)).status_code == 302
    db.session.expire_all()
    file = db.session.get(Party, liu.id)
    assert (file.phone, file.address) == ("13900001111", "东岗西路8号")
    entry = db.session.scalars(select(AuditEntry).filter_by(action="update_party_at_intake")).one()
    assert entry.target == f"party:{liu.id}" and entry.case_id == newest_case(db).id
    assert entry.old == {"phone": "137****5678"} and entry.new == {"phone": "139****1111"}


def test_a_differing_id_number_for_a_picked_person_is_refused(client, db, station, mediator):
    earlier = make_case(
        station, mediator, parties=[PartyInput(role="applicant", name="王芳", id_number=LIU_ID)]
    )
    wang = earlier.parties_in("applicant")[0]
    db.session.commit()
    login(client, mediator)
    response = client.post(
        "/cases/new",
        data=intake_data(**{"parties-0-party_id": str(wang.id), "parties-0-id_number": "110101198001051234"}),
    )
    assert response.status_code == 422
    assert 'id="parties-0-id_number-error"' in response.get_data(as_text=True)
    assert db.session.get(Party, wang.id).id_number == LIU_ID


# --- Phones and ID numbers as typed ---------------------------------------------------------------------


def test_one_phone_written_two_ways_is_one_file(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    assert (
        client.post("/cases/new", data=intake_data(**{"parties-0-phone": "138 0000 0001"})).status_code == 302
    )
    again = intake_data(**{"parties-0-phone": "+86-138-0000-0001", "parties-1-phone": "(138) 0000 0002"})
    assert client.post("/cases/new", data=again).status_code == 302
    assert party_count(db) == 2
    assert {p.phone for p in db.session.scalars(select(Party))} == {"13800000001", "13800000002"}


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("62010219800103124X", "does not add up"),
        ("620102198002301238", "real date of birth"),  # 30 February
        ("6201021980", "18 characters"),
    ],
)
def test_an_id_number_that_cannot_be_right_is_named_under_its_field(client, db, mediator, id_number, message):
    db.session.commit()
    login(client, mediator)
    response = client.post("/cases/new", data=intake_data(**{"parties-0-id_number": id_number}))
    assert response.status_code == 422 and case_count(db) == 0
    page = response.get_data(as_text=True)
    error_at = page.index('id="parties-0-id_number-error"')
    assert message in page[error_at : error_at + 300]


def test_the_id_number_gives_the_file_its_birth_date_and_sex(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    assert (
        client.post("/cases/new", data=intake_data(**{"parties-0-id_number": "620102800103124"})).status_code
        == 302
    )
    wang = only_case(db).parties_in("applicant")[0]
    assert (wang.id_number, wang.birth_date, wang.sex) == ("620102800103124", date(1980, 1, 3), "female")


def test_an_organisation_is_registered_with_its_checked_credit_code(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    firm = {
        "parties-1-organisation": "y",
        "parties-1-name": "兰州顺达物业有限公司",
        "parties-1-legal_representative": "张总",
        "parties-1-credit_code": "91350100M000100Y44",
        "parties-1-id_number": "",
    }
    response = client.post("/cases/new", data=intake_data(**firm))
    assert response.status_code == 422
    assert 'id="parties-1-credit_code-error"' in response.get_data(as_text=True)
    firm["parties-1-credit_code"] = "91350100m000100y43"
    assert client.post("/cases/new", data=intake_data(**firm)).status_code == 302
    party = only_case(db).parties_in("respondent")[0]
    assert (party.kind, party.credit_code, party.legal_representative) == (
        "organisation",
        "91350100M000100Y43",
        "张总",
    )


def test_the_intake_page_offers_a_person_or_an_organisation_in_each_block(client, db, mediator):
    db.session.commit()
    login(client, mediator)
    page = client.get("/cases/new").get_data(as_text=True)
    assert 'name="parties-0-organisation"' in page and 'name="parties-0-credit_code"' in page
    assert 'data-for-kind="organisation"' in page and 'data-for-kind="person"' in page


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
