"""Configuration: safe defaults, overridden by environment variables and then by ``instance/config.py``.

This is the only module that reads ``os.environ``.
"""

import os
from datetime import timedelta
from pathlib import Path

from mediation import taxonomy

#: ``Config``'s key: public, so the app refuses to serve with it (``security.check_secret_key``).
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"


def normalise_database_url(url: str) -> str:
    """Accept URLs as people write them (``postgres://…``, ``postgresql://…``) and pick our driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    #: Signs the session, remember-me and known-device cookies. Outside debugging and tests it must be set (at
    #: least 32 characters); `make run` makes one in ``instance/secret_key``.
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = None  # set in from_environment: SQLite under the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: PostgreSQL: the parallel workers one query may start (``max_parallel_workers_per_gather``), set on
    #: each of the app's connections; ``None`` leaves the server's setting. A page's queries take
    #: milliseconds, and starting a worker costs about as much; under load the workers take the cores the
    #: app's own need (a district supervisor's "my work" at 1,000,000 cases: 63 requests/s with the server's
    #: 2, 96 with none; ``docs/performance.md``).
    DATABASE_PARALLEL_WORKERS = 0
    #: Where uploaded attachments live; outside the database, keyed by checksum.
    UPLOAD_FOLDER = None
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    #: Which of the types the product knows (``taxonomy.ATTACHMENT_TYPES``) a deployment accepts.
    ATTACHMENT_EXTENSIONS = tuple(taxonomy.ATTACHMENT_TYPES)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: A sign-in without "keep me signed in" ends with the browser, and on the server after this at most.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: "Keep me signed in on this device" lasts this long from the sign-in (fixed, not sliding): the
    #: remember-me cookie and the server's sign-in session expire together.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    #: How often a sign-in session's "last seen" is written (not on every request).
    SIGN_IN_SESSION_TOUCH = timedelta(minutes=5)

    #: Behind a reverse proxy, how many proxies set each ``X-Forwarded-*`` header (werkzeug's ``ProxyFix``).
    #: 0, the default, trusts none: a client's forged ``X-Forwarded-For`` then changes nothing.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0

    #: Where the sign-in throttle counts failures (``limits`` storage): set a Redis URI in production so
    #: every worker and instance shares the count; ``memory://`` counts per process.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "mediation"
    #: Failed sign-ins allowed per moving window before attempts wait (docs/architecture.md, "Signing in"):
    #: per account typed, per client address (a whole station may share one), and per known device of an
    #: account (which replaces the other two for the browser the owner signed in from before).
    SIGN_IN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
    SIGN_IN_FAILURES_PER_ADDRESS = "100 per 15 minutes"
    SIGN_IN_FAILURES_PER_DEVICE = "10 per 15 minutes"
    #: How long a browser stays a known device of the accounts signed in from it.
    KNOWN_DEVICE_DURATION = timedelta(days=365)
    #: The intake type-ahead, per user: typing asks about once a keystroke pause, never this often.
    PARTY_SEARCH_RATE_LIMIT = "60 per minute;600 per hour"

    LANGUAGES = ("zh_Hans_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    #: Bootstrap's CSS and JS come from the Bootstrap-Flask package, served by us: no CDN.
    BOOTSTRAP_SERVE_LOCAL = True

    CASES_PER_PAGE = 25

    #: Reminders (``mediation remind``) are also e-mailed, to users with an address, through this SMTP
    #: server; empty, the default, sends no e-mail. ``MAIL_USE_STARTTLS`` upgrades the connection before
    #: signing in (with ``MAIL_USERNAME``/``MAIL_PASSWORD``, when set); ``MAIL_TIMEOUT`` is in seconds.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_STARTTLS = False
    MAIL_FROM = "mediation@localhost"
    MAIL_TIMEOUT = 10.0
    #: Where users reach the product (``https://tiaojie.example.cn``): an e-mail links to the case there.
    #: Empty, the default: e-mails carry no link.
    PUBLIC_URL = ""


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    #: Throttling stays on, with room for the suite's many wrong passwords; tests of it set their own limits.
    SIGN_IN_FAILURES_PER_ACCOUNT = SIGN_IN_FAILURES_PER_ADDRESS = "1000 per minute"
    PARTY_SEARCH_RATE_LIMIT = "1000 per minute"
    BABEL_DEFAULT_LOCALE = "en"


def from_environment(app) -> None:
    """Apply environment variables, then fill the defaults that depend on the instance folder."""
    env = os.environ
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "PUBLIC_URL"):
        if name in env:
            app.config[name] = env[name]
    if "MAIL_PORT" in env:
        app.config["MAIL_PORT"] = int(env["MAIL_PORT"])
    if "MAIL_TIMEOUT" in env:
        app.config["MAIL_TIMEOUT"] = float(env["MAIL_TIMEOUT"])
    if "MAIL_USE_STARTTLS" in env:
        app.config["MAIL_USE_STARTTLS"] = env["MAIL_USE_STARTTLS"].lower() in ("1", "true", "yes")
    if "SECRET_KEY" in env:
        app.config["SECRET_KEY"] = env["SECRET_KEY"]
    if "DATABASE_URL" in env:
        app.config["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    if "DATABASE_PARALLEL_WORKERS" in env:  # empty: the server's setting
        workers = env["DATABASE_PARALLEL_WORKERS"].strip()
        app.config["DATABASE_PARALLEL_WORKERS"] = int(workers) if workers else None
    if "UPLOAD_FOLDER" in env:
        app.config["UPLOAD_FOLDER"] = env["UPLOAD_FOLDER"]
    if "RATELIMIT_STORAGE_URI" in env:
        app.config["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    for name in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST"):
        if name in env:
            app.config[name] = int(env[name])
    if env.get("SESSION_COOKIE_SECURE", "").lower() in ("0", "false", "no"):
        # `make run` serves plain http on 127.0.0.1: a secure-only cookie would never come back.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False


def finish(app) -> None:
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'mediation.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    workers = app.config.get("DATABASE_PARALLEL_WORKERS")
    if workers is not None and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # In the connection's startup packet: no statement, and a rolled-back transaction cannot undo it.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = dict(options.get("connect_args", {}))
        setting = f"-c max_parallel_workers_per_gather={int(workers)}"
        connect_args["options"] = (
            f"{connect_args['options']} {setting}" if "options" in connect_args else setting
        )
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
