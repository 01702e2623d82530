"""Personal data (PIPL, DOMAIN §9): one policy decides each field for every output, the pages obey it, and
every view of a full phone, ID number or address is in the audit log."""

import pytest
from sqlalchemy import select

from mediation import policy
from mediation.models import AuditEntry
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_case, make_user

PHONE, ID_NUMBER, ADDRESS = "13912345678", "62010219800103123X", "兰州市西固区福利路12号3单元502"
MASKED_PHONE, MASKED_ID = "139****5678", "620***********123X"

# --- The table ---------------------------------------------------------------------------------------------
#
# The rules, written out once more by hand: a letter per field, in this order, for each scope and output
# (F in full, M masked, H hidden).
FIELDS = ("name", "phone", "id_number", "address", "birth_date", "particulars", "legal_representative",
          "credit_code")  # fmt: skip
TABLE = {
    #               case_pag party_fi agreemen visit_pr party_fo
    #               timeline type_ahe intake_m api      export
    "station":      "FFFFFFFF FFFFFFFF FFFFFFFF FFHFHHFF FFFFFFFF "
                    "FMMMMFFF FMMHHHFM FMMMHHFM FFFFFFFF FFMFFFFF",
    "agency":       "FFFFFFFF FFFFFFFF FFFFFFFF FFHFHHFF FFFFFFFF "
                    "FMMMMFFF FMMHHHFM FMMMHHFM FFFFFFFF FFMFFFFF",
    "agency_ended": "FMMHMHFF FMMHMHFF FMMHMHFF FMHHHHFF FMMHMHFF "
                    "FMMHMHFF FMMHHHFM FMMHHHFM FMMHMHFF FMMHMHFF",
    "oversight":    "FMMHMHFF FMMHMHFF FMMHMHFF FMHHHHFF FMMHMHFF "
                    "FMMHMHFF FMMHHHFM FMMHHHFM FMMHMHFF FMMHMHFF",
    "admin":        "FMMHMHFF FMMHMHFF FMMHMHFF FMHHHHFF FMMHMHFF "
                    "FMMHMHFF FMMHHHFM FMMHHHFM FMMHMHFF FMMHMHFF",
    "outside":      "HHHHHHHH HHHHHHHH HHHHHHHH HHHHHHHH HHHHHHHH "
                    "HHHHHHHH HHHHHHHH MMMHHHHM HHHHHHHH HHHHHHHH",
}  # fmt: skip
OUTPUTS = ("case_page", "party_file", "agreement_print", "visit_print", "party_form", "timeline",
           "type_ahead", "intake_match", "api", "export")  # fmt: skip
LEVELS = {"F": policy.FULL, "M": policy.MASKED, "H": policy.HIDDEN}


def test_the_table_covers_every_scope_output_and_field():
    assert set(TABLE) == set(policy.SCOPES)
    assert OUTPUTS == policy.OUTPUTS and FIELDS == policy.PERSONAL_FIELDS


@pytest.mark.parametrize("scope", policy.SCOPES)
@pytest.mark.parametrize("output", policy.OUTPUTS)
@pytest.mark.parametrize("field", policy.PERSONAL_FIELDS)
def test_each_field_of_each_output_for_each_scope(scope, output, field):
    expected = LEVELS[TABLE[scope].split()[OUTPUTS.index(output)][FIELDS.index(field)]]
    assert policy.personal_levels(scope, output)[field] == expected


@pytest.mark.parametrize("output", policy.OUTPUTS)
def test_a_stronger_scope_never_sees_less(output):
    """``personal_data_across`` takes the strongest scope a party's cases give: it must see the most."""
    rank = {policy.HIDDEN: 0, policy.MASKED: 1, policy.FULL: 2}
    for stronger, weaker in zip(policy.SCOPES, policy.SCOPES[1:], strict=False):
        for field in policy.PERSONAL_FIELDS:
            strong = policy.personal_levels(stronger, output)[field]
            weak = policy.personal_levels(weaker, output)[field]
            assert rank[strong] >= rank[weak], (output, field, stronger, weaker)


def test_an_unknown_output_is_a_programming_error():
    with pytest.raises(ValueError):
        policy.personal_levels(policy.STATION, "fax")


@pytest.mark.parametrize(
    ("name", "value", "masked"),
    [
        ("name", "刘建华", "刘*华"),
        ("name", "王芳", "王*"),
        ("name", "欧阳娜娜", "欧**娜"),
        ("phone", "13912345678", "139****5678"),
        ("id_number", "62010219800103123X", "620***********123X"),
        ("address", "兰州市西固区福利路12号3单元502", "兰州市西固区****"),
        ("address", "3-502", "3****"),
        ("credit_code", "91350100M000100Y43", "913***********0Y43"),
    ],
)
def test_masked_values_tell_people_apart_without_reaching_them(name, value, masked):
    assert policy.mask(name, value) == masked


# --- Who stands where -----------------------------------------------------------------------------------


@pytest.fixture
def case(db, station, mediator):
    case = make_case(
        station,
        mediator,
        parties=[
            PartyInput(role="applicant", name="王芳", phone=PHONE, id_number=ID_NUMBER, address=ADDRESS),
            PartyInput(role="respondent", name="李强", phone="13800000002"),
        ],
    )
    case.party_links[0].party.occupation = "教师"
    db.session.commit()
    return case


@pytest.fixture
def wang(case):
    return case.party_links[0].party


def situation(name, db, case, people, police):
    """An actor in a named situation towards ``case`` (referring it as the situation needs)."""
    if name in ("agency", "agency_ended"):
        fire(case, "refer", people["mediator"])
        if name == "agency_ended":
            fire(case, "decline_referral", people["police_liaison"])
        db.session.commit()
        return people["police_liaison"]
    if name == "supervisor_elsewhere":
        return make_user("far", "supervisor", people["outsider"].stations)
    return people[name]


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("mediator", policy.STATION),
        ("colleague", policy.STATION),
        ("agency", policy.AGENCY),
        ("agency_ended", policy.AGENCY_ENDED),
        ("supervisor", policy.OVERSIGHT),
        ("admin", policy.ADMIN),
        ("outsider", policy.OUTSIDE),
        ("court_liaison", policy.OUTSIDE),
        ("supervisor_elsewhere", policy.OUTSIDE),
    ],
)
def test_each_role_in_each_situation_has_its_scope_and_sees_the_case_unless_outside(
    db, case, people, police, name, scope
):
    actor = situation(name, db, case, people, police)
    assert policy.data_scope(actor, case) == scope
    assert policy.can_view_case(actor, case) == (scope != policy.OUTSIDE)


def test_a_party_in_several_cases_is_seen_with_the_strongest_scope(db, case, wang, station, other_station):
    both = make_user("both", "supervisor", [station])
    elsewhere = make_case(
        other_station,
        make_user("east", "mediator", [other_station]),
        parties=[PartyInput(role="applicant", name="王芳", id_number=ID_NUMBER)],
    )
    serving_there = make_user("east2", "mediator", [other_station])
    view = policy.personal_data_across(serving_there, [case, elsewhere], "party_file")
    assert view.scope == policy.STATION and view.case is elsewhere
    assert policy.personal_data_across(both, [case, elsewhere], "party_file").scope == policy.OVERSIGHT
    assert policy.personal_data_across(both, [], "party_file").scope == policy.OUTSIDE


# --- The pages obey it ---------------------------------------------------------------------------------

VIEWERS = ["mediator", "colleague", "agency", "agency_ended", "supervisor", "admin"]


def expect_on_page(html, view, full_shown, numbers=("phone", "id_number")):
    """``html`` shows each of 王芳's personal values exactly as ``view`` allows: in full only where the
    view says full and the output shows full values (``full_shown``), else masked, else not at all."""
    for name, value, masked in (("phone", PHONE, MASKED_PHONE), ("id_number", ID_NUMBER, MASKED_ID)):
        if name not in numbers:
            assert value not in html and masked not in html, name
            continue
        level = view.levels[name]
        assert (value in html) == (level == policy.FULL and full_shown), (name, level)
        assert (masked in html) == (level == policy.MASKED or (level == policy.FULL and not full_shown))
    assert (ADDRESS in html) == (view.full("address") and full_shown)
    assert ("教师" in html) == view.shown("particulars")


@pytest.mark.parametrize("name", VIEWERS)
def test_the_case_page_shows_values_masked_with_show_for_those_who_may_see_them(
    client, db, case, people, police, name
):
    actor = situation(name, db, case, people, police)
    login(client, actor)
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    view = policy.personal_data(actor, case, "case_page")
    expect_on_page(html, view, full_shown=False)
    assert ("data-reveal" in html) == view.full("phone")


@pytest.mark.parametrize("name", ["mediator", "colleague", "supervisor", "admin"])
def test_the_printable_agreement_prints_what_the_policy_allows_and_nothing_more(
    client, db, case, people, police, name
):
    fire(case, "accept", people["mediator"])
    fire(case, "reach_agreement", people["mediator"])
    db.session.commit()
    actor = people[name]
    login(client, actor)
    html = client.get(f"/cases/{case.number}/agreement/print").get_data(as_text=True)
    view = policy.personal_data(actor, case, "agreement_print")
    expect_on_page(html, view, full_shown=True, numbers=("id_number",))


def test_the_printable_agreement_of_a_case_once_with_an_agency_is_masked_for_it(
    client, db, case, people, police
):
    fire(case, "refer", people["mediator"])
    fire(case, "decline_referral", people["police_liaison"])
    fire(case, "reach_agreement", people["mediator"])
    db.session.commit()
    login(client, people["police_liaison"])
    html = client.get(f"/cases/{case.number}/agreement/print").get_data(as_text=True)
    assert ADDRESS not in html and ID_NUMBER not in html and MASKED_ID in html
    assert "ID numbers are masked and addresses left out" in html


@pytest.mark.parametrize("name", VIEWERS)
def test_the_party_file_shows_values_masked_with_show_for_those_who_may_see_them(
    client, db, case, wang, people, police, name
):
    actor = situation(name, db, case, people, police)
    login(client, actor)
    html = client.get(f"/parties/{wang.id}").get_data(as_text=True)
    view = policy.personal_data_across(actor, [case], "party_file")
    expect_on_page(html, view, full_shown=False)
    assert ("data-reveal" in html) == view.full("phone")


def test_pages_with_personal_data_are_not_stored_by_browsers(client, db, case, wang, mediator):
    login(client, mediator)
    for url in (f"/parties/{wang.id}", f"/parties/{wang.id}/personal-data?case={case.number}"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


# --- Every view of full values is in the audit log -------------------------------------------------------


def views_logged(db):
    return db.session.scalars(
        select(AuditEntry).filter_by(action="view_personal_data").order_by(AuditEntry.id)
    ).all()


def test_show_reveals_the_full_values_and_logs_the_view(client, db, case, wang, mediator):
    login(client, mediator)
    client.get(f"/cases/{case.number}")
    assert views_logged(db) == []  # a page with masked values is not a view of them
    response = client.get(
        f"/parties/{wang.id}/personal-data?case={case.number}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json()["values"] == {"phone": PHONE, "id_number": ID_NUMBER, "address": ADDRESS}
    (entry,) = views_logged(db)
    assert (entry.actor_id, entry.realm, entry.target, entry.case_id) == (
        mediator.id,
        "party",
        f"party:{wang.id}",
        case.id,
    )
    assert entry.new == {"fields": ["phone", "id_number", "address"], "output": "case_page"}
    assert entry.station_id == case.station_id  # so the station's supervisors read it


def test_without_javascript_show_is_a_page_with_the_values(client, db, case, wang, mediator):
    login(client, mediator)
    html = client.get(f"/parties/{wang.id}/personal-data?case={case.number}").get_data(as_text=True)
    assert PHONE in html and ID_NUMBER in html and ADDRESS in html and "recorded in the audit log" in html
    assert len(views_logged(db)) == 1


def test_show_from_the_party_file_logs_the_case_that_gives_the_right(client, db, case, wang, mediator):
    login(client, mediator)
    response = client.get(f"/parties/{wang.id}/personal-data", headers={"Accept": "application/json"})
    assert response.get_json()["values"]["phone"] == PHONE
    (entry,) = views_logged(db)
    assert entry.case_id == case.id and entry.new["output"] == "party_file"


@pytest.mark.parametrize("name", ["supervisor", "admin", "agency_ended"])
def test_show_is_refused_to_those_who_may_see_masked_values_only(
    client, db, case, wang, people, police, name
):
    login(client, situation(name, db, case, people, police))
    response = client.get(
        f"/parties/{wang.id}/personal-data?case={case.number}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403 and PHONE not in response.get_data(as_text=True)
    assert views_logged(db) == []


def test_show_is_404_for_a_case_the_reader_cannot_see_or_a_party_not_in_it(
    client, db, case, wang, station, mediator, outsider
):
    other = make_case(station, mediator)
    db.session.commit()
    login(client, outsider)
    assert client.get(f"/parties/{wang.id}/personal-data?case={case.number}").status_code == 404
    login(client, mediator)
    assert client.get(f"/parties/{wang.id}/personal-data?case={other.number}").status_code == 404
    assert views_logged(db) == []


def test_each_print_logs_once_for_each_party_with_full_values(client, db, case, wang, mediator):
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator)
    db.session.commit()
    login(client, mediator)
    client.get(f"/cases/{case.number}/agreement/print")
    client.get(f"/cases/{case.number}/agreement/print")
    entries = views_logged(db)
    # 李强 has only a phone on file, which the agreement does not carry: nothing of his is shown.
    assert [(e.target, e.new) for e in entries] == [
        (f"party:{wang.id}", {"fields": ["id_number", "address"], "output": "agreement_print"})
    ] * 2


def test_a_print_with_masked_values_only_logs_nothing(client, db, case, mediator, supervisor):
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator)
    db.session.commit()
    login(client, supervisor)
    assert client.get(f"/cases/{case.number}/agreement/print").status_code == 200
    assert views_logged(db) == []


def test_opening_the_edit_form_is_a_view_of_full_values(client, db, case, wang, mediator):
    login(client, mediator)
    html = client.get(f"/cases/{case.number}/parties/{wang.id}").get_data(as_text=True)
    assert f'value="{PHONE}"' in html
    (entry,) = views_logged(db)
    assert entry.new["output"] == "party_form"


def test_the_type_ahead_logs_nothing_and_shows_masked_values(client, db, case, mediator):
    login(client, mediator)
    results = client.get("/parties/search?q=王芳").get_json()["results"]
    assert results[0]["phone"] == MASKED_PHONE and results[0]["id_number"] == MASKED_ID
    assert views_logged(db) == []


def test_the_audit_page_names_the_view(client, db, case, wang, mediator, supervisor):
    login(client, mediator)
    client.get(f"/parties/{wang.id}/personal-data?case={case.number}", headers={"Accept": "application/json"})
    login(client, supervisor)
    html = client.get("/audit").get_data(as_text=True)
    assert (
        "Was shown a party&#39;s full personal data" in html
        or "Was shown a party's full personal data" in html
    )
    assert PHONE not in html
