"""Extensions, created unbound here and bound to the app in ``create_app``."""

import hashlib

from flask import request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

#: Named constraints, so migrations can alter them on every backend (SQLite's batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True, compare_type=True)


def client_identifier() -> str:
    """What "strong" session protection binds a signed-in session to: the client's address as ``ProxyFix``
    leaves it (Flask-Login's own identifier reads ``X-Forwarded-For``, which any client can forge) and its
    browser."""
    return hashlib.sha512(f"{request.remote_addr}|{request.user_agent.string}".encode()).hexdigest()


class SignInManager(LoginManager):
    """Flask-Login's manager with its "strong" session protection made sound. These are private hooks of
    Flask-Login 0.6, whose version setup.cfg pins."""

    def __init__(self):
        super().__init__()
        self._session_identifier_generator = client_identifier

    def _session_protection_failed(self):
        # A session without a signed-in user (a language chosen, a form's CSRF token) has nothing to protect;
        # Flask-Login would still end it, deleting a remember-me cookie it has not even read yet.
        return "_user_id" in session and super()._session_protection_failed()

    def _load_user_from_remember_cookie(self, cookie):
        # Flask-Login restores a session from the cookie without binding it to the client, so the next request
        # would fail protection and end it: "keep me signed in" would keep nobody signed in.
        user = super()._load_user_from_remember_cookie(cookie)
        if user is not None:
            session["_id"] = client_identifier()
        return user


login_manager = SignInManager()
csrf = CSRFProtect()
babel = Babel()
