"""Time as the stations keep it: stored in UTC, days counted in China Standard Time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Stations keep China Standard Time; "today", case-number years, rosters and date deadlines follow it.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()


def end_of_day(day: date) -> datetime:
    """A deadline given as a date falls due when that day ends where the station is."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_ZONE).astimezone(UTC)
