"""The in-app inbox: one row per notification and reader."""

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes, utcnow
from mediation.notification_kinds import KINDS

UNREAD = "read_at IS NULL"


class Notification(db.Model):
    """Something that happened which is the reader's to know or to do: a referral arrived, was answered.

    Written only by ``services.notifications``, after the change it tells of was committed.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    #: ``notification_kinds.KINDS``: the sentence it shows and where it leads.
    kind: Mapped[str] = mapped_column(String(32))
    #: The codes and values the sentence needs, never its text: it is written in the reader's language when
    #: read.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    #: When what it tells of happened (a step's time).
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at = mapped_column(UTCDateTime)
    #: Set by a sender that tells of something at most once ("deadline 12, due soon"): a second notification
    #: with the same key for the same reader is not created (``uq_notification_user_dedupe``).
    dedupe_key: Mapped[str | None] = mapped_column(String(100))

    case = relationship("Case")

    __table_args__ = (
        CheckConstraint(in_codes("kind", KINDS), name="kind_known"),
        # NULL keys are distinct, so only senders that set one are held to it.
        Index("uq_notification_user_dedupe", "user_id", "dedupe_key", unique=True),
        # The inbox, newest first.
        Index("ix_notification_user_created", "user_id", "created_at"),
        # The navbar's unread count on every page, and "mark all read".
        Index(
            "ix_notification_user_unread",
            "user_id",
            postgresql_where=text(UNREAD),
            sqlite_where=text(UNREAD),
        ),
    )

    def __repr__(self):
        return f"<Notification {self.kind} to {self.user_id}>"
