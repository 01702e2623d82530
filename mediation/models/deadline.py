"""Deadlines (期限): each one a row, opened and closed by the steps the lifecycle declares.

A case can have several at once (a referral's answer and the judicial-confirmation window, say). Each row
keeps how it was counted — its length, calendar or working days, and whether the holiday calendar knew
every year it spans — so what it says stays true when the settings or the calendar change later.
"""

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from mediation import lifecycle
from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes

UNITS = ("calendar", "working")
OPEN = "met_at IS NULL AND cancelled_at IS NULL"


class Deadline(db.Model):
    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    #: The case's station, so "overdue at my stations" is one index range (a case never changes station).
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    #: The rule it follows (``lifecycle.DEADLINES``).
    kind: Mapped[str] = mapped_column(String(32))
    #: Which length of the rule applied (a referral's agency kind, say); empty for the rule's own.
    variant: Mapped[str] = mapped_column(String(32), default="")
    started_at = mapped_column(UTCDateTime, nullable=False)
    due_at = mapped_column(UTCDateTime, nullable=False)
    #: From here on it is due soon (a share of its time used, or a few working days left).
    warn_at = mapped_column(UTCDateTime, nullable=False)
    days: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(8))
    #: False when a day counted lies in a year the holiday calendar does not know (counted Monday–Friday).
    calendar_known: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The step or action that opened it, and the one that met or cancelled it.
    opened_by: Mapped[str] = mapped_column(String(32))
    closed_by: Mapped[str] = mapped_column(String(32), default="")
    met_at = mapped_column(UTCDateTime)
    cancelled_at = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(in_codes("kind", lifecycle.DEADLINES), name="kind_known"),
        CheckConstraint(in_codes("unit", UNITS), name="unit_known"),
        CheckConstraint("met_at IS NULL OR cancelled_at IS NULL", name="met_or_cancelled"),
        CheckConstraint("due_at >= started_at", name="due_after_start"),
        Index("ix_deadline_case_id", "case_id", "id"),
        # The oversight figures: a scope's follow-up deadlines due in the period.
        Index(
            "ix_deadline_station_kind_due",
            "station_id",
            "kind",
            "due_at",
            postgresql_include=["case_id", "met_at", "cancelled_at"],
        ),
        # Open work across stations, by when it falls due: "overdue at my stations", reminders.
        Index(
            "ix_deadline_open_station_due",
            "station_id",
            "due_at",
            postgresql_where=text(OPEN),
            sqlite_where=text(OPEN),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def rule(self):
        return lifecycle.DEADLINES[self.kind]

    def __repr__(self):
        return f"<Deadline {self.case_id} {self.kind} due {self.due_at:%Y-%m-%d %H:%M}>"
