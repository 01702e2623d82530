"""A station's own records: the duty roster (值班表) and the visit log (服务记录本)."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.extensions import db
from mediation.models._base import UTCDateTime, utcnow


class DutyShift(db.Model):
    """Who is on duty at a station on a day; new cases go to them unless someone is chosen."""

    __tablename__ = "duty_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))

    user = relationship("User", lazy="joined")

    __table_args__ = (
        UniqueConstraint("station_id", "day", "user_id", name="uq_duty_shift_station_day_user"),
    )


class VisitLogEntry(db.Model):
    """Every visitor and what was done for them, whether or not it became a case."""

    __tablename__ = "visit_log_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    visited_at = mapped_column(UTCDateTime, default=utcnow)
    visitor_name: Mapped[str] = mapped_column(String(100))
    visitor_phone: Mapped[str] = mapped_column(String(32), default="")
    matter: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Set when the visit was turned into a case.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))

    recorded_by = relationship("User")
    case = relationship("Case")

    __table_args__ = (Index("ix_visit_log_entry_station_visited", "station_id", "visited_at"),)
