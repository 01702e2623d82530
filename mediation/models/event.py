"""A case's trail: every transition and every change to a case, append-only.

No code updates or deletes an event, a case cannot be deleted while it has events (no cascade), and on
PostgreSQL a trigger refuses UPDATE and DELETE. Changes outside a case are in the audit log (``AuditEntry``).
"""

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.extensions import db
from mediation.models._base import UTCDateTime, utcnow

#: What an event records: a lifecycle step ("transition"), or another change to the case ("update": a
#: correction of its own details; "party": of a party's particulars; "judicial": the parties' application
#: for judicial confirmation and the court's answers, ``lifecycle.JUDICIAL``; "supervision": 督办, started,
#: answered and ended).
EVENT_KINDS = (
    "intake", "transition", "update", "session", "agreement", "attachment", "visit", "party", "judicial",
    "supervision",
)  # fmt: skip


class Event(db.Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    at = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(16))
    #: The lifecycle trigger for a transition; for other kinds a short verb ("record_session", …).
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    #: The case's version once this change was applied.
    case_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case = relationship("Case", back_populates="events")
    actor = relationship("User", lazy="joined")

    __table_args__ = (
        Index("ix_event_case_id_id", "case_id", "id"),
        Index("ix_event_actor_at", "actor_id", "at"),
    )

    def __repr__(self):
        return f"<Event {self.case_id} {self.action} {self.from_state}->{self.to_state}>"
