"""The audit log: every change outside a case's own trail, sign-ins, and views of full personal data.

A case's steps and changes live in its event trail (``Event``); everything else that someone changes or
reads in full — accounts, stations and their books, party files, settings, the holiday calendar, sign-ins,
a party's full ID number, phone or address (PIPL) — is a row here. Rows are only ever inserted: no code
updates or deletes them, and on PostgreSQL a trigger refuses UPDATE and DELETE.
"""

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation import taxonomy
from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: ``None`` for the system itself and for a failed sign-in to an account that does not exist.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Where the change came from: the client's address, ``cli`` or ``system``.
    address: Mapped[str] = mapped_column(String(64), default="")
    realm: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    #: What was changed or read, as ``kind:key`` (``station:XLG``, ``user:wang``, ``party:12``).
    target: Mapped[str] = mapped_column(String(120), default="")
    #: The station the entry belongs to, so a station's supervisors can read it.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    #: The values before and after the change (only the fields that changed); details for other entries.
    old: Mapped[dict] = mapped_column(JSON, default=dict)
    new: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="joined")
    station = relationship("Station", lazy="joined")
    case = relationship("Case", lazy="joined")

    __table_args__ = (
        CheckConstraint(in_codes("realm", taxonomy.AUDIT_REALMS), name="realm_known"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_station_at", "station_id", "at"),
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_realm_at", "realm", "at"),
    )

    def __repr__(self):
        return f"<AuditEntry {self.realm} {self.action} {self.target}>"
