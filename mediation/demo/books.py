"""The stations' own books around the cases: this week's duty roster (值班表) and the visit log (服务记录本).

The roster is written after the reference data; the log's walk-ins that became cases are written with
their case (``log_walk_in``), its everyday callers after the cases; all with the writer's random numbers,
rows and clock.
"""

from datetime import timedelta

from mediation.clock import local_date
from mediation.demo.people import People
from mediation.demo.planner import Plan, office_hours
from mediation.demo.stations import MEDIATORS, STATIONS
from mediation.demo.words import LOG_MATTERS
from mediation.demo.writer import Writer
from mediation.extensions import db
from mediation.models import DutyShift, VisitLogEntry
from mediation.services.station_log import VisitorInput, log_visitor


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


def walk_ins_to_log(plans: list[Plan], today) -> set[int]:
    """The plans whose visitor is in the visit log before becoming a case: each station's latest four
    walk-ins of the last two months (by ``Plan.index``)."""
    chosen = set()
    for spec in STATIONS:
        recent = [
            p
            for p in plans
            if p.channel == "walk_in"
            and p.station.code == spec.code
            and (today - local_date(p.times[0])).days <= 60
        ]
        chosen |= {p.index for p in recent[-4:]}
    return chosen


def log_walk_in(writer: Writer, plan: Plan) -> VisitLogEntry:
    """The visitor of a walk-in, written into the log as they arrived, before the intake that follows."""
    applicant = plan.parties[0]
    at = plan.times[0] - timedelta(minutes=writer.rng.randint(10, 40))
    return log_visitor(
        writer.users[plan.registrar],
        writer.stations[plan.station.code],
        VisitorInput(
            visitor_name=applicant.name,
            visitor_phone=applicant.phone,
            matter=plan.title,
            action_taken="登记为调解案件",
            visited_at=at,
        ),
        now=at,
    )


def write_visit_log(writer: Writer, people: People) -> int:
    """The visit log's everyday callers of the last two months (who did not become cases); returns them."""
    rng, now, count = writer.rng, writer.now, 0
    today = local_date(now)
    for spec in STATIONS:
        station = writer.stations[spec.code]
        mediators = [writer.users[u] for u in MEDIATORS[spec.code]]
        for _ in range(rng.randint(8, 14)):
            matter, done = rng.choice(LOG_MATTERS)
            place = rng.choice(spec.places)
            at = office_hours(rng, today - timedelta(days=rng.randint(1, 60)))
            visitor = people.name(rng.choice("MF"))
            phone = people.mobile() if rng.random() < 0.6 else ""
            log_visitor(
                rng.choice(mediators),
                station,
                VisitorInput(
                    visitor_name=visitor,
                    matter=matter.format(place=place),
                    visitor_phone=phone,
                    action_taken=done,
                    visited_at=at,
                ),
                now=now,
            )
            count += 1
    db.session.flush()
    return count
