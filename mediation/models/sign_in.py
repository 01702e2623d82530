"""Sign-in sessions, kept on the server so that signing out really ends them.

Flask-Login keeps a session's random token, not the user's id, in the signed session cookie and in the
remember-me cookie; only the token's SHA-256 digest is stored here. A cookie copied before its session was
revoked, expired, or its user deactivated no longer signs anyone in (``mediation.auth.sign_in``).
"""

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.extensions import db
from mediation.models._base import UTCDateTime, utcnow


class SignInSession(db.Model):
    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Hex SHA-256 of the token the browser holds; the token itself is never stored.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: When a request last came with it (updated at most every ``SIGN_IN_SESSION_TOUCH``).
    last_seen_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: Fixed at sign-in: ``PERMANENT_SESSION_LIFETIME``, or ``REMEMBER_COOKIE_DURATION`` when remembered.
    expires_at = mapped_column(UTCDateTime, nullable=False)
    #: "Keep me signed in on this device" was ticked: a remember-me cookie carries the token.
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Set when its user signs out; a revoked session never signs anyone in again.
    revoked_at = mapped_column(UTCDateTime)
    #: Where it was started from (the client's address as ``ProxyFix`` leaves it) and with which browser.
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user = relationship("User", lazy="joined")

    __table_args__ = (Index("ix_sign_in_session_user_id", "user_id"),)

    def __repr__(self):
        return f"<SignInSession {self.user_id} {'revoked' if self.revoked_at else 'live'}>"
