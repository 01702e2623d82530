"""Configuration: safe defaults, overridden by environment variables and then by ``instance/config.py``.

This is the only module that reads ``os.environ``.
"""

import os
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Accept URLs as people write them (``postgres://…``, ``postgresql://…``) and pick our driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = "dev-only-not-secret"
    SQLALCHEMY_DATABASE_URI = None  # set in from_environment: SQLite under the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: Where uploaded attachments live; outside the database, keyed by checksum.
    UPLOAD_FOLDER = None
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ATTACHMENT_EXTENSIONS = (
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "heic",
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "txt",
        "mp3",
        "m4a",
        "amr",
        "mp4",
    )

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    #: Login throttling; set a Redis URI in production so every app instance shares the count.
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    #: The intake type-ahead, per user: typing asks about once a keystroke pause, never this often.
    PARTY_SEARCH_RATE_LIMIT = "60 per minute;600 per hour"

    LANGUAGES = ("zh_Hans_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    #: Bootstrap's CSS and JS come from the Bootstrap-Flask package, served by us: no CDN.
    BOOTSTRAP_SERVE_LOCAL = True

    CASES_PER_PAGE = 25

    #: Deadlines in days (DOMAIN.md); local practice, so configurable.
    DEADLINE_DAYS = {
        "registered": 3,  # decide whether to accept
        "mediating": 30,  # "generally concluded within one month"
        "mediating_extension": 30,  # one extension, with both parties' consent
        "referred": {"police": 1, "default": 3},  # the agency answers the referral
        "with_agency": {"police": 5, "court": 30, "default": 15},  # the agency reports a result
        "following_up": 7,  # first visit, when the agreement sets no performance deadline
    }


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    #: Throttling stays on (the extension is configured once per process); tests lower the limit to test it.
    LOGIN_RATE_LIMIT = "1000 per minute"
    PARTY_SEARCH_RATE_LIMIT = "1000 per minute"
    BABEL_DEFAULT_LOCALE = "en"


def from_environment(app) -> None:
    """Apply environment variables, then fill the defaults that depend on the instance folder."""
    env = os.environ
    if "SECRET_KEY" in env:
        app.config["SECRET_KEY"] = env["SECRET_KEY"]
    if "DATABASE_URL" in env:
        app.config["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    if "UPLOAD_FOLDER" in env:
        app.config["UPLOAD_FOLDER"] = env["UPLOAD_FOLDER"]
    if "RATELIMIT_STORAGE_URI" in env:
        app.config["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    if env.get("SESSION_COOKIE_SECURE", "").lower() in ("0", "false", "no"):
        # `make run` serves plain http on 127.0.0.1: a secure-only cookie would never come back.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False


def finish(app) -> None:
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'mediation.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
