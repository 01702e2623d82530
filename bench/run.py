"""Measure the pages mediators use most on a province-sized PostgreSQL database.

    make bench                      # 200,000 cases (about 2,000,000 events)
    .venv/bin/python -m bench.run --cases 1000000

Builds (once) a database ``mediation_bench`` on 127.0.0.1:5432, fills it with ``bench.populate``, then
times real requests through the app (test client, so the figures are server time without network) and
the two write paths (intake, a lifecycle step). Figures go in docs/performance.md.
"""

import argparse
import secrets
import statistics
import time

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from bench.http import PASSWORD, database
from bench.populate import populate
from mediation import create_app
from mediation.config import Config
from mediation.extensions import db
from mediation.models import Case, Station, User
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from mediation.services.transitions import apply_step


def _time(label: str, fn, repeat: int) -> dict:
    fn()  # warm caches, as a working server would have them
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    row = {
        "what": label,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
        "n": repeat,
    }
    print(f"{label:<55} median {row['median_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench database")
    args = parser.parse_args()

    class Bench(Config):
        SQLALCHEMY_DATABASE_URI = database("mediation_bench", args.fresh)
        WTF_CSRF_ENABLED = False
        SESSION_COOKIE_SECURE = False
        #: The app refuses to serve with the public development key; the bench signs its own cookies.
        SECRET_KEY = secrets.token_hex(32)

    app = create_app(Bench)
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Station)):
            start = time.perf_counter()
            with db.engine.begin() as conn:
                populate(conn, stations=args.stations, cases=args.cases)
            print(f"populated {args.cases:,} cases in {time.perf_counter() - start:.0f} s")
        counts = {
            t: db.session.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in ("case", "event", "party")
        }
        print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        for username in ("m1", "sup1", "admin"):
            db.session.scalar(select(User).filter_by(username=username)).set_password(PASSWORD)
        mediator = db.session.scalar(select(User).filter_by(username="m1"))
        db.session.commit()
        station = mediator.stations[0]
        number = db.session.scalar(select(Case.number).where(Case.station_id == station.id).limit(1))

    client = app.test_client()
    client.post("/login", data={"username": "m1", "password": PASSWORD})
    pages = [
        ("home (my open cases)", "/"),
        ("case list, station's cases, page 1", "/cases"),
        ("case list, page 20", "/cases?page=20"),
        ("case list, overdue only", "/cases?overdue=1"),
        ("case list, free-text search", "/cases?q=漏水"),
        ("case list, filtered by state and category", "/cases?state=mediating&category=neighbour"),
        ("case page", f"/cases/{number}"),
    ]
    for label, url in pages:
        assert client.get(url).status_code == 200, url
        _time(f"GET {label}", lambda url=url: client.get(url), args.repeat)

    # Overdue work across many stations: a district's supervisor (100 stations) and the province's admin.
    for username, who in (("sup1", "supervisor, 20 stations"), ("admin", "admin, 2,000 stations")):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        for label, url in (("home (counts, most urgent first)", "/"), ("overdue list", "/cases?overdue=1")):
            assert client.get(url).status_code == 200, url
            _time(f"GET {label} ({who})", lambda url=url, client=client: client.get(url), args.repeat)

    with app.app_context():
        mediator = db.session.scalar(select(User).filter_by(username="m1"))
        station = db.session.get(Station, mediator.stations[0].id)

        def intake_and_step():
            case = register_case(
                mediator,
                station,
                CaseInput(title="bench", category="neighbour", channel="walk_in"),
                [PartyInput(role="applicant", name="甲"), PartyInput(role="respondent", name="乙")],
            )
            apply_step(case, "accept", mediator, version=case.version)
            db.session.rollback()

        _time("intake + accept (service layer, rolled back)", intake_and_step, args.repeat)


if __name__ == "__main__":
    main()
