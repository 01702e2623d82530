"""Counting days on the working-day calendar, and keeping the calendar (statutory holidays and 调休).

Deadlines in working days skip weekends and holidays and count the adjusted working weekends; a year the
calendar does not know counts Monday to Friday, and what is counted through it says so (``known``).
The calendar is seeded from the ``chinesecalendar`` package for the years it knows and edited from the
command line as each year's State Council notice comes out; every change is in the audit log.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from mediation.clock import LOCAL_ZONE, end_of_day, local_date
from mediation.errors import Invalid
from mediation.extensions import db
from mediation.models import CalendarDay, CalendarYear
from mediation.services import audit

#: Longer than any run of days off (the Spring Festival and National Day weeks are eight).
_SLACK_DAYS = 40


@dataclass(frozen=True)
class Calendar:
    """The days of a stretch of time that differ from the weekly rhythm, and the years that are known."""

    special: dict[date, bool]
    known_years: frozenset[int]

    def is_working(self, day: date) -> bool:
        if day in self.special:
            return self.special[day]
        return day.weekday() < 5

    def knows(self, day: date) -> bool:
        return day.year in self.known_years


def load(first: date, last: date) -> Calendar:
    """The calendar from ``first`` to ``last`` (two small queries)."""
    rows = db.session.execute(
        select(CalendarDay.day, CalendarDay.working).where(CalendarDay.day.between(first, last))
    )
    years = db.session.scalars(
        select(CalendarYear.year).where(CalendarYear.year.between(first.year, last.year))
    )
    return Calendar(dict(rows.all()), frozenset(years))


@dataclass(frozen=True)
class Count:
    due: datetime
    #: When it becomes due soon (see ``warning_start``).
    warn: datetime
    #: Whether every working day counted lies in a year the calendar knows (calendar days do not depend
    #: on it).
    known: bool


def count(
    start: datetime,
    days: int,
    unit: str,
    *,
    exact: bool,
    fraction: float,
    working_left: int,
    due: datetime | None = None,
) -> Count:
    """When a deadline of ``days`` ``unit`` days started at ``start`` falls due (unless ``due`` is given),
    and when it is due soon.

    Whole days: the starting day is not counted, and the deadline falls due as its last day ends (local
    time); working days skip weekends and holidays. ``exact`` counts 24-hour days from the moment itself.
    It is due soon once ``fraction`` of its time is used or ``working_left`` working days are left.
    """
    # The starting day is not counted; one that starts as a day ends (at local midnight) starts on that day.
    first = local_date(start - timedelta(microseconds=1))
    last = max(first + timedelta(days=days * 2), local_date(due) if due else first)
    calendar = load(first, last + timedelta(days=_SLACK_DAYS))
    known = True
    if due is None and unit == "working":
        day, counted = first, 0
        while counted < days:
            day += timedelta(days=1)
            known &= calendar.knows(day)
            counted += calendar.is_working(day)
        due = end_of_day(day)
    elif due is None:
        due = start + timedelta(days=days) if exact else end_of_day(first + timedelta(days=days))
    return Count(due, warning_start(start, due, calendar, fraction, working_left), known)


def due_after(start: datetime, days: int, unit: str) -> datetime:
    """When ``days`` ``unit`` days counted from ``start`` run out (whole local days, as ``count``)."""
    return count(start, days, unit, exact=False, fraction=1, working_left=0).due


def warning_start(start: datetime, due: datetime, calendar: Calendar, fraction: float, working_left: int):
    """The moment a deadline becomes due soon: ``fraction`` of its time used, or the start of the day from
    which only ``working_left`` working days remain, whichever comes first (never before it starts)."""
    by_share = start + (due - start) * fraction
    last_day = local_date(due - timedelta(microseconds=1))
    day, seen = last_day, 0
    while working_left > 0 and day > local_date(start):
        seen += calendar.is_working(day)
        if seen >= working_left:
            break
        day -= timedelta(days=1)
    by_days = datetime.combine(day, time(), tzinfo=LOCAL_ZONE) if working_left > 0 else due
    return max(start, min(by_share, by_days))


# --- Keeping the calendar ---------------------------------------------------------------------------------


def seed_from_package(actor=None, *, replace: bool = False) -> list[int]:
    """Load every year ``chinesecalendar`` knows that the calendar does not (or all of them, ``replace``);
    return the years loaded. Days entered by hand in those years are replaced only with ``replace``."""
    import chinese_calendar
    from chinese_calendar import constants

    source = f"chinesecalendar {chinese_calendar.__version__}"
    days: dict[date, tuple[bool, str]] = {}
    for day, name in constants.holidays.items():
        days[day] = (False, name)
    for day, name in constants.workdays.items():
        days[day] = (True, name)
    years = sorted({day.year for day in days})
    known = set(db.session.scalars(select(CalendarYear.year)))
    wanted = [y for y in years if replace or y not in known]
    for year in wanted:
        _clear_year(year)
        for day in sorted(d for d in days if d.year == year):
            working, name = days[day]
            # A weekend holiday is a rest day anyway; only what differs from the weekly rhythm is kept.
            if working != (day.weekday() < 5):
                db.session.add(CalendarDay(day=day, working=working, name=name))
        db.session.add(CalendarYear(year=year, source=source, loaded_by_id=actor.id if actor else None))
    if wanted:
        audit.record(
            actor, "settings", "load_holidays", target="calendar", new={"years": wanted, "source": source}
        )
    db.session.flush()
    return wanted


def _in_year(column, year: int):
    return column.between(date(year, 1, 1), date(year, 12, 31))


def _clear_year(year: int) -> None:
    db.session.execute(
        delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    )
    db.session.execute(delete(CalendarYear).where(CalendarYear.year == year))


def set_day(actor, day: date, working: bool | None, name: str = "") -> None:
    """Make ``day`` a day off (``working=False``), an adjusted working day (``True``), or the weekly rhythm
    again (``None``). Refuses a day outside 1900–2199. Audited."""
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise Invalid(_("Choose a day between 1900 and 2199."), fields={"day": _("Out of range.")})
    current = db.session.get(CalendarDay, day)
    old = {"working": current.working, "name": current.name} if current else {}
    if current is not None:
        db.session.delete(current)
        db.session.flush()
    if working is not None and working != (day.weekday() < 5):
        db.session.add(CalendarDay(day=day, working=working, name=name.strip()[:64]))
    new = {"working": working, "name": name} if working is not None else {}
    audit.record(actor, "settings", "set_holiday", target=f"calendar:{day.isoformat()}", old=old, new=new)
    db.session.flush()


def confirm_year(actor, year: int) -> None:
    """Mark ``year`` as known: its days off and adjusted working days are all entered (by hand)."""
    if not 1900 <= year <= 2199:
        raise Invalid(_("Choose a year between 1900 and 2199."), fields={"year": _("Out of range.")})
    if db.session.get(CalendarYear, year) is None:
        db.session.add(CalendarYear(year=year, source="manual", loaded_by_id=actor.id if actor else None))
        audit.record(actor, "settings", "confirm_holiday_year", target=f"calendar:{year}", new={"year": year})
        db.session.flush()


def year_days(year: int) -> tuple[CalendarYear | None, list[CalendarDay]]:
    """What the calendar holds for ``year``: whether it is known, and its special days in order."""
    days = db.session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(CalendarDay.day)
    ).all()
    return db.session.get(CalendarYear, year), list(days)
