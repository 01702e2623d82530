"""Time as the stations keep it: stored in UTC, days counted in China Standard Time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

#: Stations keep China Standard Time; "today", case-number years, rosters and date deadlines follow it.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()


def local_now_input(now: datetime | None = None) -> datetime:
    """The local wall-clock time, without a zone, as a ``datetime-local`` input shows it."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).replace(tzinfo=None, second=0, microsecond=0)


#: Dates people type must fall in these years (inclusive). Nothing a station records lies outside them, and
#: arithmetic on a date near year 1 or 9999 (the next day, another time zone) overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_iso_date(raw) -> date:
    """A date given as ``YYYY-MM-DD`` (or already a date) within ``FIRST_YEAR``–``LAST_YEAR``;
    ``ValueError`` with a message for people otherwise."""
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    _require_sane_year(day)
    return day


def parse_local_datetime(raw) -> datetime:
    """A moment typed at a station, in UTC: an aware datetime as given, or a wall-clock time in China
    Standard Time (``YYYY-MM-DDTHH:MM``, as a ``datetime-local`` input sends it), within
    ``FIRST_YEAR``–``LAST_YEAR``; ``ValueError`` with a message for people otherwise."""
    if isinstance(raw, datetime):
        moment = raw
    else:
        try:
            moment = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(_("Enter a date and time such as 2026-03-01 14:30.")) from None
    # Checked before any time-zone arithmetic, which is what overflows at the ends of the calendar.
    _require_sane_year(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(UTC)


def _require_sane_year(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            _("Enter a date between %(first)s and %(last)s.", first=str(FIRST_YEAR), last=str(LAST_YEAR))
        )


def end_of_day(day: date) -> datetime:
    """A deadline given as a date falls due when that day ends where the station is."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_ZONE).astimezone(UTC)
