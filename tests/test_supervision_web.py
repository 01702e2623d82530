"""Supervision (督办) on the pages: the supervisor's form, the mediator's answer, the supervisor ending it;
the mark in every list; refusals re-render with what was typed."""

from datetime import timedelta

import pytest

from mediation.clock import local_date, utcnow
from tests.conftest import fire, login, make_case, make_user


@pytest.fixture
def stuck(db, station, mediator):
    case = make_case(station, mediator, title="楼道堆物纠纷")
    fire(case, "accept", mediator)
    db.session.commit()
    return case


def in_days(n):
    return (local_date(utcnow()) + timedelta(days=n)).isoformat()


def supervise(client, case, **data):
    data = {
        "version": case.version,
        "urgency": "urgent",
        "due_on": in_days(3),
        "request": "请一周内推进",
        **data,
    }
    return client.post(f"/cases/{case.number}/supervision/supervise", data=data)


def page(client, case):
    return client.get(f"/cases/{case.number}").get_data(as_text=True)


def test_a_supervisor_supervises_and_the_mediator_answers(client, db, stuck, supervisor, mediator):
    login(client, supervisor)
    assert 'id="supervise-form"' in page(client, stuck)
    response = supervise(client, stuck)
    assert response.status_code == 302 and response.location.endswith("#supervision")
    html = page(client, stuck)
    assert 'data-supervision="urgent"' in html and "请一周内推进" in html
    assert 'id="end-supervision-form"' in html and 'id="supervision-answer-form"' not in html
    client.post("/logout")

    login(client, mediator)
    db.session.expire_all()
    html = page(client, stuck)
    assert 'id="supervision-answer-form"' in html and 'id="end-supervision-form"' not in html
    response = client.post(
        f"/cases/{stuck.number}/supervision/supervision-answer",
        data={"version": stuck.version, "text": "已约双方周五调解"},
    )
    assert response.status_code == 302
    html = page(client, stuck)
    assert "已约双方周五调解" in html and 'data-due="met"' in html
    # A mediator cannot end it.
    db.session.expire_all()
    response = client.post(
        f"/cases/{stuck.number}/supervision/end-supervision", data={"version": stuck.version}
    )
    assert response.status_code == 403
    client.post("/logout")

    login(client, supervisor)
    db.session.expire_all()
    response = client.post(
        f"/cases/{stuck.number}/supervision/end-supervision",
        data={"version": stuck.version, "conclusion": "已推进"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert stuck.supervision is None and stuck.supervision_urgency is None
    html = page(client, stuck)
    assert "Ended the supervision" in html and 'id="supervise-form"' in html


def test_refusals_re_render_with_field_errors(client, db, stuck, supervisor):
    login(client, supervisor)
    response = supervise(client, stuck, due_on=in_days(-1), request="  ", urgency="panic")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("invalid-feedback") >= 3 and 'id="supervise-form"' in html
    response = supervise(client, stuck, version=stuck.version - 1)
    assert response.status_code == 409
    db.session.expire_all()
    assert stuck.supervisions == []
    assert client.post(f"/cases/{stuck.number}/supervision/nonsense", data={}).status_code == 404


def test_a_supervisor_of_other_stations_cannot_see_or_supervise(client, db, stuck, other_station):
    elsewhere = make_user("far_boss", "supervisor", [other_station])
    db.session.commit()
    login(client, elsewhere)
    assert client.get(f"/cases/{stuck.number}").status_code == 404
    assert supervise(client, stuck).status_code == 404
    db.session.expire_all()
    assert stuck.supervisions == []


def test_a_mediator_has_no_supervise_form_and_is_refused(client, db, stuck, mediator):
    login(client, mediator)
    assert 'id="supervise-form"' not in page(client, stuck)
    assert supervise(client, stuck).status_code == 403


def test_a_supervised_case_is_marked_in_every_list(client, db, stuck, supervisor, mediator, station):
    other = make_case(station, mediator, title="未督办的案件")
    db.session.commit()
    login(client, supervisor)
    supervise(client, stuck, urgency="key")
    # A supervisor's home is the oversight dashboard: it leads to the cases under supervision now.
    assert 'href="/cases?supervised=1&amp;sort=due"' in client.get("/").get_data(as_text=True)
    for url in ("/cases?supervised=1&sort=due", "/cases", "/cases?state=open", f"/cases?q={stuck.title}"):
        html = client.get(url).get_data(as_text=True)
        row = html.split(f'data-case="{stuck.number}"', 1)[1].split("</tr>", 1)[0]
        assert 'data-supervised="key"' in row, url
        other_row = (
            html.split(f'data-case="{other.number}"', 1)[1].split("</tr>", 1)[0]
            if other.number in html
            else ""
        )
        assert "data-supervised" not in other_row
    assert 'data-supervised="key"' in page(client, stuck)
    html = client.get("/cases?supervised=1").get_data(as_text=True)
    assert stuck.number in html and other.number not in html


def test_the_mediator_sees_supervised_cases_first_at_home(client, db, stuck, supervisor, mediator, station):
    make_case(station, mediator, title="较早的普通案件")
    db.session.commit()
    login(client, supervisor)
    supervise(client, stuck)
    client.post("/logout")
    login(client, mediator)
    html = client.get("/").get_data(as_text=True)
    section = html.split('id="home-supervised"', 1)[1].split("</section>", 1)[0]
    assert stuck.number in section and "请一周内推进" in section


def test_it_reads_in_chinese(client, db, stuck, supervisor):
    supervisor.locale = "zh_Hans_CN"
    db.session.commit()
    login(client, supervisor)
    supervise(client, stuck)
    html = page(client, stuck)
    assert "督办中：紧急" in html and "将案件列入督办" in html
