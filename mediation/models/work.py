"""What happens on a case besides its state: sessions, agreements, referrals, follow-up visits, files."""

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation import linkage, taxonomy
from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes, utcnow


class MediationSession(db.Model):
    """调解记录: one sitting with the parties."""

    __tablename__ = "mediation_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    held_at = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)

    recorded_by = relationship("User")


class Agreement(db.Model):
    """调解协议书. A case may have several over time (a breach sends it back to mediation)."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    #: The case's station, copied when the row is made (a case never changes station), so the oversight
    #: figures read a scope's rows of a period straight from one index (``services.metrics``).
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    #: An oral agreement is recorded, not printed for signing (人民调解法 Art. 28).
    oral: Mapped[bool] = mapped_column(Boolean, default=False)
    facts_and_responsibility: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text)
    performance_method: Mapped[str] = mapped_column(Text, default="")
    performance_place: Mapped[str] = mapped_column(String(200), default="")
    performance_deadline: Mapped[date | None] = mapped_column(Date)
    signatures_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Takes effect when the last party and the mediator have signed (DOMAIN §3).
    effective_on: Mapped[date | None] = mapped_column(Date)
    # Judicial confirmation (司法确认, ``services.judicial``): the parties apply jointly to a court within
    # 30 days of the agreement taking effect (the mediator records it); the court's liaison records whether
    # it accepts the application and then its decision.
    jc_applied_on: Mapped[date | None] = mapped_column(Date)
    jc_court_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    #: The court's number for the application (调确字), given when it accepts it.
    jc_court_case_number: Mapped[str] = mapped_column(String(64), default="")
    jc_accepted_on: Mapped[date | None] = mapped_column(Date)
    #: ``not_accepted`` answers the application; ``valid`` or ``invalid`` decide an accepted one.
    jc_decision: Mapped[str | None] = mapped_column(String(16))
    jc_decided_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)

    recorded_by = relationship("User")
    jc_court = relationship("Agency", lazy="joined")

    __table_args__ = (
        CheckConstraint(
            f"jc_decision IS NULL OR {in_codes('jc_decision', taxonomy.JC_DECISIONS)}",
            name="jc_decision_known",
        ),
        # Nothing of the court's without an application to it; a decision has its day; an accepted
        # application is not also refused.
        CheckConstraint(
            "jc_applied_on IS NOT NULL OR (jc_court_id IS NULL AND jc_accepted_on IS NULL"
            " AND jc_decision IS NULL)",
            name="jc_court_after_application",
        ),
        CheckConstraint("(jc_decision IS NULL) = (jc_decided_on IS NULL)", name="jc_decision_dated"),
        CheckConstraint(
            "jc_accepted_on IS NULL OR jc_decision IS NULL OR jc_decision <> 'not_accepted'",
            name="jc_accepted_or_not",
        ),
        # The oversight figures (``services.metrics``): a scope's agreements reached in the period.
        Index("ix_agreement_station_created", "station_id", "created_at", postgresql_include=["case_id"]),
        # A court liaison's pending applications, oldest first.
        Index(
            "ix_agreement_jc_court_applied",
            "jc_court_id",
            "jc_applied_on",
            postgresql_where=text("jc_court_id IS NOT NULL"),
            sqlite_where=text("jc_court_id IS NOT NULL"),
        ),
    )

    #: The stages (``jc_stage``) at which an application awaits its court.
    AWAITING = ("acceptance", "decision")

    @property
    def jc_stage(self) -> str | None:
        """``None`` (no application), ``acceptance`` (the court is to accept it or not), ``decision``
        (accepted, to be decided) or ``decided`` (not accepted, or found valid or invalid)."""
        if self.jc_applied_on is None:
            return None
        if self.jc_decision is not None:
            return "decided"
        return "decision" if self.jc_accepted_on is not None else "acceptance"


class Referral(db.Model):
    """移交: a case sent out to an agency, or a dispute an agency sent in."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    #: The case's station, copied when the row is made (a case never changes station), so the oversight
    #: figures read a scope's rows of a period straight from one index (``services.metrics``).
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    direction: Mapped[str] = mapped_column(String(8), default="out")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    kind: Mapped[str] = mapped_column(String(32), default="other")
    #: The agency's own case number: a court's 案号 for delegated or entrusted mediation, the police's.
    agency_case_number: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    #: A high-risk case (民转刑) sent to the police: first in their inbox.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at = mapped_column(UTCDateTime)
    response: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    closed_at = mapped_column(UTCDateTime)
    #: Inbound: what the station reported back to the agency (调解情况反馈), once it has.
    feedback_outcome: Mapped[str | None] = mapped_column(String(16))
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_at = mapped_column(UTCDateTime)
    feedback_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    case = relationship("Case", back_populates="referrals")
    agency = relationship("Agency", lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    feedback_by = relationship("User", foreign_keys=[feedback_by_id])

    @property
    def rules(self) -> linkage.ReferralKind:
        return linkage.KINDS[self.kind]

    @property
    def feedback_owed(self) -> bool:
        """The station owes the agency its result: an accepted dispute of a kind that asks for it."""
        return self.rules.feedback_required and self.status == "accepted" and self.feedback_at is None

    __table_args__ = (
        CheckConstraint(in_codes("direction", taxonomy.REFERRAL_DIRECTIONS), name="direction_known"),
        CheckConstraint(in_codes("status", taxonomy.REFERRAL_STATUSES), name="status_known"),
        CheckConstraint(in_codes("kind", linkage.KINDS), name="kind_known"),
        CheckConstraint(
            f"feedback_outcome IS NULL OR {in_codes('feedback_outcome', taxonomy.FEEDBACK_OUTCOMES)}",
            name="feedback_outcome_known",
        ),
        # A liaison's inbox: the agency's referrals by status, oldest first.
        Index("ix_referral_agency_status_created", "agency_id", "status", "created_at"),
        # The oversight figures: a scope's referrals sent in the period.
        Index(
            "ix_referral_station_created",
            "station_id",
            "direction",
            "created_at",
            postgresql_include=["case_id", "status", "answered_at", "agency_id"],
        ),
        # A dispute comes in once (at registration): a list joins it in with its case (``Case.inbound``).
        Index(
            "uq_referral_inbound_case",
            "case_id",
            unique=True,
            postgresql_where=text("direction = 'in'"),
            sqlite_where=text("direction = 'in'"),
        ),
    )


class FollowUpVisit(db.Model):
    """回访: planned (``scheduled_for``, with the deadline it is due by) and then done (``done_on``), or
    cancelled with a reason. What it found is the follow-up record DOMAIN §5 lists."""

    __tablename__ = "follow_up_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    #: The case's station, copied when the row is made (a case never changes station), so the oversight
    #: figures read a scope's rows of a period straight from one index (``services.metrics``).
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    method: Mapped[str] = mapped_column(String(16), default="in_person")
    party_reached: Mapped[str] = mapped_column(String(200), default="")
    #: Why the visit (a planned check on performance, a party's call, a sign of trouble).
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: ``taxonomy.PERFORMANCE``: fully, partly, not; NULL when there was nothing to perform.
    performance: Mapped[str | None] = mapped_column(String(8))
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    lawsuit_filed: Mapped[bool] = mapped_column(Boolean, default=False)
    lawsuit_result: Mapped[str] = mapped_column(Text, default="")
    renewed_conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    measures: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The deadline a planned visit is due by (the first visit's ``follow_up``, or its own ``visit``).
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadline.id"))
    cancelled_at = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    visitor = relationship("User")
    deadline = relationship("Deadline")

    @property
    def agreement_performed(self) -> bool:
        return self.performance == "fully"

    @property
    def is_planned(self) -> bool:
        """Planned, and neither done nor cancelled yet."""
        return self.done_on is None and self.cancelled_at is None

    __table_args__ = (
        CheckConstraint(in_codes("method", taxonomy.VISIT_METHODS), name="method_known"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint(
            f"performance IS NULL OR {in_codes('performance', taxonomy.PERFORMANCE)}",
            name="performance_known",
        ),
        CheckConstraint("scheduled_for IS NOT NULL OR done_on IS NOT NULL", name="planned_or_done"),
        # Visits due across a province: planned and not yet done.
        Index("ix_follow_up_visit_due", "done_on", "scheduled_for"),
        # The oversight figures: a scope's visits made in the period and their satisfaction (read from the
        # index alone).
        Index(
            "ix_follow_up_visit_station_done",
            "station_id",
            "done_on",
            "satisfaction",
            postgresql_include=["case_id"],
        ),
    )


class Attachment(db.Model):
    """Evidence and documents; the bytes live on disk under their SHA-256, never in the database."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by = relationship("User")

    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)
