"""Signing in and out: passwords checked under the throttle, and server-side sign-in sessions.

Called by the auth views (and the Flask-Login user loader); like a service, nothing here commits: the
caller commits once, including the audit entry each sign-in, failure, refusal and sign-out writes
(realm ``account``, with the client's address from ``audit.origin``).
"""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from mediation.clock import utcnow
from mediation.extensions import db
from mediation.models import SignInSession, User
from mediation.services import audit
from mediation.services.notifications import unread_of
from mediation.throttle import Attempt, sign_in_throttle


class Throttled(Exception):
    """Too many failed sign-ins for this account or address (or from this device) just now."""

    def __init__(self, wait: int):
        super().__init__(f"wait {wait} s")
        #: Whole seconds until an attempt is counted again: the moment the oldest failure leaves its window.
        self.wait = wait


def check_password(username: str, password: str, *, address: str, known_device) -> User | None:
    """The active user ``username`` names if ``password`` is theirs, else ``None`` (a failure, counted).

    Anyone may call it, signed in or not. ``known_device(user_id)`` gives the id this browser is known by
    for that account, or ``None``. Raises ``Throttled`` before looking at the password while the attempt's
    counts are full. An unknown account costs one password hash like a known one, and is throttled alike.
    """
    typed = username.strip()
    user = db.session.scalar(select(User).filter_by(username=typed))
    attempt = Attempt(typed, address, known_device(user.id) if user is not None else None)
    throttle = sign_in_throttle()
    wait = throttle.wait(attempt)
    if wait:
        _record(user, "sign_in_throttled", typed, {"username": typed, "wait_seconds": wait})
        raise Throttled(wait)
    right = user.check_password(password) if user is not None else User.check_password_of_nobody(password)
    if right and user.active:
        return user
    throttle.failed(attempt)
    _record(user, "sign_in_failed", typed, {"username": typed})
    return None


def start(user: User, *, remember: bool, address: str, user_agent: str, now: datetime | None = None) -> str:
    """Open a sign-in session for ``user``, whose password was just checked; return its token (also set as
    ``user.session_token``, which Flask-Login keeps as the user's id).

    It lasts ``PERMANENT_SESSION_LIFETIME``, or ``REMEMBER_COOKIE_DURATION`` when ``remember``, from now.
    """
    now = now or utcnow()
    lifetime = (
        current_app.config["REMEMBER_COOKIE_DURATION"] if remember else current_app.permanent_session_lifetime
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        SignInSession(
            token_digest=_digest(token),
            user=user,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            remember=remember,
            address=address[:64],
            user_agent=user_agent[:200],
        )
    )
    user.session_token = token
    _record(user, "sign_in", user.username, {"remember": remember})
    return token


#: The reader's scope, loaded with them (built once).
_READER = (joinedload(User.agency), joinedload(User.stations))


def user_of(token: str, now: datetime | None = None) -> User | None:
    """The user signed in through ``token``'s session while it is neither revoked nor expired and the user is
    active; ``None`` otherwise. Flask-Login's user loader, for the session and the remember-me cookie."""
    now = now or utcnow()
    # One statement for what every page reads of its reader: the user, their agency and stations (the scope
    # of every query and check), and the navbar's unread count; of the session, only what touching it needs.
    found = (
        db.session.execute(
            select(User, SignInSession.id, SignInSession.last_seen_at, unread_of(User.id).scalar_subquery())
            .join(SignInSession, SignInSession.user_id == User.id)
            .where(
                SignInSession.token_digest == _digest(token),
                SignInSession.revoked_at.is_(None),
                SignInSession.expires_at > now,
            )
            .options(*_READER)
        )
        .unique()
        .first()
    )
    if found is None or not found[0].active:
        return None
    user, session_id, last_seen_at, unread = found
    if now - last_seen_at >= current_app.config["SIGN_IN_SESSION_TOUCH"]:
        _touch(session_id, now)
    user.session_token = token
    user.unread_notifications = unread
    return user


def end(user: User, now: datetime | None = None) -> None:
    """Revoke the sign-in session ``user`` is signed in through: its session and remember-me cookies, and any
    copy of them, sign nobody in again."""
    row = db.session.scalar(select(SignInSession).filter_by(token_digest=_digest(user.get_id())))
    row.revoked_at = now or utcnow()
    _record(user, "sign_out", user.username, {})


def _touch(session_id: int, now: datetime) -> None:
    """Write "last seen" in a transaction of its own: a page that only reads commits nothing, and this must
    not wait for (or become part of) the request's own work."""
    with db.engine.begin() as connection:
        seen = update(SignInSession).where(SignInSession.id == session_id).values(last_seen_at=now)
        connection.execute(seen)


def _record(user: User | None, action: str, username: str, details: dict) -> None:
    audit.record(user, "account", action, target=f"user:{username}", new=details)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
