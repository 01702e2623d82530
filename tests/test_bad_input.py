"""No input ever ends in a 500: garbage in every query string and form the mediator's pages take."""

import pytest

from tests.conftest import fire, login, make_case

GARBAGE = [
    "",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "%00",
    "'; DROP TABLE case; --",
    "🙂" * 300,
    "2026-13-45",
    "<script>alert(1)</script>",
    "\\",
    "1e309",
]


@pytest.fixture
def case(db, station, mediator, police):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    db.session.commit()
    return case


def test_garbage_in_query_strings_never_fails(client, case, mediator):
    login(client, mediator)
    for value in GARBAGE:
        for url in (
            f"/cases?state={value}&category={value}&channel={value}&station={value}&mine={value}"
            f"&overdue={value}&q={value}&sort={value}&page={value}",
            f"/parties/search?q={value}",
            f"/station/XLG/visits?page={value}",
            f"/station/XLG/roster?week={value}",
            f"/cases/new?station={value}&visit={value}",
        ):
            assert client.get(url).status_code < 500, url


def test_garbage_in_every_step_form_never_fails(client, db, case, mediator):
    login(client, mediator)
    for trigger in ("refer", "reach_agreement", "fail_mediation", "withdraw", "extend", "reassign", "nope"):
        for value in GARBAGE:
            data = dict.fromkeys(
                (
                    "version",
                    "agency",
                    "reason",
                    "terms",
                    "performance_deadline",
                    "signatures_recorded",
                    "advice",
                    "mediator",
                    "consent_recorded",
                ),
                value,
            )
            response = client.post(f"/cases/{case.number}/steps/{trigger}", data=data)
            assert response.status_code < 500, (trigger, value)
            db.session.rollback()


def test_garbage_in_the_other_forms_never_fails(client, db, case, mediator):
    login(client, mediator)
    for value in GARBAGE:
        posts = {
            f"/cases/{case.number}/sessions": {
                "held_at": value,
                "notes": value,
                "result": value,
                "rights_notified": value,
            },
            f"/cases/{case.number}/agreement": {"version": value, "jc_applied_on": value},
            "/cases/new": {
                "station": value,
                "title": value,
                "category": value,
                "channel": value,
                "amount": value,
                "risk_level": value,
                "mediator": value,
                "parties-0-role": value,
                "parties-0-name": value,
                "parties-0-phone": value,
                "parties-0-party_id": value,
                "parties-0-id_number": value,
            },
            "/station/XLG/visits": {"visited_at": value, "visitor_name": value, "matter": value},
            "/station/XLG/roster": {"week": value, "duty": value},
            "/login": {"username": value, "password": value},
        }
        for url, data in posts.items():
            assert client.post(url, data=data).status_code < 500, (url, value)
            db.session.rollback()
        login(client, mediator)


@pytest.mark.parametrize(
    "url",
    [
        "/parties/99999999999999999999",
        "/parties/0",
        "/parties/-1",
        "/cases/XLG-2026-0001/attachments/99999999999999999999",
    ],
)
def test_ids_out_of_range_are_not_found(client, case, mediator, url):
    login(client, mediator)
    assert client.get(url).status_code == 404


def test_a_nul_character_is_refused_as_a_bad_request_on_every_database(client, case, mediator):
    login(client, mediator)
    assert client.get("/cases?q=a%00b").status_code == 400
    response = client.post("/station/XLG/visits", data={"visitor_name": "王\x00芳", "matter": "x"})
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)
