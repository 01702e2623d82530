"""What every response and the app as a whole must hold to: a real secret key, client addresses that a
client cannot forge, and the headers a trusted web application sends.

``init_app`` is called by ``create_app`` once the configuration is final.
"""

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from mediation.config import DEVELOPMENT_SECRET_KEY

#: Shortest secret key accepted outside debugging and tests (``secrets.token_hex(32)`` gives 64).
MIN_SECRET_KEY_LENGTH = 32

#: Only our own files: no inline script or style (templates keep behaviour in static/*.js and looks in CSS),
#: and Bootstrap's inline SVG icons (``data:``) in its stylesheet.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class InsecureConfiguration(RuntimeError):
    """The app was asked to serve with settings that would let anyone in."""


def init_app(app) -> None:
    check_secret_key(app.config)
    _trust_configured_proxies(app)
    app.after_request(_add_headers)


def check_secret_key(config) -> None:
    """Refuse to build the app, outside debugging and tests, with a missing, public or short ``SECRET_KEY``:
    with a known key anyone can sign a session or remember-me cookie for any account."""
    if config.get("TESTING") or config.get("DEBUG"):
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise InsecureConfiguration(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. "
            "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')` "
            "(`make run` keeps one in instance/secret_key)."
        )


def _trust_configured_proxies(app) -> None:
    """Take the client's address (and scheme, host) from ``X-Forwarded-*`` only as far as the configured
    proxies set them; with none configured the headers are ignored and ``request.remote_addr`` is the peer."""
    counts = {
        "x_for": app.config["PROXY_FIX_X_FOR"],
        "x_proto": app.config["PROXY_FIX_X_PROTO"],
        "x_host": app.config["PROXY_FIX_X_HOST"],
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Pages and JSON may hold personal data: no browser or proxy keeps a copy. Static files may be cached.
    if not (request.endpoint or "").endswith("static"):
        response.headers["Cache-Control"] = "no-store"
    return response
