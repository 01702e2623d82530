"""督办: a supervisor presses a stuck case of their stations, and the station answers with its progress."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from mediation import taxonomy
from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes, utcnow

OPEN = "ended_at IS NULL"


class Supervision(db.Model):
    """One supervision of a case: what the supervisor asks, by when, how pressing; open until the supervisor
    ends it or the case closes. Written only by ``services.supervision`` (and ``apply_step`` on closing)."""

    __tablename__ = "supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    #: The case's station, so "under supervision at my stations" is one index range.
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    urgency: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date] = mapped_column(Date)
    request: Mapped[str] = mapped_column(Text)
    #: The deadline row the station's answer is due by (met by the first answer).
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadline.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ended_at = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: ``taxonomy.SUPERVISION_ENDINGS`` once ended.
    ending: Mapped[str | None] = mapped_column(String(16))
    #: What the supervisor said in ending it.
    conclusion: Mapped[str] = mapped_column(Text, default="")

    case = relationship("Case", back_populates="supervisions")
    supervisor = relationship("User", foreign_keys=[supervisor_id], lazy="joined")
    ended_by = relationship("User", foreign_keys=[ended_by_id])
    deadline = relationship("Deadline")
    answers = relationship("SupervisionAnswer", order_by="SupervisionAnswer.id", cascade="all")
    #: How many answers it has, when a list loads that instead of them (``services.supervision.open_at``).
    answer_count: Mapped[int | None] = query_expression()

    __table_args__ = (
        CheckConstraint(in_codes("urgency", taxonomy.SUPERVISION_URGENCIES), name="urgency_known"),
        CheckConstraint(
            f"ending IS NULL OR {in_codes('ending', taxonomy.SUPERVISION_ENDINGS)}", name="ending_known"
        ),
        CheckConstraint("(ended_at IS NULL) = (ending IS NULL)", name="ended_iff_ending"),
        # A case is under one supervision at a time.
        Index(
            "uq_supervision_open_case",
            "case_id",
            unique=True,
            postgresql_where=text(OPEN),
            sqlite_where=text(OPEN),
        ),  # fmt: skip
        Index("ix_supervision_case_id", "case_id", "id"),
        # The oversight figures: a scope's supervisions started in the period.
        Index(
            "ix_supervision_station_created",
            "station_id",
            "created_at",
            postgresql_include=["case_id", "ended_at"],
        ),
        Index(
            "ix_supervision_station_open", "station_id", postgresql_where=text(OPEN), sqlite_where=text(OPEN)
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class SupervisionAnswer(db.Model):
    """The station's progress note on a supervision (督办回复)."""

    __tablename__ = "supervision_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervision.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User", lazy="joined")
