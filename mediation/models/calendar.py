"""The working-day calendar: statutory holidays and adjusted working weekends (调休), year by year.

A day that is not listed is a working day from Monday to Friday and a rest day at the weekend. A year is
*known* once its State Council notice has been entered (``CalendarYear``); in a year that is not known the
product still counts Monday–Friday, and every deadline counted through it says so.
"""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mediation.extensions import db
from mediation.models._base import UTCDateTime, utcnow


class CalendarDay(db.Model):
    """A day that differs from the weekly rhythm: a holiday on a weekday, or a weekend worked in lieu."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: True for an adjusted working day (调休上班), false for a day off.
    working: Mapped[bool] = mapped_column(Boolean)
    #: The holiday it belongs to, e.g. "National Day" / 国庆节.
    name: Mapped[str] = mapped_column(String(64), default="")


class CalendarYear(db.Model):
    """A year whose holidays are known, and where they came from."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: ``chinesecalendar <version>`` for a seeded year, ``manual`` for one entered from the command line.
    source: Mapped[str] = mapped_column(String(64))
    loaded_at = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
