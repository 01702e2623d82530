"""The printable follow-up record (回访记录): every visit done, or one, for the station's mediators and
supervisors, in the reader's language, with the parties' phones and addresses as the policy allows."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.clock import local_date, utcnow
from mediation.models import AuditEntry
from mediation.services import followups
from mediation.services.parties import PartyInput
from tests.conftest import fire, login, make_case

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
ADDRESS = "兰州市西固区福利路12号3单元502"


@pytest.fixture
def visited(db, station, mediator):
    """An agreed case visited twice: by phone (partly performed, a lawsuit), then in person (performed)."""
    parties = [
        PartyInput(role="applicant", name="王芳", phone="13800000001", address=ADDRESS),
        PartyInput(role="respondent", name="李强", phone="13800000002"),
    ]
    earlier = utcnow() - timedelta(days=3)
    case = make_case(station, mediator, parties=parties, now=earlier)
    fire(case, "accept", mediator, now=earlier)
    fire(case, "reach_agreement", mediator, now=earlier)
    today = local_date(utcnow())
    followups.record_visit(
        mediator, case, done_on=today - timedelta(days=1), method="phone", party_reached="王芳",
        purpose="按期回访", performance="partly", satisfaction=3, lawsuit_filed=True,
        lawsuit_result="已起诉，尚未开庭", renewed_conflict=True, measures="督促李强履行", notes="电话回访",
    )  # fmt: skip
    followups.record_visit(
        mediator, case, done_on=today, method="in_person", party_reached="王芳、李强", performance="fully",
        satisfaction=5, measures="当面确认",
    )  # fmt: skip
    db.session.commit()
    return case


def record(client, case, query="", headers=None):
    return client.get(f"/cases/{case.number}/visits/print{query}", headers=headers or {})


def test_the_record_lists_every_visit_oldest_first_with_signature_lines(client, visited, mediator):
    login(client, mediator)
    response = record(client, visited)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    first, second = sorted((v for v in visited.visits if v.done_on), key=lambda v: v.done_on)
    assert html.index(f'data-visit="{first.id}"') < html.index(f'data-visit="{second.id}"')
    shown = ("Follow-up record", visited.number, visited.station.name, "王芳", "李强", "Phone", "In person",
             "Partly performed", "Performed in full", "已起诉，尚未开庭", "督促李强履行", "电话回访",
             "按期回访", "Visitor (signature):", "Person visited (signature or fingerprint):")  # fmt: skip
    for text in shown:
        assert text in html, text
    assert html.count("Visitor (signature):") == 2
    # A mediator sees the phones and the address in full, and that is in the audit log.
    assert "13800000001" in html and ADDRESS in html
    views = db_views()
    assert {tuple(v.new["fields"]) for v in views} == {("phone", "address"), ("phone",)}
    assert {v.new["output"] for v in views} == {"visit_print"}


def db_views():
    from mediation.extensions import db

    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_personal_data")).all()


def test_the_record_speaks_chinese(client, visited, mediator):
    login(client, mediator)
    html = record(client, visited, headers=ZH).get_data(as_text=True)
    for text in (
        "回访记录",
        "回访人（签名）：",
        "被回访人（签名或按指印）：",
        "部分履行",
        "已全部履行",
        "回访方式",
    ):
        assert text in html, text
    assert "Follow-up record" not in html


def test_one_visit_alone(client, visited, mediator):
    login(client, mediator)
    first = min((v for v in visited.visits if v.done_on), key=lambda v: v.done_on)
    html = record(client, visited, f"?visit={first.id}").get_data(as_text=True)
    assert f'data-visit="{first.id}"' in html and "当面确认" not in html
    assert html.count("Visitor (signature):") == 1
    for garbage in ("?visit=999999", "?visit=abc", "?visit="):
        assert record(client, visited, garbage).status_code == 404, garbage


def test_a_planned_visit_is_not_on_the_record_and_a_case_without_visits_has_none(
    client, db, station, mediator
):
    case = make_case(station, mediator)
    fire(case, "accept", mediator)
    fire(case, "reach_agreement", mediator)
    db.session.commit()
    login(client, mediator)
    (planned,) = followups.planned_visits(case)
    assert record(client, case).status_code == 404
    assert record(client, case, f"?visit={planned.id}").status_code == 404
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "/visits/print" not in html  # nothing to print yet


def test_the_case_page_links_the_record(client, visited, mediator, supervisor):
    for reader in (mediator, supervisor):
        login(client, reader)
        html = client.get(f"/cases/{visited.number}").get_data(as_text=True)
        assert f'href="/cases/{visited.number}/visits/print"' in html, reader.username
        assert "Print follow-up record" in html
        client.post("/logout")


def test_a_supervisor_prints_it_with_phones_masked_and_no_address(client, visited, supervisor):
    login(client, supervisor)
    html = record(client, visited).get_data(as_text=True)
    assert "138****0001" in html and "13800000001" not in html and ADDRESS not in html
    assert db_views() == []  # nothing shown in full, nothing logged


def test_only_the_station_reads_it(client, visited, outsider, police_liaison, admin):
    login(client, outsider)  # a mediator of another station does not see the case at all
    assert record(client, visited).status_code == 404
    client.post("/logout")
    login(client, admin)  # sees the case, does no case work
    assert record(client, visited).status_code == 403
    html = client.get(f"/cases/{visited.number}").get_data(as_text=True)
    assert "/visits/print" not in html
    client.post("/logout")
    login(client, police_liaison)  # the case was never with the police
    assert record(client, visited).status_code == 404
    assert db_views() == []
