"""Accounts, their role, and what they belong to: stations (mediators, supervisors) or an agency."""

import functools
import secrets

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from mediation import taxonomy
from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes, utcnow

#: Mediators serve at these stations; supervisors oversee them.
user_station = Table(
    "user_station",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("station_id", ForeignKey("station.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(db.Model):
    """An account. Flask-Login's user: it knows the sign-in session it was loaded through (``get_id``)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: Where reminders are e-mailed when the deployment configures SMTP (``MAIL_SERVER``); empty: none.
    email: Mapped[str] = mapped_column(String(254), default="")
    #: Preferred interface language; empty means "follow the browser" (and the deployment's default for mail).
    locale: Mapped[str] = mapped_column(String(10), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)

    #: Loaded with the signed-in user (``auth.sign_in.user_of``), never with every user a page names.
    stations = relationship("Station", secondary=user_station, lazy="select", order_by="Station.code")
    agency = relationship("Agency", lazy="select")

    __table_args__ = (
        CheckConstraint(in_codes("role", taxonomy.ROLE_LABELS), name="role_known"),
        # A liaison speaks for exactly one agency; nobody else belongs to one.
        CheckConstraint(
            f"({in_codes('role', taxonomy.LIAISON_ROLES)}) = (agency_id IS NOT NULL)",
            name="agency_iff_liaison",
        ),
    )

    #: The token of the sign-in session this object was loaded or signed in through; set by
    #: ``mediation.auth.sign_in``, never stored. Flask-Login keeps it, not ``id``, in the session and the
    #: remember-me cookie, so that signing out can revoke exactly that session.
    session_token = None
    #: How many of the user's notifications were unread when they were loaded as the signed-in user (set by
    #: ``mediation.auth.sign_in.user_of``, never stored); ``None``: not counted.
    unread_notifications = None
    #: Only users signed in through a live session are ever Flask-Login's ``current_user``.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("this user was not signed in through a sign-in session")
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_password_of_nobody(password: str) -> bool:
        """Check ``password`` against a hash made as real passwords are, and refuse: a sign-in to an account
        that does not exist costs what one to a real account does, so the time taken tells nothing."""
        check_password_hash(_nobodys_password_hash(), password)
        return False

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def station_ids(self) -> set[int]:
        return {s.id for s in self.stations}

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


@functools.cache
def _nobodys_password_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))
