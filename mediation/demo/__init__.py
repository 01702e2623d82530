"""Demo data for trying the product: ``flask --app mediation mediation seed-demo``.

Stations, agencies and accounts come from the source reports (Xigu district in Lanzhou, Zhengyang community
in Hengyang, Wanghailou in Tianjin, Donghai street in Lufeng, Yangqu county near Taiyuan); the disputes are
built from templates of the disputes those reports describe. The planner draws every case first, the writer
then sends it through the real services, back-dated; the same seed gives the same data relative to the day
it runs.

``seed`` only flushes: the caller commits once. One transaction means an interrupted run leaves nothing
behind, so ``seed-demo --if-empty`` (which ``make run`` calls) never mistakes half-seeded data for a seed.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from mediation import lifecycle
from mediation.clock import local_date, utcnow
from mediation.demo.books import log_walk_in, walk_ins_to_log, write_roster, write_visit_log
from mediation.demo.planner import Planner
from mediation.demo.stations import AGENCIES, DEMO_PASSWORD, STATIONS, USERS
from mediation.demo.stories import STORIES
from mediation.demo.supervisions import write_supervisions
from mediation.demo.writer import Writer
from mediation.extensions import db
from mediation.models import (
    Agency,
    Case,
    CaseParty,
    Event,
    FollowUpVisit,
    MediationSession,
    Party,
    Station,
    User,
)
from mediation.services import settings

__all__ = [
    "DEFAULT_CASES",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "STORIES",
    "Summary",
    "accounts",
    "clash",
    "format_accounts",
    "has_stations",
    "seed",
]

DEFAULT_CASES = 300
DEFAULT_SEED = 2026


@dataclass
class Summary:
    stations: int = 0
    agencies: int = 0
    users: int = 0
    cases: int = 0
    by_state: dict = field(default_factory=dict)
    overdue: int = 0
    parties: int = 0
    returning_parties: int = 0
    events: int = 0
    sessions: int = 0
    visits: int = 0
    shifts: int = 0
    log_entries: int = 0


def clash() -> str | None:
    """What in the database would collide with the demo data (a station, agency or username), if anything."""
    for label, column, values in (
        ("station", Station.code, [s.code for s in STATIONS]),
        ("agency", Agency.code, [a.code for a in AGENCIES]),
        ("user", User.username, [u.username for u in USERS]),
    ):
        found = db.session.scalar(select(column).where(column.in_(values)).limit(1))
        if found:
            return f"{label} {found}"
    return None


def has_stations() -> bool:
    return db.session.scalar(select(Station.id).limit(1)) is not None


def seed(cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED, now: datetime | None = None) -> Summary:
    """Write the demo stations, agencies, accounts, ``cases`` cases, roster and visit log; return counts.

    Call on a database without the demo's stations, agencies and usernames (see ``clash``). Flushes; the
    caller commits once (an interrupted seed then leaves nothing behind).
    """
    now = now or utcnow()
    rng = random.Random(seed)
    planner = Planner(rng, now, planned_days())
    writer = Writer(rng, now)
    writer.reference_data()
    shifts = write_roster(writer)
    plans = planner.plans(cases)
    logged = walk_ins_to_log(plans, local_date(now))
    for plan in plans:
        writer.case(plan, log_entry=log_walk_in(writer, plan) if plan.index in logged else None)
    log_entries = write_visit_log(writer, planner.people) + len(logged)
    write_supervisions(writer)
    return _summary(now, shifts, log_entries)


def planned_days(length=settings.deadline_length) -> dict:
    """Roughly how many calendar days each state's deadline runs (``length`` as in the settings), for the
    planner to place open cases in time to be overdue, or not; a working day counts as 7/5 of a day."""

    def days(kind, variant=""):
        rule = length(kind, variant)
        return rule.days if rule.unit == lifecycle.CALENDAR else math.ceil(rule.days * 7 / 5) + 1

    return {
        "registered": days("acceptance"),
        "mediating": days("mediation"),
        "mediating_extension": days("mediation_extension"),
        "referred": {"police": days("referral_answer", "police"), "default": days("referral_answer")},
        "with_agency": {
            "police": days("referral_result", "police"),
            "court": days("referral_result", "court"),
            "default": days("referral_result"),
        },
        "following_up": days("follow_up"),
    }


def _summary(now: datetime, shifts: int, log_entries: int) -> Summary:
    def count(query):
        return db.session.scalar(select(func.count()).select_from(query))

    by_party = select(CaseParty.party_id).group_by(CaseParty.party_id).having(func.count() > 1).subquery()
    return Summary(
        stations=count(Station),
        agencies=count(Agency),
        users=count(User),
        cases=count(Case),
        by_state=dict(db.session.execute(select(Case.state, func.count()).group_by(Case.state)).all()),
        overdue=db.session.scalar(select(func.count()).select_from(Case).where(Case.next_due_at < now)),
        parties=count(Party),
        returning_parties=count(by_party),
        events=count(Event),
        sessions=count(MediationSession),
        visits=count(FollowUpVisit),
        shifts=shifts,
        log_entries=log_entries,
    )


def accounts() -> list[dict]:
    """The demo accounts present in the database, in the order they are declared, for printing."""
    present = {
        u.username: u
        for u in db.session.scalars(select(User).where(User.username.in_([s.username for s in USERS])))
    }
    rows = []
    for spec in USERS:
        user = present.get(spec.username)
        if user is None:
            continue
        if user.agency is not None:
            where = f"{user.agency.code} {user.agency.name}"
        elif user.stations:
            where = ", ".join(f"{s.code} {s.name}" for s in user.stations)
        else:
            where = "全部驿站 all stations"
        rows.append({"username": user.username, "role": user.role, "name": user.display_name, "where": where})
    return rows


def format_accounts(rows: list[dict]) -> str:
    """The demo accounts as a table for the terminal (Chinese last, where its width cannot misalign)."""
    if not rows:
        return "No demo accounts in this database."
    width = max(len(r["username"]) for r in rows) + 2
    lines = [
        f"Demo accounts (password for all: {DEMO_PASSWORD}):",
        f"  {'username'.ljust(width)}{'role'.ljust(16)}{'password'.ljust(16)}name / station or agency",
    ]
    for r in rows:
        columns = r["username"].ljust(width) + r["role"].ljust(16) + DEMO_PASSWORD.ljust(16)
        lines.append(f"  {columns}{r['name']} — {r['where']}")
    return "\n".join(lines)
