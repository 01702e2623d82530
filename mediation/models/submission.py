"""One-time submission keys: a form posted twice (a retry after a dropped connection) acts once."""

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mediation.extensions import db
from mediation.models._base import UTCDateTime, utcnow


class Submission(db.Model):
    """A form that was acted on. Written in the same transaction as the work it did, so the key exists
    exactly when the work was committed."""

    __tablename__ = "submission"

    #: The random key the form carried (``web.SubmissionKey``).
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: Where the first submit led; a retry of the same form is sent there.
    result_url: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (Index("ix_submission_created_at", "created_at"),)
