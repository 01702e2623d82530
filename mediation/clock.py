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


def from_local_input(moment: datetime | None) -> datetime | None:
    """A wall-clock time typed at a station (no zone) as an aware UTC datetime."""
    if moment is None:
        return None
    return moment.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def local_now_input(now: datetime | None = None) -> datetime:
    """The local wall-clock time, without a zone, as a ``datetime-local`` input shows it."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).replace(tzinfo=None, second=0, microsecond=0)


def parse_iso_date(raw) -> date:
    """A date given as ``YYYY-MM-DD`` (or already a date); ``ValueError`` with a message for people."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def end_of_day(day: date) -> datetime:
    """A deadline given as a date falls due when that day ends where the station is."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_ZONE).astimezone(UTC)
