"""Known devices: a signed cookie a browser receives when someone signs in from it, naming the accounts
signed in from it (at most ``MAX_ACCOUNTS``, as a station's computer is shared).

The sign-in throttle (``mediation.throttle``) counts an account's failed sign-ins from its known device
apart from everyone else's, so an attacker who locks the account elsewhere does not lock its owner out.
The cookie says nothing about who is signed in now and signs nobody in; it is only sent to the sign-in page.
"""

import secrets

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "known_device"
MAX_ACCOUNTS = 10


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    max_age = current_app.config["KNOWN_DEVICE_DURATION"].total_seconds()
    try:
        data = _serializer().loads(raw, max_age=max_age)
    except BadData:
        return None
    if not (
        isinstance(data, dict) and isinstance(data.get("id"), str) and isinstance(data.get("accounts"), list)
    ):
        return None
    return data


def known_device(user_id: int) -> str | None:
    """The id this browser is known by for account ``user_id``, or ``None`` if it never signed in to it."""
    data = _read()
    if data is None or user_id not in data["accounts"]:
        return None
    return f"{data['id']}:{user_id}"


def remember(response, user_id: int) -> None:
    """After a successful sign-in to ``user_id``: make (or renew) this browser a known device of it."""
    data = _read() or {"id": secrets.token_urlsafe(16), "accounts": []}
    accounts = [user_id, *(a for a in data["accounts"] if a != user_id)][:MAX_ACCOUNTS]
    config = current_app.config
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"id": data["id"], "accounts": accounts}),
        max_age=int(config["KNOWN_DEVICE_DURATION"].total_seconds()),
        path=url_for("auth.login"),
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
