"""The case (案件) and its per-station, per-year number counter."""

from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from mediation import taxonomy
from mediation.extensions import db
from mediation.lifecycle import FINAL_STATES, INITIAL_STATE, STATES
from mediation.models._base import UTCDateTime, in_codes, trigram_index, utcnow


class Case(db.Model):
    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``{STATION}-{YEAR}-{SEQ}``, e.g. ``XLG-2026-0034``; from ``CaseCounter``, never reused.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)

    title: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    place: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    risk_level: Mapped[str] = mapped_column(String(8), default="low")
    #: The agency's own reference for a dispute it sent us, or the provincial platform's number.
    external_ref: Mapped[str] = mapped_column(String(64), default="")

    #: Written only by ``services.transitions.apply_step`` (and intake); always equals the events' replay.
    state: Mapped[str] = mapped_column(String(16), default=INITIAL_STATE)
    outcome: Mapped[str | None] = mapped_column(String(16))
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    registered_at = mapped_column(UTCDateTime, default=utcnow)
    accepted_at = mapped_column(UTCDateTime)
    state_entered_at = mapped_column(UTCDateTime, default=utcnow)
    #: The earliest open deadline that can become overdue (``Deadline`` rows are the truth; only
    #: ``services.deadlines`` writes this copy, so lists sort and filter on an index). NULL: nothing due.
    next_due_at = mapped_column(UTCDateTime)
    #: When the parties were told their rights and duties (权利义务告知), before the first session.
    rights_notified_at = mapped_column(UTCDateTime)
    closed_at = mapped_column(UTCDateTime)
    #: The case's first closure, kept when it is reopened (``closed_at`` and ``outcome`` are the current
    #: ones): what the oversight figures count (``services.metrics``). Written once, by ``apply_step``.
    first_closed_at = mapped_column(UTCDateTime)
    first_outcome: Mapped[str | None] = mapped_column(String(16))
    #: Whether every deadline the case had was met (or called off) by its due moment when it first closed.
    first_closed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    #: China's days from registration to the first closure.
    days_to_close: Mapped[int | None] = mapped_column(Integer)
    #: The urgency of the supervision (督办) the case is under, if any: a copy of the open ``Supervision``
    #: row's, written only by ``services.supervision`` (and a closing step), so every list marks it.
    supervision_urgency: Mapped[str | None] = mapped_column(String(16))
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic lock: every UPDATE checks and bumps it; a stale writer gets a conflict.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    station = relationship("Station", lazy="joined")
    mediator = relationship("User", foreign_keys=[mediator_id], lazy="joined")
    registered_by = relationship("User", foreign_keys=[registered_by_id])
    party_links = relationship(
        "CaseParty", back_populates="case", order_by="CaseParty.position", cascade="all, delete-orphan"
    )
    events = relationship("Event", back_populates="case", order_by="Event.id", lazy="dynamic")
    sessions = relationship("MediationSession", order_by="MediationSession.held_at", cascade="all")
    agreements = relationship("Agreement", order_by="Agreement.id", cascade="all")
    referrals = relationship("Referral", order_by="Referral.id", cascade="all", back_populates="case")
    visits = relationship("FollowUpVisit", order_by="FollowUpVisit.id", cascade="all")
    attachments = relationship("Attachment", order_by="Attachment.id", cascade="all")
    deadlines = relationship("Deadline", order_by="Deadline.id", cascade="all")
    supervisions = relationship(
        "Supervision", order_by="Supervision.id", cascade="all", back_populates="case"
    )
    #: The referral the dispute came in with (at most one: ``uq_referral_inbound_case``), for a list to join
    #: in with each case (``services.search.for_table``); the case page reads ``inbound_referral``.
    inbound = relationship(
        "Referral",
        primaryjoin="and_(Referral.case_id == Case.id, Referral.direction == 'in')",
        uselist=False,
        viewonly=True,
    )
    #: The most urgent status of the open deadlines, when a list computes it in its query
    #: (``services.deadlines.worst_status``) instead of loading them.
    due_now: Mapped[str | None] = query_expression()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("station_id", "year", "seq", name="uq_case_station_year_seq"),
        CheckConstraint(in_codes("state", STATES), name="state_known"),
        CheckConstraint(f"outcome IS NULL OR {in_codes('outcome', taxonomy.OUTCOMES)}", name="outcome_known"),
        # The database itself ties outcome to state: a closed case has one, an open case has none.
        CheckConstraint(
            f"({in_codes('state', FINAL_STATES)}) = (outcome IS NOT NULL)", name="outcome_iff_closed"
        ),
        CheckConstraint(in_codes("category", taxonomy.CATEGORIES), name="category_known"),
        CheckConstraint(in_codes("channel", taxonomy.CHANNELS), name="channel_known"),
        CheckConstraint(in_codes("risk_level", taxonomy.RISK_LEVELS), name="risk_level_known"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        CheckConstraint(
            f"first_outcome IS NULL OR {in_codes('first_outcome', taxonomy.OUTCOMES)}",
            name="first_outcome_known",
        ),
        CheckConstraint("(first_closed_at IS NULL) = (first_outcome IS NULL)", name="first_closure_whole"),
        CheckConstraint(
            "supervision_urgency IS NULL OR "
            + in_codes("supervision_urgency", taxonomy.SUPERVISION_URGENCIES),
            name="supervision_urgency_known",
        ),
        # The station's lists: by state, newest first.
        Index("ix_case_station_state_registered", "station_id", "state", "registered_at"),
        Index("ix_case_station_registered", "station_id", "registered_at"),
        # "My cases" and per-mediator reports.
        Index("ix_case_mediator_state", "mediator_id", "state"),
        # What is due at a station, soonest first; overdue work across many stations.
        Index(
            "ix_case_station_next_due",
            "station_id",
            "next_due_at",
            postgresql_where=text("next_due_at IS NOT NULL"),
            sqlite_where=text("next_due_at IS NOT NULL"),
        ),
        # The open cases of a station or of the province, and which are overdue: the "open now" figures.
        Index(
            "ix_case_open_station",
            "station_id",
            "next_due_at",
            postgresql_where=text(f"NOT {in_codes('state', FINAL_STATES)}"),
            sqlite_where=text(f"NOT {in_codes('state', FINAL_STATES)}"),
        ),
        # The province's open cases, most urgent first: an administrator's home.
        Index(
            "ix_case_open_due",
            "next_due_at",
            postgresql_where=text(f"NOT {in_codes('state', FINAL_STATES)}"),
            sqlite_where=text(f"NOT {in_codes('state', FINAL_STATES)}"),
        ),
        Index("ix_case_category_registered", "category", "registered_at"),
        Index("ix_case_channel_registered", "channel", "registered_at"),
        Index("ix_case_closed_at", "closed_at"),
        # What each station first closed, by when: the oversight figures' "closed in the period".
        Index(
            "ix_case_station_first_closed",
            "station_id",
            "first_closed_at",
            postgresql_where=text("first_closed_at IS NOT NULL"),
            sqlite_where=text("first_closed_at IS NOT NULL"),
        ),
        # The province-wide list, newest first (the default order; ``ix_case_station_registered`` serves it
        # within stations).
        Index("ix_case_registered_id", "registered_at", "id"),
        # Free text (``services.search``: ILIKE '%…%') across many stations, on PostgreSQL (pg_trgm; the
        # migration creates the extension). SQLite scans.
        *(trigram_index("case", column) for column in ("number", "title", "facts")),
        # Cases under supervision at a station.
        Index(
            "ix_case_station_supervised",
            "station_id",
            postgresql_where=text("supervision_urgency IS NOT NULL"),
            sqlite_where=text("supervision_urgency IS NOT NULL"),
        ),
    )

    @property
    def parties(self):
        return [link.party for link in self.party_links]

    def parties_in(self, role: str):
        return [link.party for link in self.party_links if link.role == role]

    @property
    def sides(self) -> str:
        """The applicants' names, then the respondents': "甲、乙 — 丙", as the case tables list the parties.

        Joined here in one pass, not with Jinja's filters, which cost a 25-case table a tenth of its time."""
        names = {"applicant": [], "respondent": []}
        for link in self.party_links:
            if link.role in names:
                names[link.role].append(link.party.name)
        return " — ".join("、".join(side) for side in names.values() if side)

    @property
    def active_referral(self):
        """The outbound referral the case is waiting on or is with, if any."""
        return next(
            (
                r
                for r in reversed(self.referrals)
                if r.direction == "out" and r.status in ("pending", "accepted")
            ),
            None,
        )

    @property
    def inbound_referral(self):
        """The referral an agency sent this dispute in with, if it came that way."""
        return next((r for r in self.referrals if r.direction == "in"), None)

    @property
    def current_agreement(self):
        return self.agreements[-1] if self.agreements else None

    @property
    def confirmation(self):
        """The agreement most recently applied for judicial confirmation, if any. An application awaits its
        court (``jc_stage`` in ``Agreement.AWAITING``) only while it is the latest: ``services.judicial``
        takes no other until the court has answered it."""
        return next((a for a in reversed(self.agreements) if a.jc_applied_on is not None), None)

    @property
    def confirmation_window(self):
        """The open window (a ``judicial_confirmation`` deadline) for applying to confirm the agreement in
        force, if any: its due moment is the last one an application may be dated."""
        windows = (d for d in reversed(self.deadlines) if d.kind == "judicial_confirmation" and d.is_open)
        return next(windows, None)

    @property
    def visits_since_entered(self):
        """Follow-up visits recorded since the case entered its current state."""
        return [v for v in self.visits if v.created_at is None or v.created_at >= self.state_entered_at]

    @property
    def supervision(self):
        """The supervision (督办) the case is under, if any."""
        return next((s for s in self.supervisions if s.is_open), None)

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def extended(self) -> bool:
        """The one extension of this mediation period is in use (an open extended period)."""
        return any(d.kind == "mediation_extension" and d.is_open for d in self.deadlines)

    def is_overdue(self, now) -> bool:
        return self.next_due_at is not None and self.next_due_at < now

    def __repr__(self):
        return f"<Case {self.number} {self.state}>"


class CaseCounter(db.Model):
    """The last sequence number handed out per station and year; its row lock keeps numbers gap-free."""

    __tablename__ = "case_counter"

    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
