"""A station's own books: the visit log (服务记录本) and the duty roster (值班表).

Only the station's mediators keep them; its supervisors may read them. Everyone else is told the station's
books do not exist (``NotFound``), as with cases they may not see.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, delete, select

from mediation import policy
from mediation.clock import local_date, parse_iso_date, parse_local_datetime, utcnow
from mediation.errors import Conflict, Invalid, NotFound
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import Case, DutyShift, Station, User, VisitLogEntry
from mediation.services import audit
from mediation.services.cases import serving
from mediation.services.transitions import record_event
from mediation.text import NOTE_LENGTH, parse_texts

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")
#: The longest text each visit-log field takes (name and phone are String(100) and String(32) columns).
MAX_LENGTHS = {"visitor_name": 100, "visitor_phone": 32, "matter": NOTE_LENGTH, "action_taken": NOTE_LENGTH}


def load_station(actor, code: str) -> Station:
    """The station with ``code`` if ``actor`` may read its books; ``NotFound`` otherwise."""
    station = db.session.scalar(select(Station).filter_by(code=(code or "").upper()))
    if station is None or not policy.can_read_station_books(actor, station):
        raise NotFound(_("There is no such station, or you may not see it."))
    return station


# --- Visit log -------------------------------------------------------------------------------------------


@dataclass
class VisitorInput:
    visitor_name: str
    matter: str
    visitor_phone: str = ""
    action_taken: str = ""
    #: When the visitor came: an aware datetime, or local time as typed (``clock.parse_local_datetime``);
    #: empty means now.
    visited_at: datetime | str | None = None


def log_visitor(actor, station: Station, data: VisitorInput, *, now: datetime | None = None) -> VisitLogEntry:
    """Write a visitor into ``station``'s visit log as ``actor`` (a mediator there); return the entry.

    Raises ``NotAllowed`` for anyone else and ``Invalid`` (with ``fields``) for missing, malformed or too
    long details (``MAX_LENGTHS``) and a visit in the future. Flushes; the caller commits.
    """
    policy.require(
        policy.can_keep_station_books(actor, station), _("Only the station's mediators keep its visit log.")
    )
    now = now or utcnow()
    errors = {}
    texts = parse_texts(
        {
            "visitor_name": data.visitor_name,
            "visitor_phone": data.visitor_phone,
            "matter": data.matter,
            "action_taken": data.action_taken,
        },
        MAX_LENGTHS,
        errors,
    )
    if texts.get("visitor_name") == "":
        errors["visitor_name"] = _("Enter the visitor's name.")
    if texts.get("visitor_phone") and not PHONE.match(texts["visitor_phone"]):
        errors["visitor_phone"] = _("Enter a phone number of digits, such as 13812345678.")
    if texts.get("matter") == "":
        errors["matter"] = _("Say what the visitor came about.")
    visited_at = now
    if data.visited_at is not None and str(data.visited_at).strip():
        try:
            visited_at = parse_local_datetime(data.visited_at)
        except ValueError as error:
            errors["visited_at"] = str(error)
    if visited_at > now + timedelta(minutes=5):
        errors["visited_at"] = _("The visit cannot be in the future.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    entry = VisitLogEntry(
        station_id=station.id,
        visited_at=visited_at,
        visitor_name=texts["visitor_name"],
        visitor_phone=texts["visitor_phone"],
        matter=texts["matter"],
        action_taken=texts["action_taken"],
        recorded_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    # The log entry holds the visitor's particulars; the audit log only says that it was written.
    audit.record(
        actor, "station", "log_visitor", target=f"visit_log:{entry.id}", station=station,
        new={"visited_at": visited_at}, now=now,
    )  # fmt: skip
    return entry


def visit_log_query(station: Station) -> Select:
    """The station's visit log, newest first (the caller has loaded the station with ``load_station``)."""
    return (
        select(VisitLogEntry)
        .where(VisitLogEntry.station_id == station.id)
        .order_by(VisitLogEntry.visited_at.desc(), VisitLogEntry.id.desc())
    )


def load_log_entry(actor, entry_id) -> VisitLogEntry:
    """A visit-log entry ``actor`` may turn into a case (a mediator of its station); else ``NotFound``."""
    entry_id = parse_id(entry_id)
    entry = db.session.get(VisitLogEntry, entry_id) if entry_id else None
    if entry is None or not policy.can_keep_station_books(actor, db.session.get(Station, entry.station_id)):
        raise NotFound(_("There is no such visit-log entry, or you may not see it."))
    return entry


def link_case(actor, entry: VisitLogEntry, case: Case, *, now: datetime | None = None) -> None:
    """Record that the visit ``entry`` became ``case`` (registered at the same station), with an event.

    Raises ``NotAllowed`` unless ``actor`` is a mediator of the station, ``Conflict`` if the entry already
    became a case, ``Invalid`` if the case is at another station. Flushes.
    """
    station = db.session.get(Station, entry.station_id)
    policy.require(
        policy.can_keep_station_books(actor, station), _("Only the station's mediators keep its visit log.")
    )
    if entry.case_id is not None and entry.case_id != case.id:
        raise Conflict(_("This visit has already been registered as a case."), code="already_linked")
    if case.station_id != entry.station_id:
        raise Invalid(
            _("Register the visit at the station that logged it."),
            fields={"station": _("Register the visit at the station that logged it.")},
        )
    entry.case_id = case.id
    record_event(
        case,
        actor,
        "intake",
        "link_visit",
        {"visit_id": entry.id, "visitor": entry.visitor_name, "visited_at": entry.visited_at},
        now=now,
    )


# --- Duty roster ---------------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def parse_week(raw, *, now: datetime | None = None, strict: bool = False) -> date:
    """The Monday of the week a ``YYYY-MM-DD`` string falls in (``clock.parse_iso_date``). Anything else
    is this week, as a query string that cannot be read shows the default page; with ``strict`` (a posted
    roster, which would otherwise overwrite this week's) it is ``Invalid``."""
    try:
        day = parse_iso_date(raw)
    except ValueError as error:
        if strict:
            raise Invalid(_("Some information is missing or wrong."), fields={"week": str(error)}) from None
        day = local_date(now or utcnow())
    return week_start(day)


def station_mediators(station: Station) -> list[User]:
    """The active mediators serving at ``station``, by name (``cases.serving``)."""
    return serving([station], utcnow())[station.id].mediators


def week_roster(station: Station, monday: date) -> dict[date, list[User]]:
    """Who is on duty at ``station`` each day of the week starting ``monday`` (every day present)."""
    days = {monday + timedelta(days=i): [] for i in range(7)}
    shifts = db.session.scalars(
        select(DutyShift)
        .where(
            DutyShift.station_id == station.id, DutyShift.day >= monday, DutyShift.day < monday + timedelta(7)
        )
        .order_by(DutyShift.day, DutyShift.id)
    )
    for shift in shifts:
        days[shift.day].append(shift.user)
    return days


def set_week_roster(
    actor, station: Station, monday: date, assignments, *, now: datetime | None = None
) -> tuple[int, int]:
    """Make the week starting ``monday`` at ``station`` match ``assignments`` (``(day, user_id)`` pairs).

    Only the station's mediators may (``NotAllowed``) and only they can be put on duty (``Invalid``). Days
    already past are the record of who was on duty: they are never changed (adding to one is ``Invalid``,
    and what is there stays). Returns (added, removed). Flushes.
    """
    policy.require(
        policy.can_keep_station_books(actor, station), _("Only the station's mediators edit its duty roster.")
    )
    today = local_date(now or utcnow())
    week = {monday + timedelta(days=i) for i in range(7)}
    mediators = {u.id for u in station_mediators(station)}
    wanted = set()
    for day, user_id in assignments:
        if day not in week:
            raise Invalid(_("The roster can only be changed one week at a time."))
        if user_id not in mediators:
            raise Invalid(_("Only the station's mediators can be put on duty."))
        wanted.add((day, user_id))
    current = {
        (s.day, s.user_id): s.id
        for s in db.session.scalars(
            select(DutyShift).where(DutyShift.station_id == station.id, DutyShift.day.in_(week))
        )
    }
    added = wanted - current.keys()
    if any(day < today for day, _user in added):
        raise Invalid(_("Days already past cannot be changed: the roster records who was on duty."))
    # Someone who left the station comes off its coming days with the first save.
    removed = [shift_id for key, shift_id in current.items() if key not in wanted and key[0] >= today]
    for day, user_id in sorted(added):
        db.session.add(DutyShift(station_id=station.id, day=day, user_id=user_id))
    if removed:
        db.session.execute(delete(DutyShift).where(DutyShift.id.in_(removed)))
    db.session.flush()
    if added or removed:
        names = {u.id: u.username for u in station_mediators(station)} | {actor.id: actor.username}
        gone = [key for key, shift_id in current.items() if shift_id in removed]
        audit.record(
            actor, "station", "set_roster", target=f"station:{station.code}", station=station,
            old={"off_duty": [f"{day.isoformat()} {names.get(uid, uid)}" for day, uid in sorted(gone)]},
            new={"on_duty": [f"{day.isoformat()} {names.get(uid, uid)}" for day, uid in sorted(added)]},
        )  # fmt: skip
    return len(added), len(removed)
