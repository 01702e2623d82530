"""The audit log: every change outside a case's trail, who made it and from where; append-only; read by
admins and by supervisors for their stations."""

import getpass
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mediation.clock import local_date, utcnow
from mediation.models import AuditEntry
from mediation.services import audit
from mediation.services.station_log import VisitorInput, log_visitor, week_start
from tests.conftest import BACKEND, login, make_case, make_station, make_user


def entries(db, **where):
    return db.session.scalars(select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)).all()


def next_monday():
    return week_start(local_date(utcnow())) + timedelta(days=7)


def test_a_roster_change_records_who_what_and_from_where(client, db, station, mediator, colleague):
    db.session.commit()
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"  # the session is bound to the address it signed in from
    login(client, mediator)
    monday = next_monday()
    client.post(
        f"/station/XLG/roster?week={monday}",
        data={"week": monday.isoformat(), "duty": [f"{monday}:{colleague.id}"]},
    )
    (entry,) = entries(db, action="set_roster")
    assert (entry.actor_id, entry.realm, entry.station_id, entry.address) == (
        mediator.id,
        "station",
        station.id,
        "10.1.2.3",
    )
    assert entry.new == {"on_duty": [f"{monday.isoformat()} zhao"]} and entry.old == {"off_duty": []}


def test_a_visitor_written_into_the_log_is_audited_without_their_particulars(db, station, mediator):
    log_visitor(
        mediator, station, VisitorInput(visitor_name="刘大爷", visitor_phone="13900001111", matter="噪音")
    )
    (entry,) = entries(db, action="log_visitor")
    assert entry.station_id == station.id and entry.realm == "station"
    assert "13900001111" not in str(entry.new) and "刘大爷" not in str(entry.new)


def test_the_command_line_records_what_it_creates(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["mediation", "create-station", "XLG", "西固解纷驿站"])
    runner.invoke(args=["mediation", "create-user", "wang", "--role", "mediator", "--station", "XLG",
                        "--password", "long enough 1"])  # fmt: skip
    station_entry, user_entry = entries(db)
    assert (station_entry.action, station_entry.actor_id) == ("create_station", None)
    assert station_entry.address == f"cli:{getpass.getuser()}"
    assert user_entry.realm == "account" and user_entry.new["role"] == "mediator"
    assert "password" not in str(user_entry.new)


@pytest.mark.postgres
@pytest.mark.skipif(BACKEND != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize("table", ["audit_log", "event"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET action = 'forged'", "DELETE FROM {table}"])
def test_postgresql_refuses_to_change_or_delete_the_trail(db, station, mediator, table, statement):
    make_case(station, mediator)
    audit.record(mediator, "system", "test")
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement.format(table=f'"{table}"')))
    db.session.rollback()
    assert db.session.scalar(text(f"SELECT count(*) FROM \"{table}\" WHERE action = 'forged'")) == 0


@pytest.fixture
def logged(db, station, other_station, mediator, outsider, supervisor):
    """One entry at each station, and a sign-in-like entry by each station's mediator."""
    audit.record(mediator, "station", "set_roster", target="station:XLG", station=station)
    audit.record(outsider, "station", "set_roster", target="station:DHJ", station=other_station)
    audit.record(mediator, "account", "sign_in", target="user:wang")
    audit.record(outsider, "account", "sign_in", target="user:chen")
    db.session.commit()


def shown(client, query=""):
    page = client.get("/audit" + query).get_data(as_text=True)
    return {target for target in ("station:XLG", "station:DHJ", "user:wang", "user:chen") if target in page}


def test_a_supervisor_reads_what_concerns_their_stations_only(client, db, logged, supervisor):
    login(client, supervisor)
    assert shown(client) == {"station:XLG", "user:wang"}


def test_an_admin_reads_everything_and_filters_it(client, db, logged, admin):
    login(client, admin)
    assert shown(client) == {"station:XLG", "station:DHJ", "user:wang", "user:chen"}
    assert shown(client, "?realm=account") == {"user:wang", "user:chen"}
    assert shown(client, "?actor=chen") == {"station:DHJ", "user:chen"}
    today = local_date(utcnow())
    assert shown(client, f"?since={today}&until={today}") == shown(client)
    assert shown(client, f"?until={today - timedelta(days=1)}") == set()
    # Filters it does not understand are ignored, never an error.
    assert client.get("/audit?since=garbage&realm=nope&before=x").status_code == 200


@pytest.mark.parametrize("who", ["mediator", "police_liaison"])
def test_nobody_else_finds_the_audit_log(client, db, people, who):
    db.session.commit()
    login(client, people[who])
    assert client.get("/audit").status_code == 404


def test_older_entries_are_a_page_away(client, db, station, admin):
    for i in range(55):
        audit.record(admin, "system", "test", target=f"n:{i:02d}", now=utcnow() - timedelta(minutes=i))
    db.session.commit()
    login(client, admin)
    first = client.get("/audit?realm=system").get_data(as_text=True)  # not the sign-in itself
    assert "n:00" in first and "n:49" in first and "n:50" not in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "n:50" in second and "n:54" in second and "n:49" not in second


def test_another_supervisor_elsewhere_sees_nothing_of_ours(client, db, logged):
    elsewhere = make_user("far", "supervisor", [make_station("ZZZ", "远方驿站")])
    db.session.commit()
    login(client, elsewhere)
    assert shown(client) == set()


def test_the_audit_page_reads_as_words_in_chinese(client, db, station, mediator, admin):
    """Keys and coded values are shown as words: which fields were shown in full, and where."""
    case = make_case(station, mediator)
    audit.record(mediator, "party", "view_personal_data", target="party:1", case=case,
                 new={"fields": ["phone", "address"], "output": "case_page"})  # fmt: skip
    db.session.commit()
    login(client, admin)
    client.post("/language/zh_Hans_CN")
    row = (
        client.get("/audit?realm=party").get_data(as_text=True).split('data-audit="', 2)[1].split("</tr>")[0]
    )
    assert "完整显示的信息" in row and "电话和住址" in row and "查看位置" in row and "案件页面" in row
    assert not re.search(r"case_page|fields|output|phone", row)
