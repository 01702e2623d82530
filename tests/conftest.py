"""Fixtures, personas and builders.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_BACKEND=postgresql`` (``make test`` does
both when the server answers): each run gets a throwaway database, built by the real migrations.

Dates come from ``mediation.clock`` (``local_date(utcnow())`` is the station's today, in China time), never
from the machine's zone; tests/test_clock_discipline.py enforces it. To run the suite at another moment, set
``TEST_CLOCK``: ``TEST_CLOCK=16:30`` is 16:30 UTC of today's UTC date (00:30 tomorrow in China), and a full
ISO datetime (``2026-12-31T15:59:30``, UTC unless it carries an offset) is that moment. From before
collection to the end of the session, time-machine moves every clock of the process there and lets it tick
on (``tick=True``), so the live server's thread in the browser tests lives at the same moment; monotonic
clocks, the browser and the database servers keep the real time. ``make test`` runs SQLite at 15:30 and
PostgreSQL at 16:30 UTC with ``TZ=UTC``: both sides of China's midnight, with a machine whose date differs
from China's in the second run, so a date taken from the machine's zone fails there.
"""

import os
import re
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from functools import partial
from html import unescape
from pathlib import Path

import psycopg
import pytest
import time_machine
from babel.dates import format_date as babel_format_date
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text
from werkzeug.security import generate_password_hash

from mediation import create_app, linkage
from mediation.clock import local_date, utcnow
from mediation.config import TestConfig
from mediation.extensions import db as _db
from mediation.models import (
    Agency,
    Agreement,
    CalendarDay,
    CalendarYear,
    Case,
    Event,
    FollowUpVisit,
    Notification,
    Referral,
    Station,
    User,
)
from mediation.services import calendar, deferred
from mediation.services.cases import CaseInput, Inbound, register_case
from mediation.services.parties import PartyInput
from mediation.services.transitions import apply_step

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("TEST_BACKEND", "sqlite")
#: Tables no code may UPDATE or DELETE (a PostgreSQL trigger refuses it).
APPEND_ONLY = ("event", "audit_log")
#: Reference data the migrations seed; tests keep it (see ``db``).
SEEDED = ("calendar_day", "calendar_year")


# --- The clock ------------------------------------------------------------------------------------------

TRAVEL = pytest.StashKey[time_machine.travel]()


def travel_destination(value: str) -> datetime:
    """``TEST_CLOCK`` as an aware moment: ``HH:MM[:SS]`` on today's UTC date, or an ISO datetime (UTC if
    naive)."""
    try:
        wall = time.fromisoformat(value)
    except ValueError:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.combine(utcnow().date(), wall, tzinfo=wall.tzinfo or UTC)


def pytest_configure(config):
    if value := os.environ.get("TEST_CLOCK"):
        # A timestamp, not an aware datetime: time-machine would also set TZ from a datetime's zone, and the
        # machine's zone is the caller's to choose (``TZ=UTC`` in ``make test``).
        config.stash[TRAVEL] = time_machine.travel(travel_destination(value).timestamp(), tick=True)
        config.stash[TRAVEL].start()


def pytest_unconfigure(config):
    if TRAVEL in config.stash:
        config.stash[TRAVEL].stop()


def pytest_report_header(config):
    if TRAVEL in config.stash:
        moment = utcnow().isoformat(timespec="seconds")
        zone = os.environ.get("TZ", "unset")
        return f"clock: TEST_CLOCK={os.environ['TEST_CLOCK']}, travelled to {moment} (ticking); TZ={zone}"


# --- Databases ------------------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def throwaway_database(prefix: str, folder: Path):
    """A database URL for one use: a new PostgreSQL database (dropped afterwards), or a SQLite file."""
    if BACKEND == "postgresql":
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{folder / (prefix + '.sqlite')}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with throwaway_database("mediation_test", tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_FOLDER = str(tmp_path_factory.mktemp("uploads"))

    app = create_app(Config)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def seeded_calendar(app):
    """How many calendar rows the migrations seed: each test leaves the holiday calendar as it found it."""
    with app.app_context():
        return _calendar_rows()


def _calendar_rows():
    return tuple(_db.session.scalar(select(func.count()).select_from(m)) for m in (CalendarDay, CalendarYear))


@pytest.fixture
def db(app, seeded_calendar):
    """An app context with an empty database (but the seeded holiday calendar), emptied again afterwards
    (threads and live servers see it)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        if _calendar_rows() != seeded_calendar:  # a test changed the calendar: seed it afresh
            with _db.engine.begin() as conn:
                conn.execute(text('DELETE FROM "calendar_day"'))
                conn.execute(text('DELETE FROM "calendar_year"'))
            calendar.seed_from_package()  # its audit entry goes with the rest below
            _db.session.commit()
        purge()


def purge(keep=()) -> None:
    """Delete every row but the seeded reference data and the tables in ``keep``."""
    skip = {*APPEND_ONLY, *SEEDED, *keep}
    tables = [t.name for t in reversed(_db.metadata.sorted_tables) if t.name not in skip]
    with _db.engine.begin() as conn:
        # The append-only tables refuse DELETE on PostgreSQL (a trigger); TRUNCATE is the purge.
        if BACKEND == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in APPEND_ONLY)))
        else:
            for table in APPEND_ONLY:
                conn.execute(text(f'DELETE FROM "{table}"'))
        # DELETE, not TRUNCATE: on tables this small it is several times faster on PostgreSQL.
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Personas hash their passwords cheaply (the real scrypt hash costs ~0.1 s each); checking a password
    reads the method from the stored hash, so signing in works as in production."""
    monkeypatch.setattr(
        "mediation.models.user.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


@pytest.fixture
def client(app, db):
    return app.test_client()


# --- Builders ------------------------------------------------------------------------------------------


def make_station(code="XLG", name="西固解纷驿站"):
    station = Station(code=code, name=name, address="兰州市西固区", district="西固区")
    _db.session.add(station)
    _db.session.flush()
    return station


def make_agency(code="XGPS", name="西固派出所", kind="police", stations=()):
    agency = Agency(code=code, name=name, kind=kind, stations=list(stations))
    _db.session.add(agency)
    _db.session.flush()
    return agency


def make_user(username, role="mediator", stations=(), agency=None, password="correct horse 8"):
    user = User(username=username, role=role, display_name=username, stations=list(stations), agency=agency)
    user.set_password(password)
    _db.session.add(user)
    _db.session.flush()
    return user


def make_case(
    station,
    actor,
    *,
    title="楼上漏水 Water leak",
    category="neighbour",
    parties=None,
    now=None,
    inbound=None,
    **extra,
):
    """A dispute registered at ``station`` by ``actor``; ``inbound``, the referral an agency sent it with."""
    parties = parties or [
        PartyInput(role="applicant", name="王芳", phone="13800000001"),
        PartyInput(role="respondent", name="李强", phone="13800000002"),
    ]
    channel = linkage.KINDS[inbound.kind].channel if inbound else "walk_in"
    details = CaseInput(title=title, category=category, channel=channel, **extra)
    return register_case(actor, station, details, parties, inbound=inbound, now=now)


def delegated_by(court, kind="court_delegated", number="(2026)甘0104民诉前调1234号"):
    """What a court sends with a dispute it delegates (委派) or entrusts (委托) to a station."""
    return Inbound(
        agency=court, kind=kind, sent_at=utcnow(), agency_case_number=number, reason="诉前委派调解"
    )


#: Data each step needs, for builders that walk a case through its lifecycle.
def step_data(trigger, **override):
    data = {
        "decline": {"reason": "court_accepted"},
        "refer": {"agency": "XGPS", "reason": "Risk of violence"},
        "decline_referral": {"reason": "A civil matter"},
        "recall_referral": {"reason": "Parties came back"},
        "return_to_station": {"result": "Warned both sides"},
        "resolve_by_agency": {"result": "Settled at the police station"},
        "reach_agreement": {
            "terms": "李强 repairs the pipe and pays 800 yuan",
            "performance_deadline": (local_date(utcnow()) + timedelta(days=14)).isoformat(),
            "signatures_recorded": True,
        },
        "fail_mediation": {"reason": "No agreement", "advice": "You may sue at the district court"},
        "withdraw": {"reason": "Settled privately"},
        "report_breach": {"reason": "Not paid"},
        "reopen": {"reason": "Closed by mistake"},
        "mediate_again": {"reason": "法院裁定协议无效，双方同意重新调解"},
        "extend": {"consent_recorded": True, "reason": "Waiting for the repair quote"},
        "record_case_number": {"agency_case_number": "西公(治)受字〔2026〕118号"},
        "send_feedback": {"outcome": "failure", "feedback": "双方分歧较大，调解不成，建议依法审理。"},
    }.get(trigger, {})
    return {**data, **override}


def delivered():
    """Commit, as the request boundary does, and run what was deferred: the notifications are written now."""
    _db.session.commit()
    deferred.run_deferred()


def told(kind=None):
    """``{username: [data, …]}`` of every notification (of ``kind``), oldest first."""
    query = select(User.username, Notification.data).join(User, User.id == Notification.user_id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    out = {}
    for username, data in _db.session.execute(query.order_by(Notification.id)):
        out.setdefault(username, []).append(data)
    return out


def statements(client, path) -> int:
    """How many SQL statements the app issues to answer ``GET path`` (which must answer 200), starting
    afresh: nothing the test loaded counts as loaded, as in a real request."""
    _db.session.expire_all()
    count = [0]

    def counted(*args):
        count[0] += 1

    event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        response = client.get(path)
    finally:
        event.remove(_db.engine, "before_cursor_execute", counted)
    assert response.status_code == 200, (path, response.status_code)
    return count[0]


def with_panels(client, path, **kwargs) -> str:
    """The page at ``path`` with the form of each of its "What you can do" panels in the panel, as a reader
    who opens every panel has it (the page fetches a panel's form when it is opened: ``case_page.panel``)."""

    def opened(slot):
        response = client.get(unescape(slot.group(1)))
        assert response.status_code == 200, (slot.group(1), response.status_code)
        return response.get_data(as_text=True)

    html = client.get(path, **kwargs).get_data(as_text=True)
    return re.sub(r'<div data-panel-src="([^"]+)">.*?</div>', opened, html, flags=re.S)


def fire(case, trigger, actor, **override):
    return apply_step(case, trigger, actor, version=case.version, **step_data(trigger, **override))


# --- Personas --------------------------------------------------------------------------------------------


@pytest.fixture
def station(db):
    return make_station()


@pytest.fixture
def other_station(db):
    return make_station("DHJ", "东海街解纷驿站")


@pytest.fixture
def police(station):
    return make_agency(stations=[station])


@pytest.fixture
def court(station):
    return make_agency("XGFY", "西固区人民法院", "court", stations=[station])


@pytest.fixture
def mediator(station):
    return make_user("wang", "mediator", [station])


@pytest.fixture
def colleague(station):
    return make_user("zhao", "mediator", [station])


@pytest.fixture
def outsider(other_station):
    """A mediator at another station."""
    return make_user("chen", "mediator", [other_station])


@pytest.fixture
def police_liaison(police):
    return make_user("officer", "liaison", agency=police)


@pytest.fixture
def court_liaison(court):
    return make_user("clerk", "liaison", agency=court)


@pytest.fixture
def supervisor(station):
    return make_user("boss", "supervisor", [station])


@pytest.fixture
def admin(db):
    return make_user("root", "admin")


@pytest.fixture
def people(mediator, colleague, outsider, police_liaison, court_liaison, supervisor, admin):
    """Every persona, by name: for tests that ask the same question of each."""
    return {
        "mediator": mediator,
        "colleague": colleague,
        "outsider": outsider,
        "police_liaison": police_liaison,
        "court_liaison": court_liaison,
        "supervisor": supervisor,
        "admin": admin,
    }


def snapshot(case_id):
    """Everything a step may write: the case row, and its events, referrals, agreements and visits."""
    table = Case.__table__
    row = dict(_db.session.execute(select(table).where(table.c.id == case_id)).mappings().one())

    def rows(model):
        t = model.__table__
        return [
            tuple(r) for r in _db.session.execute(select(t).where(t.c.case_id == case_id).order_by(t.c.id))
        ]

    return {
        "case": row,
        "events": _db.session.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id)),
        "referrals": rows(Referral),
        "agreements": rows(Agreement),
        "visits": rows(FollowUpVisit),
    }


def written(day, locale="en") -> str:
    """A date as the interface writes it in ``locale``: Dec 8, 2026 / 2026年12月8日."""
    return babel_format_date(day, "medium", locale=locale)


def login(client, user, password="correct horse 8"):
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.data
    return response
