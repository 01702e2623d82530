import pytest

from mediation import create_app
from mediation.config import Config, TestConfig
from mediation.extensions import limiter
from tests.conftest import login, make_case


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
    assert response.status_code == 200


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


@pytest.fixture
def production_like_app(app):
    """The real configuration (CSRF on, throttling on) on the test database."""

    class Strict(Config):
        SECRET_KEY = "strict"
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


@pytest.fixture
def throttled(app):
    """The production login limit, with a fresh count."""
    limit = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = Config.LOGIN_RATE_LIMIT
    limiter.reset()
    yield
    app.config["LOGIN_RATE_LIMIT"] = limit
    limiter.reset()


def test_repeated_failed_sign_ins_are_throttled_per_address(client, throttled, mediator):
    codes = [
        client.post("/login", data={"username": "wang", "password": f"guess{i}"}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_guessing_one_account_from_many_addresses_is_throttled(client, throttled, mediator):
    codes = [
        client.post(
            "/login",
            data={"username": "wang", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(11)
    ]
    assert codes[-1] == 429


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


def test_an_unknown_language_is_not_found(client):
    assert client.post("/language/xx").status_code == 404


def test_test_config_is_not_the_production_default():
    assert TestConfig.WTF_CSRF_ENABLED is False and Config.SESSION_COOKIE_SECURE is True
