"""A liaison sends a dispute to a station from their workspace (公安移交, a court's 委派 or 委托): the form,
each refusal beside its field, the files sent with it, and how it arrives at the station."""

import io
import re

import pytest
from sqlalchemy import func, select

from mediation import linkage
from mediation.models import Attachment, Case, Deadline, Referral
from tests.conftest import fire, login, make_agency, make_station, make_user

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def dispute(**override):
    """What the page posts: a police hand-over of a neighbour dispute, an applicant and a respondent."""
    data = {
        "station": "XLG",
        "kind": "police_handover",
        "agency_case_number": "西公(治)受字〔2026〕118号",
        "category": "neighbour",
        "title": "邻里噪音 Noise at night",
        "facts": "楼上夜间噪音，双方在楼道发生口角。",
        "place": "西固区福利路 3 号楼",
        "risk_level": "medium",
        "reason": "民间纠纷，适宜调解。",
        "parties-0-role": "applicant",
        "parties-0-name": "刘建华",
        "parties-0-phone": "13800000011",
        "parties-1-role": "respondent",
        "parties-1-name": "赵敏",
        "parties-1-phone": "13800000012",
        "parties-2-role": "third_party",
        "parties-2-name": "",
    }
    data.update(override)
    return data


def cases(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def error_of(html: str, field_id: str) -> str:
    found = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return found[1] if found else ""


def test_a_police_liaison_sends_a_dispute_with_a_photo(client, db, station, mediator, police, police_liaison):
    db.session.commit()
    login(client, police_liaison)
    page = client.get("/disputes/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="parties-0-name"' in page
    assert '<option selected value="police_handover">' in page  # the police send one kind
    response = client.post(
        "/disputes/new",
        data={**dispute(), "file": [(io.BytesIO(PNG), "楼道.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert response.headers["Location"].endswith(f"/cases/{case.number}")
    assert (case.state, case.channel, case.title, case.risk_level) == (
        "registered",
        "police",
        "邻里噪音 Noise at night",
        "medium",
    )
    referral = case.inbound_referral
    assert (referral.agency, referral.kind, referral.agency_case_number, referral.reason) == (
        police,
        "police_handover",
        "西公(治)受字〔2026〕118号",
        "民间纠纷，适宜调解。",
    )
    assert [p.name for p in case.parties] == ["刘建华", "赵敏"]
    attachment = db.session.scalars(select(Attachment)).one()
    assert (attachment.filename, attachment.uploaded_by_id) == ("楼道.png", police_liaison.id)
    # Their own page of it: what they sent, the station's answer to come, the file, more files allowed.
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    own = html[html.index('id="inbound"') : html.index('<div class="row g-4">')]
    assert "Your agency sent this dispute" in own and "Waiting for the station" in own
    assert "楼道.png" in html and 'id="attachment-form"' in html


def test_it_arrives_in_the_stations_intake_queue_saying_who_sent_it(
    client, db, station, mediator, police, police_liaison
):
    db.session.commit()
    login(client, police_liaison)
    assert client.post("/disputes/new", data=dispute()).status_code == 302
    case = db.session.scalars(select(Case)).one()
    client.post("/logout")
    login(client, mediator)
    home = client.get("/").get_data(as_text=True)
    assert re.findall(r"data-count>(\d+)<", home)[2] == "1"  # waiting to be accepted
    queue = client.get("/cases?state=registered").get_data(as_text=True)
    row = queue[queue.index(f'data-case="{case.number}"') :].split("</tr>")[0]
    assert (
        "Sent by 西固派出所: Handed over by the police (公安移交)" in row
        and "西公(治)受字〔2026〕118号" in row
    )
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    header = html[html.index("<header") : html.index("</header>")]
    assert "Sent by 西固派出所: Handed over by the police (公安移交)" in header
    assert 'id="inbound"' in html and 'data-step="accept"' in html and 'data-step="decline"' in html


@pytest.mark.parametrize(
    ("persona", "override", "field", "message"),
    [
        (
            "court_liaison",
            {"kind": "court_delegated", "agency_case_number": ""},
            "agency_case_number",
            "案号",
        ),
        ("police_liaison", {"kind": "court_entrusted"}, "kind", "kinds of dispute your agency sends"),
        ("police_liaison", {"station": "DHJ"}, "station", "Choose a station."),
        ("police_liaison", {"title": ""}, "title", "short title"),
        ("police_liaison", {"category": ""}, "category", "Choose a category."),
        ("police_liaison", {"parties-1-phone": "12345"}, "parties-1-phone", "mobile number"),
        ("police_liaison", {"agency_case_number": "号" * 65}, "agency_case_number", "64"),
    ],
)
def test_a_wrong_dispute_comes_back_with_the_message_beside_its_field(
    client, db, station, other_station, police, court, people, persona, override, field, message
):
    db.session.commit()
    login(client, people[persona])
    response = client.post("/disputes/new", data=dispute(**override))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_of(html, field), html[html.find('class="alert') :][:300]
    assert cases(db) == 0
    assert 'value="邻里噪音 Noise at night"' in html or override.get("title") == ""  # kept as typed


def test_without_an_applicant_the_parties_say_so(client, db, station, police, police_liaison):
    db.session.commit()
    login(client, police_liaison)
    response = client.post("/disputes/new", data=dispute(**{"parties-0-role": "respondent"}))
    assert response.status_code == 422
    assert "Name at least one applicant." in response.get_data(as_text=True)
    assert cases(db) == 0


def test_a_file_of_the_wrong_type_sends_nothing(client, db, station, police, police_liaison):
    db.session.commit()
    login(client, police_liaison)
    response = client.post(
        "/disputes/new",
        data={**dispute(), "file": [(io.BytesIO(b"MZ"), "virus.exe")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "cannot be attached" in error_of(response.get_data(as_text=True), "file")
    assert cases(db) == 0 and db.session.scalar(select(func.count()).select_from(Attachment)) == 0


@pytest.mark.parametrize("persona", ["mediator", "supervisor", "admin"])
def test_only_a_liaison_sends_disputes(client, db, station, police, people, persona):
    db.session.commit()
    login(client, people[persona])
    assert client.get("/disputes/new").status_code == 403
    assert client.post("/disputes/new", data=dispute()).status_code == 403
    assert cases(db) == 0


def test_a_liaison_of_an_agency_serving_no_station_cannot_send(client, db, people):
    lonely = make_user("lonely", "liaison", agency=make_agency("NOPS", "无辖区派出所", stations=[]))
    db.session.commit()
    login(client, lonely)
    assert client.get("/disputes/new").status_code == 403


def test_the_form_offers_only_the_stations_the_agency_serves_and_the_kinds_it_sends(
    client, db, station, court, court_liaison
):
    make_station("DHJ", "东海街解纷驿站")  # not the court's
    db.session.commit()
    login(client, court_liaison)
    html = client.get("/disputes/new").get_data(as_text=True)
    stations = re.findall(
        r'<option[^>]*value="([A-Z]+)"', html.split('name="station"')[1].split("</select>")[0]
    )
    assert stations == ["XLG"]
    kinds = re.findall(r'value="(\w*)"', html.split('name="kind"')[1].split("</select>")[0])
    assert kinds == ["", "court_delegated", "court_entrusted", "court_entrusted_summary"]


def test_the_liaison_adds_files_until_the_station_answers(
    client, db, station, mediator, police, police_liaison
):
    db.session.commit()
    login(client, police_liaison)
    client.post("/disputes/new", data=dispute())
    case = db.session.scalars(select(Case)).one()
    upload = {"file": (io.BytesIO(PNG), "现场.png"), "description": "现场照片"}
    response = client.post(
        f"/cases/{case.number}/attachments", data=upload, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    fire(case, "accept", mediator)
    db.session.commit()
    again = {"file": (io.BytesIO(PNG + b"2"), "又一张.png")}
    response = client.post(
        f"/cases/{case.number}/attachments", data=again, content_type="multipart/form-data"
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_every_kind_of_referral_fits_the_columns_that_keep_it():
    """SQLite stores a code longer than its column; PostgreSQL refuses the dispute (委托's summary procedure
    did, at 23 characters in 20)."""
    longest = max(len(code) for code in linkage.KINDS)
    assert longest <= Referral.__table__.c.kind.type.length
    assert longest <= Deadline.__table__.c.variant.type.length  # a court's period is keyed by the kind
