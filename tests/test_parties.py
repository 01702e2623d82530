"""A party's file (一人一档): the numbers that identify people, the type-ahead that finds them, the file
page, correcting a party's particulars from a case, and finding a case by a party's phone."""

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from mediation import create_app, identifiers
from mediation.config import TestConfig
from mediation.errors import Conflict, Invalid, NotAllowed
from mediation.extensions import db as _db
from mediation.models import AuditEntry, Case, CaseParty, Event, Party
from mediation.parties import throttle
from mediation.services.parties import PartyInput, update_party
from mediation.services.search import CaseFilters, case_query
from tests.conftest import fire, login, make_case, make_user, throwaway_database

PHONE = "13812345678"
ID_NUMBER = "62010219800103123X"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def wang(db, station, mediator):
    """王芳: applicant in one case at our station, with full personal details."""
    make_case(
        station,
        mediator,
        title="楼上漏水 Water leak",
        parties=[
            PartyInput(role="applicant", name="王芳", phone=PHONE, id_number=ID_NUMBER, address="3-502"),
            PartyInput(role="respondent", name="李强", phone="13800000002"),
        ],
    )
    db.session.commit()
    return db.session.scalar(select(Party).filter_by(name="王芳"))


def page_of(client, party):
    response = client.get(f"/parties/{party.id}")
    return response.status_code, response.get_data(as_text=True)


def wang_cases(db, wang):
    return db.session.scalars(select(Case).join(CaseParty).where(CaseParty.party_id == wang.id)).all()


# --- The numbers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138.1234.5678", "13812345678"),
        ("(138) 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese keyboard
        ("0931-8123456", "09318123456"),
        ("(0931) 812 3456", "09318123456"),
        ("+86 931 8123456", "09318123456"),
        ("8123456", "8123456"),
        ("+852 2345 6789", "+85223456789"),
    ],
)
def test_a_phone_is_stored_in_one_form_however_it_is_typed(typed, stored):
    assert identifiers.normalise_phone(typed) == stored
    assert identifiers.phone_problem(stored) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("1390734abc", "characters"), ("12", "shape"), ("1381234567", "shape"), ("23812345678", "shape")],
)
def test_a_phone_that_cannot_be_dialled_is_named(typed, problem):
    assert identifiers.phone_problem(identifiers.normalise_phone(typed)) == problem


TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("62010219800103123X", None),
        ("110101198001051234", None),
        ("620102800103123", None),  # a 15-digit number from before 1999, born 1980-01-03
        ("62010219800103124X", "check"),  # one digit mistyped
        ("620102198001031239", "check"),
        ("620102198002301235", "date"),  # 30 February (with its check digit)
        ("620102202701011238", "date"),  # born after today
        ("620102800230123", "date"),
        ("6201021980010312", "shape"),
        ("62010219800103123Y", "shape"),
        ("ABCDEFGHIJKLMNOPQR", "shape"),
    ],
)
def test_an_id_number_is_checked_against_gb_11643(number, problem):
    if problem == "date" and len(number) == 18:
        number = number[:17] + identifiers.id_check_character(number[:17])  # a right check digit
    assert identifiers.id_number_problem(number, TODAY) == problem


def test_an_id_number_holds_the_birth_date_and_sex():
    assert identifiers.birth_date_in_id("62010219800103123X") == date(1980, 1, 3)
    assert identifiers.sex_in_id("62010219800103123X") == "male"
    assert identifiers.birth_date_in_id("620102800103124") == date(1980, 1, 3)
    assert identifiers.sex_in_id("620102800103124") == "female"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y43", None),
        ("9144030071526726XG", None),
        ("91350100M000100Y44", "check"),
        ("91350100M000100Y4", "shape"),
        ("91350100M000100I43", "shape"),  # no I, O, S, V or Z in a credit code
    ],
)
def test_a_credit_code_is_checked_against_gb_32100(code, problem):
    assert identifiers.credit_code_problem(code) == problem


# --- The file -------------------------------------------------------------------------------------------


def test_a_mediator_at_the_persons_station_sees_their_file_masked_with_show(client, db, mediator, wang):
    login(client, mediator)
    status, page = page_of(client, wang)
    assert status == 200
    assert "138****5678" in page and "620***********123X" in page and PHONE not in page
    assert "data-reveal" in page
    assert "楼上漏水 Water leak" in page and 'data-role="applicant"' in page
    assert 'href="/cases/XLG-' in page


def test_a_supervisor_sees_the_file_masked_without_show(client, db, supervisor, wang):
    login(client, supervisor)
    status, page = page_of(client, wang)
    assert status == 200
    assert PHONE not in page and ID_NUMBER not in page and "3-502" not in page
    assert "138****5678" in page and "620***********123X" in page and "data-reveal" not in page


def test_the_file_lists_only_cases_the_viewer_may_see_with_the_role_in_each(
    client, db, station, mediator, other_station, outsider, wang
):
    make_case(
        other_station,
        outsider,
        title="东海 east dispute",
        # Another station cannot pick her file, but the same ID number finds the same person.
        parties=[
            PartyInput(role="applicant", name="赵敏"),
            PartyInput(role="respondent", name="王芳", id_number=ID_NUMBER),
        ],
    )
    make_case(
        station,
        mediator,
        title="第二件 second",
        parties=[PartyInput(role="applicant", name="钱七"), PartyInput(role="third_party", party_id=wang.id)],
    )
    db.session.commit()
    login(client, mediator)
    _status, page = page_of(client, wang)
    assert "楼上漏水 Water leak" in page and "第二件 second" in page and "东海 east dispute" not in page
    assert 'data-role="applicant"' in page and 'data-role="third_party"' in page
    assert 'data-role="respondent"' not in page
    login(client, outsider)
    status, page = page_of(client, wang)
    assert status == 200
    assert "东海 east dispute" in page and "楼上漏水" not in page
    assert 'data-role="respondent"' in page
    # The outsider's station has a case with her too: the outsider may see her details in full.
    assert "data-reveal" in page


def test_someone_who_may_see_none_of_the_persons_cases_gets_404(client, db, outsider, wang):
    login(client, outsider)
    assert page_of(client, wang)[0] == 404


def test_an_unknown_party_is_404(client, db, mediator, wang):
    login(client, mediator)
    assert client.get("/parties/99999").status_code == 404


def test_a_liaison_without_referrals_gets_404(client, db, police_liaison, wang):
    login(client, police_liaison)
    assert page_of(client, wang)[0] == 404


# --- Type-ahead -------------------------------------------------------------------------------------------


def search(client, q):
    response = client.get("/parties/search", query_string={"q": q}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.get_json()["results"]


def test_the_type_ahead_finds_by_name_with_masked_details_and_case_count(client, db, mediator, wang):
    login(client, mediator)
    by_name = search(client, "王")
    assert [r["name"] for r in by_name] == ["王芳"]
    result = by_name[0]
    assert result["id"] == wang.id and result["phone"] == "138****5678" and result["cases"] == 1
    assert result["id_number"] == "620***********123X"
    assert result["url"] == f"/parties/{wang.id}"
    assert search(client, "") == []
    assert search(client, "nobody") == []


def test_the_type_ahead_matches_a_phone_or_id_number_only_in_full(client, db, mediator, wang):
    """A masked number shows its first three and last four digits: if a part of it matched, typing the
    masked digits one prefix at a time would spell it out."""
    login(client, mediator)
    for prefix in ("138", "1381", "13812", "138123", "1381234", "13812345", "1381234567"):
        assert search(client, prefix) == [], prefix
    assert search(client, "5678") == [] and search(client, "620102") == []
    for whole in (PHONE, "138 1234 5678", "+86 138-1234-5678", ID_NUMBER, ID_NUMBER.lower()):
        assert [r["name"] for r in search(client, whole)] == ["王芳"], whole


def test_the_type_ahead_offers_only_people_in_cases_the_user_may_see(
    client, db, mediator, other_station, outsider, wang
):
    make_case(
        other_station,
        outsider,
        parties=[
            PartyInput(role="applicant", name="王五", phone="13911112222"),
            PartyInput(role="respondent", name="x"),
        ],
    )
    db.session.commit()
    login(client, mediator)
    assert [r["name"] for r in search(client, "王")] == ["王芳"]
    assert search(client, "13911112222") == []
    login(client, outsider)
    assert [r["name"] for r in search(client, "王")] == ["王五"]


def test_the_type_ahead_counts_only_visible_cases(client, db, mediator, other_station, outsider, wang):
    make_case(
        other_station,
        outsider,
        parties=[
            PartyInput(role="applicant", name="王芳", id_number=ID_NUMBER),
            PartyInput(role="respondent", name="x"),
        ],
    )
    db.session.commit()
    login(client, mediator)
    assert search(client, "王芳")[0]["cases"] == 1
    colleague_elsewhere = make_user("both", "mediator", [mediator.stations[0], outsider.stations[0]])
    db.session.commit()
    login(client, colleague_elsewhere)
    assert search(client, "王芳")[0]["cases"] == 2


def test_the_type_ahead_needs_a_login(client, db):
    response = client.get("/parties/search?q=王")
    assert response.status_code in (302, 401)


@pytest.fixture
def low_search_limit(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PARTY_SEARCH_RATE_LIMIT", "3 per minute")
    throttle.reset()
    yield
    throttle.reset()


def test_the_type_ahead_is_throttled_per_user_and_says_in_json_how_long_to_wait(
    client, db, app, mediator, colleague, wang, low_search_limit
):
    login(client, mediator)
    for _ in range(3):
        search(client, "王")
    response = client.get("/parties/search?q=王")
    assert response.status_code == 429 and response.is_json
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert f"Wait {wait} seconds" in response.get_json()["error"]["message"]
    # Another user is not held back by the first one's searches.
    other = app.test_client()
    login(other, colleague)
    assert other.get("/parties/search?q=王").status_code == 200


# --- Correcting a party's particulars -------------------------------------------------------------------


@pytest.fixture
def case(db, wang):
    return wang_cases(db, wang)[0]


def edit_data(party, **override):
    data = {
        "version": str(party.version),
        "kind": party.kind,
        "name": party.name,
        "phone": party.phone,
        "id_number": party.id_number,
        "sex": party.sex,
        "birth_date": party.birth_date.isoformat() if party.birth_date else "",
        "ethnicity": party.ethnicity,
        "occupation": party.occupation,
        "legal_representative": party.legal_representative,
        "credit_code": party.credit_code,
        "address": party.address,
    }
    return {**data, **override}


def edit_url(case, party):
    return f"/cases/{case.number}/parties/{party.id}"


def test_the_case_page_links_to_the_form_for_the_stations_mediators_only(
    client, db, case, wang, mediator, supervisor
):
    login(client, mediator)
    assert f'href="{edit_url(case, wang)}"' in client.get(f"/cases/{case.number}").get_data(as_text=True)
    login(client, supervisor)
    assert edit_url(case, wang) not in client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert client.get(edit_url(case, wang)).status_code == 403


def test_the_form_shows_the_particulars_the_file_has_and_reads_the_id_number(
    client, db, case, wang, mediator
):
    login(client, mediator)
    html = client.get(edit_url(case, wang)).get_data(as_text=True)
    assert f'value="{PHONE}"' in html and f'value="{ID_NUMBER}"' in html and 'value="3-502"' in html
    # Registered with an ID number: its date of birth and sex were read from it.
    assert 'value="1980-01-03"' in html and '<option selected value="male">' in html


def test_a_correction_saves_the_particulars_the_agreement_needs_and_records_old_and_new(
    client, db, case, wang, mediator
):
    login(client, mediator)
    response = client.post(
        edit_url(case, wang),
        data=edit_data(
            wang,
            sex="female",
            ethnicity="回族",
            occupation="教师",
            phone="139 0000 1111",
            address="福利路3-502",
        ),
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.number}#parties"
    db.session.expire_all()
    party = db.session.get(Party, wang.id)
    assert (party.sex, party.ethnicity, party.occupation, party.phone, party.address) == (
        "female",
        "回族",
        "教师",
        "13900001111",
        "福利路3-502",
    )
    event = db.session.scalars(select(Event).filter_by(kind="party")).one()
    assert event.action == "update_party" and event.actor_id == mediator.id
    assert event.data["old"] == {
        "phone": PHONE,
        "address": "3-502",
        "sex": "male",
        "ethnicity": "",
        "occupation": "",
    }
    assert event.data["new"]["phone"] == "13900001111" and event.data["role"] == "applicant"
    entry = db.session.scalars(select(AuditEntry).filter_by(action="update_party")).one()
    assert entry.realm == "party" and entry.target == f"party:{wang.id}" and entry.case_id == case.id
    # The audit log's readers may see these only masked; the case's trail keeps the values.
    assert entry.old["phone"] == "138****5678" and entry.new["phone"] == "139****1111"
    assert "13900001111" not in str(entry.new) and "福利路3-502" not in str(entry.new)


def test_the_timeline_tells_the_correction_in_both_languages_with_values_masked(
    client, db, case, wang, mediator
):
    login(client, mediator)
    client.post(edit_url(case, wang), data=edit_data(wang, phone="13900001111", occupation="教师"))
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    timeline = html[html.index('id="timeline"') :]
    assert "Corrected a party&#39;s particulars" in timeline or "Corrected a party's particulars" in timeline
    assert "Applicant: 王芳" in timeline
    assert "138****5678 → 139****1111" in timeline and "13900001111" not in timeline
    assert "Occupation" in timeline and "— → 教师" in timeline
    zh = client.get(f"/cases/{case.number}", headers=ZH).get_data(as_text=True)
    zh_timeline = zh[zh.index('id="timeline"') :]
    assert "更正了当事人信息" in zh_timeline and "申请人：王芳" in zh_timeline and "职业" in zh_timeline
    assert "update_party" not in zh_timeline.replace('data-event="update_party"', "")


def test_nothing_changed_records_nothing(client, db, case, wang, mediator):
    login(client, mediator)
    response = client.post(edit_url(case, wang), data=edit_data(wang))
    assert response.status_code == 302
    assert db.session.scalars(select(Event).filter_by(kind="party")).all() == []
    assert "Nothing was changed." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_every_problem_is_named_at_once_and_nothing_is_saved(client, db, case, wang, mediator):
    login(client, mediator)
    response = client.post(
        edit_url(case, wang),
        data=edit_data(
            wang, name="", phone="12", id_number="62010219800103124X", birth_date="2999-01-01", sex="x"
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("name", "phone", "id_number", "birth_date", "sex"):
        assert f'id="{field}-error"' in html, field
    assert 'value="62010219800103124X"' in html  # what was typed stays
    db.session.expire_all()
    assert db.session.get(Party, wang.id).id_number == ID_NUMBER


def test_a_birth_date_must_agree_with_the_id_number(db, case, wang, mediator):
    with pytest.raises(Invalid) as refused:
        update_party(mediator, case, wang, version=wang.version, birth_date="1980-01-04")
    assert "1980-01-03" in refused.value.fields["birth_date"]


def test_another_files_id_number_is_refused_never_merged(db, station, case, wang, mediator):
    other = make_case(
        station,
        mediator,
        parties=[PartyInput(role="applicant", name="刘建华", id_number="110101198001051234")],
    )
    liu = other.party_links[0].party
    with pytest.raises(Invalid) as refused:
        update_party(mediator, case, wang, version=wang.version, id_number=liu.id_number)
    assert "another person" in refused.value.fields["id_number"]


def test_a_stale_form_is_refused_with_409_and_shows_what_is_saved_now(
    client, app, db, case, wang, mediator, colleague
):
    login(client, mediator)
    stale = edit_data(wang, occupation="教师")
    other = app.test_client()
    login(other, colleague)
    assert other.post(edit_url(case, wang), data=edit_data(wang, occupation="司机")).status_code == 302
    response = client.post(edit_url(case, wang), data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="conflict"' in html and 'data-saved="occupation"' in html and "司机" in html
    assert 'value="教师"' in html  # what was typed stays, to send again deliberately
    db.session.expire_all()
    assert db.session.get(Party, wang.id).occupation == "司机"


def test_an_edit_committed_by_someone_else_meanwhile_is_a_conflict_not_overwritten(db, case, wang, mediator):
    """The form's version was right when read, but another request changed the file before this one
    wrote: the UPDATE finds another version and is refused."""
    version = wang.version
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE party SET occupation = '司机', version = version + 1 WHERE id = :id"),
            {"id": wang.id},
        )
    with pytest.raises(Conflict):
        update_party(mediator, case, wang, version=version, occupation="教师")
    db.session.rollback()
    assert db.session.get(Party, wang.id).occupation == "司机"


@pytest.mark.parametrize("version", ["", "x", "²", "9" * 400, "-1"])
def test_a_missing_or_garbled_version_is_a_conflict(db, case, wang, mediator, version):
    with pytest.raises(Conflict):
        update_party(mediator, case, wang, version=version, occupation="教师")


def test_only_the_stations_mediators_correct_a_party_and_only_on_an_open_case(
    db, station, case, wang, mediator, colleague, supervisor, police_liaison
):
    update_party(colleague, case, wang, version=wang.version, occupation="教师")
    for actor in (supervisor, police_liaison):
        with pytest.raises(NotAllowed):
            update_party(actor, case, wang, version=wang.version, occupation="司机")
    fire(case, "withdraw", mediator)
    with pytest.raises(NotAllowed):
        update_party(mediator, case, wang, version=wang.version, occupation="司机")
    elsewhere = make_case(station, mediator)
    with pytest.raises(NotAllowed):  # not a party of that case
        update_party(mediator, elsewhere, wang, version=wang.version, occupation="司机")


def test_a_party_not_in_the_case_is_404_and_a_hidden_case_too(
    client, db, station, case, wang, mediator, outsider
):
    other = make_case(station, mediator)
    db.session.commit()
    login(client, mediator)
    assert client.get(edit_url(other, wang)).status_code == 404
    login(client, outsider)
    assert client.get(edit_url(case, wang)).status_code == 404


def test_a_party_can_become_an_organisation_with_a_checked_credit_code(client, db, station, mediator):
    case = make_case(
        station,
        mediator,
        parties=[PartyInput(role="applicant", name="王芳"), PartyInput(role="respondent", name="顺达物业")],
    )
    db.session.commit()
    firm = case.party_links[1].party
    login(client, mediator)
    bad = client.post(
        edit_url(case, firm),
        data=edit_data(
            firm, kind="organisation", credit_code="91350100M000100Y44", legal_representative="张总"
        ),
    )
    assert bad.status_code == 422 and 'id="credit_code-error"' in bad.get_data(as_text=True)
    good = client.post(
        edit_url(case, firm),
        data=edit_data(
            firm,
            kind="organisation",
            credit_code="91350100m000100y43",
            legal_representative="张总",
            sex="male",
        ),
    )
    assert good.status_code == 302
    db.session.expire_all()
    firm = db.session.get(Party, firm.id)
    # An organisation keeps no sex (nor birth date, ethnicity or ID number).
    assert (firm.kind, firm.credit_code, firm.legal_representative, firm.sex) == (
        "organisation",
        "91350100M000100Y43",
        "张总",
        "",
    )


def test_the_printed_agreement_carries_the_corrected_particulars(client, db, station, mediator):
    case = make_case(
        station,
        mediator,
        parties=[
            PartyInput(role="applicant", name="王芳", id_number=ID_NUMBER, address="福利路3-502"),
            PartyInput(role="respondent", name="顺达物业", kind="organisation"),
        ],
    )
    wang, firm = (link.party for link in case.party_links)
    update_party(mediator, case, wang, version=wang.version, ethnicity="回族", occupation="教师")
    update_party(
        mediator,
        case,
        firm,
        version=firm.version,
        legal_representative="张总",
        credit_code="91350100M000100Y43",
    )
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator)
    db.session.commit()
    login(client, mediator)
    html = client.get(f"/cases/{case.number}/agreement/print").get_data(as_text=True)
    doc = html[html.index('class="agreement-doc"') :]
    for shown in (
        "Male",
        "January 3, 1980",
        "回族",
        "教师",
        ID_NUMBER,
        "福利路3-502",
        "张总",
        "91350100M000100Y43",
    ):
        assert shown in doc, shown
    assert "Legal representative" in doc and "Unified social credit code" in doc


# --- Finding a case by a phone --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [PHONE, "138 1234 5678", "+86 138-1234-5678", "(138)12345678"])
def test_the_case_list_finds_a_case_by_a_partys_phone_typed_any_way(
    client, db, station, mediator, wang, typed
):
    make_case(station, mediator, title="Another dispute")
    db.session.commit()
    login(client, mediator)
    html = client.get("/cases", query_string={"q": typed}).get_data(as_text=True)
    assert "楼上漏水 Water leak" in html and "Another dispute" not in html


def test_a_part_of_a_phone_finds_no_case(client, db, mediator, wang):
    login(client, mediator)
    assert "楼上漏水 Water leak" not in client.get("/cases?q=1381234").get_data(as_text=True)


def test_the_phone_search_uses_the_phone_index(db, wang):
    query = case_query(wang_cases(db, wang)[0].mediator, CaseFilters(q="138 1234 5678"))
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a table this small would be scanned
        plan = db.session.execute(text(f"EXPLAIN {sql}")).scalars().all()
    else:
        plan = [str(row) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    assert any("ix_party_phone" in line for line in plan), plan


# --- The data migrations --------------------------------------------------------------------------------


def revision_before_the_party_migrations() -> str:
    """The revision the party migrations start from (wherever they are chained)."""
    path = next((Path(__file__).parent.parent / "migrations/versions").glob("*_98645c9f5efc_*.py"))
    spec = importlib.util.spec_from_file_location("party_phones", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


def test_the_migrations_normalise_stored_phones_and_turn_years_of_birth_into_dates(tmp_path):
    before = revision_before_the_party_migrations()
    with throwaway_database("mediation_party_migration", tmp_path) as url:

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            UPLOAD_FOLDER = str(tmp_path / "uploads")

        app = create_app(Config)
        with app.app_context():
            upgrade(revision=before)
            with _db.engine.begin() as conn:
                for name, phone, id_number, year in [
                    ("王芳", "+86 138-1234-5678", ID_NUMBER, 1980),
                    ("李强", "0931 8123456", "", 1975),
                    ("张伟", "13800000002", "", None),
                ]:
                    conn.execute(
                        text(
                            "INSERT INTO party (kind, name, phone, id_number, address, sex, birth_year,"
                            " ethnicity, occupation) VALUES ('person', :n, :p, :i, '', '', :y, '', '')"
                        ),
                        {"n": name, "p": phone, "i": id_number, "y": year},
                    )
            upgrade()
            with _db.engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT name, phone, birth_date, version FROM party ORDER BY id")
                ).all()
            assert [(r[0], r[1], str(r[2]) if r[2] else None, r[3]) for r in rows] == [
                ("王芳", "13812345678", "1980-01-03", 1),
                ("李强", "09318123456", None, 1),  # a year alone is not a date
                ("张伟", "13800000002", None, 1),
            ]
            downgrade(revision=before)
            with _db.engine.connect() as conn:
                years = conn.execute(text("SELECT birth_year FROM party ORDER BY id")).scalars().all()
            assert years == [1980, None, None]
            _db.engine.dispose()
