"""Case numbers: ``{STATION}-{YEAR}-{SEQ:04d}``, gap-free per station and year (also concurrently)."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mediation.errors import Invalid
from mediation.extensions import db as _db
from mediation.models import Case, Station, User
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from tests.conftest import BACKEND, make_case, make_station, make_user


def register(station, actor, *, now=None, name="王芳"):
    return register_case(
        actor,
        station,
        CaseInput(title="欠薪 Unpaid wages", category="labour", channel="walk_in"),
        [PartyInput(role="applicant", name=name, phone="13800000001")],
        now=now,
    )


def numbers(station_id=None):
    query = select(Case.number).order_by(Case.id)
    if station_id is not None:
        query = query.where(Case.station_id == station_id)
    return list(_db.session.scalars(query))


def test_numbers_are_station_year_and_a_four_digit_sequence(db, station, mediator):
    now = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
    cases = [register(station, mediator, now=now) for _ in range(3)]
    assert [c.number for c in cases] == ["XLG-2026-0001", "XLG-2026-0002", "XLG-2026-0003"]
    assert [(c.year, c.seq) for c in cases] == [(2026, 1), (2026, 2), (2026, 3)]


def test_each_station_counts_on_its_own(db, station, other_station, mediator, outsider):
    now = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
    register(station, mediator, now=now)
    register(station, mediator, now=now)
    register(other_station, outsider, now=now)
    register(station, mediator, now=now)
    db.session.commit()
    assert numbers(station.id) == ["XLG-2026-0001", "XLG-2026-0002", "XLG-2026-0003"]
    assert numbers(other_station.id) == ["DHJ-2026-0001"]


def test_a_new_year_starts_over_by_the_stations_calendar(db, station, mediator):
    register(station, mediator, now=datetime(2026, 12, 31, 15, 59, tzinfo=UTC))  # 23:59 on 31 Dec in China
    register(station, mediator, now=datetime(2026, 12, 31, 15, 59, 30, tzinfo=UTC))
    first = register(station, mediator, now=datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # midnight in China
    register(station, mediator, now=datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    assert first.year == 2027
    assert numbers() == ["XLG-2026-0001", "XLG-2026-0002", "XLG-2027-0001", "XLG-2027-0002"]


def test_a_rolled_back_intake_gives_its_number_back(db, station, mediator):
    make_case(station, mediator)
    db.session.commit()
    abandoned = make_case(station, mediator)
    assert abandoned.number.endswith("-0002")
    db.session.rollback()
    again = make_case(station, mediator)
    db.session.commit()
    assert again.number.endswith("-0002")
    assert [n[-4:] for n in numbers()] == ["0001", "0002"]


def test_a_refused_intake_takes_no_number(db, station, mediator):
    db.session.commit()
    with pytest.raises(Invalid):
        make_case(station, mediator, title="")
    db.session.rollback()
    assert make_case(station, mediator).number.endswith("-0001")


# --- Concurrency ------------------------------------------------------------------------------------------

THREADS, PER_THREAD = 8, 5


def register_concurrently(app):
    """``THREADS`` threads, each in its own app context (so its own session and connection), register
    ``PER_THREAD`` cases at the same station, committing each; returns the numbers and any errors."""
    station = make_station("SYC", "顺义场驿站")
    actors = [make_user(f"m{i}", "mediator", [station]) for i in range(THREADS)]
    _db.session.commit()  # the threads must see the station and the mediators
    station_id, actor_ids = station.id, [a.id for a in actors]
    start = threading.Barrier(THREADS)
    got, errors = [], []

    def work(i):
        try:
            with app.app_context():
                station = _db.session.get(Station, station_id)
                actor = _db.session.get(User, actor_ids[i])
                start.wait(timeout=30)
                for j in range(PER_THREAD):
                    seq = register(station, actor, name=f"申请人{i}-{j}").seq
                    _db.session.commit()
                    got.append(seq)
        except Exception as error:  # noqa: BLE001  (reported by the test)
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an intake thread hung"
    return station_id, got, errors


def check_gap_free(station_id, got, errors):
    assert not errors, errors
    expected = list(range(1, THREADS * PER_THREAD + 1))
    assert sorted(got) == expected, "two intakes got the same number, or a number was skipped"
    stored = list(_db.session.execute(select(Case.seq, Case.number).where(Case.station_id == station_id)))
    assert sorted(seq for seq, _ in stored) == expected
    assert all(number.endswith(f"-{seq:04d}") for seq, number in stored)


@pytest.mark.postgres
@pytest.mark.skipif(BACKEND != "postgresql", reason="runs when TEST_BACKEND=postgresql")
def test_concurrent_intakes_get_gap_free_numbers_on_postgresql(app, db):
    check_gap_free(*register_concurrently(app))


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite run of the same proof")
def test_concurrent_intakes_get_gap_free_numbers_on_sqlite(app, db):
    """SQLite lets one writer in at a time; the intakes must queue, not fail or share a number."""
    check_gap_free(*register_concurrently(app))
