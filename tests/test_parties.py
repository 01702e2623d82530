"""A party's file (一人一档) and the type-ahead that finds people already on file."""

import pytest
from sqlalchemy import select

from mediation.models import Case, CaseParty, Party
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_case, make_user

PHONE = "13812345678"
ID_NUMBER = "62010219800101123X"


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


# --- The file -------------------------------------------------------------------------------------------


def test_a_mediator_at_the_persons_station_sees_their_full_details_and_cases(client, db, mediator, wang):
    login(client, mediator)
    status, page = page_of(client, wang)
    assert status == 200
    assert PHONE in page and ID_NUMBER in page and "3-502" in page
    assert "楼上漏水 Water leak" in page and 'data-role="applicant"' in page
    assert 'href="/cases/XLG-' in page


def test_a_supervisor_sees_the_file_masked(client, db, supervisor, wang):
    login(client, supervisor)
    status, page = page_of(client, wang)
    assert status == 200
    assert PHONE not in page and ID_NUMBER not in page and "3-502" not in page
    assert "138****5678" in page and "620***********123X" in page


def test_the_agency_a_case_is_with_sees_full_details(
    client, db, station, mediator, police, police_liaison, wang
):
    [case] = wang_cases(db, wang)
    fire(case, "refer", mediator)
    db.session.commit()
    login(client, police_liaison)
    status, page = page_of(client, wang)
    assert status == 200 and PHONE in page
    fire(case, "decline_referral", police_liaison)
    db.session.commit()
    # The referral was declined: the police still see the case (it was referred to them), but masked.
    status, page = page_of(client, wang)
    assert status == 200 and PHONE not in page and "138****5678" in page


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
    # The outsider's station has a case with her too: the outsider needs her details as well.
    assert PHONE in page


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


def test_the_type_ahead_finds_by_name_or_phone_with_masked_details_and_case_count(client, db, mediator, wang):
    login(client, mediator)
    by_name = search(client, "王")
    assert [r["name"] for r in by_name] == ["王芳"]
    result = by_name[0]
    assert result["id"] == wang.id and result["phone"] == "138****5678" and result["cases"] == 1
    assert result["id_number"] == "620***********123X"
    assert result["url"] == f"/parties/{wang.id}"
    assert [r["name"] for r in search(client, "1381234")] == ["王芳"]
    assert search(client, "") == []
    assert search(client, "nobody") == []


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
