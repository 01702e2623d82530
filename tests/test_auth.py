"""Signing in and out: server-side sign-in sessions, remember-me, the audit trail of sign-ins, languages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation import create_app
from mediation.auth import sign_in
from mediation.clock import utcnow
from mediation.config import Config, TestConfig
from mediation.models import AuditEntry, SignInSession
from tests.conftest import login, make_case

REMEMBER = "remember_token"
SESSION = "session"


def test_pages_need_a_signed_in_user(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_user_signs_in_and_sees_their_open_cases(client, station, mediator, colleague):
    mine = make_case(station, mediator, title="楼上漏水")
    theirs = make_case(station, colleague, title="Parking space")
    theirs.mediator = colleague
    login(client, mediator)
    page = client.get("/").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page


def test_a_wrong_password_re_renders_the_form_with_an_error(client, mediator):
    response = client.post("/login", data={"username": "wang", "password": "nope"})
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in(client, mediator):
    mediator.active = False
    response = client.post("/login", data={"username": "wang", "password": "correct horse 8"})
    assert response.status_code == 200 and "Wrong username or password." in response.get_data(as_text=True)


def test_passwords_are_stored_hashed(mediator):
    assert "correct horse 8" not in mediator.password_hash
    assert mediator.check_password("correct horse 8") and not mediator.check_password("correct horse 9")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_sign_in_never_redirects_off_site(client, mediator, target):
    response = client.post(f"/login?next={target}", data={"username": "wang", "password": "correct horse 8"})
    assert response.headers["Location"] == "/"


def test_sign_out_needs_a_post(client, mediator):
    login(client, mediator)
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


# --- Server-side sign-in sessions ------------------------------------------------------------------------


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def copy_cookie(source, target, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, client, mediator):
    login(client, mediator)
    thief = app.test_client()
    copy_cookie(client, thief, SESSION)
    assert signed_in(thief)
    client.post("/logout")
    assert not signed_in(thief)
    assert not signed_in(client)


def test_keep_me_signed_in_signs_in_a_new_browser_with_only_its_cookie_until_sign_out(app, client, mediator):
    client.post("/login", data={"username": "wang", "password": "correct horse 8", "remember": "y"})
    restarted = app.test_client()  # the browser after a restart: the session cookie is gone
    copy_cookie(client, restarted, REMEMBER)
    assert signed_in(restarted)
    assert signed_in(restarted), "the session restored from the cookie must survive the next request"
    client.post("/logout")
    assert client.get_cookie(REMEMBER) is None, "signing out deletes the remember-me cookie"
    again = app.test_client()
    copy_cookie(restarted, again, REMEMBER)
    assert not signed_in(again)
    assert not signed_in(restarted)


def test_keep_me_signed_in_lasts_its_configured_days_not_a_year(app, client, db, mediator):
    client.post("/login", data={"username": "wang", "password": "correct horse 8", "remember": "y"})
    row = db.session.scalar(select(SignInSession))
    days = app.config["REMEMBER_COOKIE_DURATION"]
    assert row.remember and row.expires_at - row.created_at == days
    assert abs(client.get_cookie(REMEMBER).expires - (row.created_at + days)) < timedelta(minutes=1)


def test_without_keep_me_signed_in_the_session_ends_with_the_browser_and_the_lifetime(
    app, client, db, mediator
):
    login(client, mediator)
    assert client.get_cookie(REMEMBER) is None
    assert client.get_cookie(SESSION).expires is None, "a browser-session cookie"
    row = db.session.scalar(select(SignInSession))
    assert not row.remember and row.expires_at - row.created_at == app.permanent_session_lifetime


def test_an_expired_sign_in_session_signs_nobody_in(client, db, mediator):
    client.post("/login", data={"username": "wang", "password": "correct horse 8", "remember": "y"})
    row = db.session.scalar(select(SignInSession))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not signed_in(client)


def test_deactivating_a_user_ends_their_sessions(client, db, mediator):
    client.post("/login", data={"username": "wang", "password": "correct horse 8", "remember": "y"})
    assert signed_in(client)
    mediator.active = False
    db.session.commit()
    assert not signed_in(client)


def test_each_sign_in_is_its_own_session_and_only_its_digest_is_stored(app, client, db, mediator):
    other = app.test_client()
    login(client, mediator)
    login(other, mediator)
    client.post("/logout")
    assert signed_in(other), "signing out on one device leaves the other signed in"
    rows = db.session.scalars(select(SignInSession).order_by(SignInSession.id)).all()
    assert [row.revoked_at is not None for row in rows] == [True, False]
    cookie = other.get_cookie(SESSION).value
    assert all(row.token_digest not in cookie for row in rows)
    assert rows[1].address == "127.0.0.1" and rows[1].user_agent.startswith("Werkzeug")


def test_last_seen_is_written_at_most_every_few_minutes(app, client, db, mediator):
    login(client, mediator)
    row = db.session.scalar(select(SignInSession))
    token = mediator.session_token
    touch = app.config["SIGN_IN_SESSION_TOUCH"]
    soon, later = row.last_seen_at + touch / 2, row.last_seen_at + touch
    assert sign_in.user_of(token, now=soon) is mediator
    db.session.expire_all()
    assert row.last_seen_at < soon
    assert sign_in.user_of(token, now=later) is mediator
    db.session.expire_all()
    assert row.last_seen_at == later


def test_a_remember_me_cookie_naming_a_user_id_signs_nobody_in_even_with_the_real_key(app, db, admin):
    """Before sign-in sessions, the cookie held the user's id: with the public development key anyone could
    forge an admin's. Now it holds a session's random token, which no key can make up."""
    from flask_login.utils import encode_cookie

    db.session.commit()
    forger = app.test_client()
    with app.test_request_context():
        forger.set_cookie(REMEMBER, encode_cookie(str(admin.id)))
    assert not signed_in(forger)


def test_signing_in_and_out_is_in_the_audit_log(client, db, mediator):
    client.post("/login", data={"username": "wang", "password": "wrong guess"})
    client.post("/login", data={"username": "nobody", "password": "wrong guess"})
    login(client, mediator)
    client.post("/logout")
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target, e.realm) for e in entries] == [
        ("sign_in_failed", mediator.id, "user:wang", "account"),
        ("sign_in_failed", None, "user:nobody", "account"),
        ("sign_in", mediator.id, "user:wang", "account"),
        ("sign_out", mediator.id, "user:wang", "account"),
    ]
    assert entries[1].new == {"username": "nobody"}
    assert all(e.address == "127.0.0.1" for e in entries)
    assert not any("wrong guess" in str(e.new) or "correct horse" in str(e.new) for e in entries)


# --- Production settings ---------------------------------------------------------------------------------


@pytest.fixture
def production_like_app(app):
    """The real configuration (CSRF on, throttling on) on the test database."""

    class Strict(Config):
        SECRET_KEY = "a strict test key that is long enough to be accepted"
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_STORAGE_URI = "memory://"

    return create_app(Strict)


def test_forms_without_a_csrf_token_are_refused(production_like_app, mediator, db):
    db.session.commit()
    response = production_like_app.test_client().post(
        "/login", data={"username": "wang", "password": "correct horse 8"}, base_url="https://localhost"
    )
    assert response.status_code == 400


def test_session_cookies_are_secure_and_http_only(production_like_app):
    config = production_like_app.config
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["REMEMBER_COOKIE_SECURE"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


# --- Languages -------------------------------------------------------------------------------------------


def test_the_interface_follows_the_browser_language_and_then_the_users_choice(client, mediator):
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(
        as_text=True
    )
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    login(client, mediator)
    client.post("/language/en", data={"next": "/"})
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Sign out" in page
    assert mediator.locale == "en"


def test_choosing_a_language_keeps_a_remembered_sign_in(app, client, mediator):
    client.post("/login", data={"username": "wang", "password": "correct horse 8", "remember": "y"})
    restarted = app.test_client()
    copy_cookie(client, restarted, REMEMBER)
    restarted.post("/language/zh_Hans_CN", data={"next": "/"})
    assert "退出" in restarted.get("/").get_data(as_text=True)


def test_an_unknown_language_is_not_found(client):
    assert client.post("/language/xx").status_code == 404


def test_test_config_is_not_the_production_default():
    assert TestConfig.WTF_CSRF_ENABLED is False and Config.SESSION_COOKIE_SECURE is True
