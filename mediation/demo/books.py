"""The stations' own books around the cases: this week's duty roster (值班表) and the visit log (服务记录本).

Written after the reference data (the roster) and after the cases (the log links the walk-ins that became
cases), with the writer's random numbers, rows and clock.
"""

from datetime import timedelta

from mediation.clock import local_date
from mediation.demo.people import People
from mediation.demo.planner import Plan, office_hours
from mediation.demo.stations import MEDIATORS, STATIONS
from mediation.demo.words import LOG_MATTERS
from mediation.demo.writer import Writer
from mediation.extensions import db
from mediation.models import Case, DutyShift
from mediation.services.station_log import VisitInput, record_visit


def write_roster(writer: Writer) -> int:
    """This week's duty roster: one mediator a day at each station, taking turns; returns the shifts."""
    rng = writer.rng
    today = local_date(writer.now)
    monday = today - timedelta(days=today.weekday())
    taken = set()  # (day, username): someone serving two stations is on duty at one at a time
    count = 0
    for spec in STATIONS:
        mediators = list(MEDIATORS[spec.code])
        rng.shuffle(mediators)
        for offset in range(7):
            day = monday + timedelta(days=offset)
            turn = [mediators[(offset + i) % len(mediators)] for i in range(len(mediators))]
            username = next((u for u in turn if (day, u) not in taken), turn[0])
            taken.add((day, username))
            count += 1
            db.session.add(
                DutyShift(
                    station_id=writer.stations[spec.code].id, day=day, user_id=writer.users[username].id
                )
            )
    db.session.flush()
    return count


def write_visit_log(writer: Writer, people: People, cases: list[tuple[Case, Plan]]) -> int:
    """The visit log of the last two months: everyday callers, and the latest walk-ins among ``cases`` (in
    the order written), which became cases; returns the entries."""
    rng, now, count = writer.rng, writer.now, 0
    today = local_date(now)
    for spec in STATIONS:
        station = writer.stations[spec.code]
        mediators = [writer.users[u] for u in MEDIATORS[spec.code]]
        entries = []
        for _ in range(rng.randint(8, 14)):
            matter, done = rng.choice(LOG_MATTERS)
            place = rng.choice(spec.places)
            at = office_hours(rng, today - timedelta(days=rng.randint(1, 60)))
            visitor = people.name(rng.choice("MF"))
            phone = people.mobile() if rng.random() < 0.6 else ""
            entries.append((at, None, matter.format(place=place), done, visitor, phone))
        recent = [
            (c, p)
            for c, p in cases
            if p.channel == "walk_in"
            and p.station.code == spec.code
            and (today - local_date(p.times[0])).days <= 60
        ]
        for case, plan in recent[-4:]:
            applicant = plan.parties[0]
            at = plan.times[0] - timedelta(minutes=rng.randint(10, 40))
            done = f"登记为调解案件{case.number}"
            entries.append((at, case, plan.title, done, applicant.name, applicant.phone))
        for at, case, matter, done, name, phone in sorted(entries, key=lambda e: e[0]):
            entry = record_visit(
                rng.choice(mediators),
                station,
                VisitInput(
                    visitor_name=name,
                    matter=matter,
                    visitor_phone=phone,
                    action_taken=done,
                    visited_at=at,
                ),
                now=now,
            )
            if case is not None:
                # ``link_case`` would date its event today; the visit and the case are months old.
                entry.case_id = case.id
            count += 1
    db.session.flush()
    return count
