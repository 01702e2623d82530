"""What an attacker hits: forged client addresses, the public secret key, missing headers, and password
guessing (the sign-in throttle, in Redis shared by every instance)."""

import os
import uuid
from datetime import timedelta
from types import SimpleNamespace

import limits.storage.redis
import pytest
import redis
from sqlalchemy import select

from mediation import create_app
from mediation.clock import utcnow
from mediation.config import DEVELOPMENT_SECRET_KEY, Config, TestConfig
from mediation.extensions import db as _db
from mediation.models import AuditEntry
from mediation.security import InsecureConfiguration
from tests.conftest import login, make_case, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse 8"


def another_app(app, **settings):
    """An app instance beside the suite's, on the same database (as another worker or machine would be)."""
    config = {
        **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")},
        **settings,
    }

    class Instance(TestConfig):
        pass

    for key, value in config.items():
        setattr(Instance, key, value)
    return create_app(Instance)


@pytest.fixture
def instances():
    """Apps made for a test; their database connections are closed afterwards."""
    made = []
    yield made
    for instance in made:
        with instance.app_context():
            _db.engine.dispose()


# --- Client addresses: X-Forwarded-For only from a configured proxy --------------------------------------


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(client, db, mediator):
    login_from = {"REMOTE_ADDR": "10.0.0.7"}
    client.post(
        "/login",
        data={"username": "wang", "password": PASSWORD},
        environ_base=login_from,
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    forged = client.get("/", environ_base=login_from, headers={"X-Forwarded-For": "203.0.113.66"})
    assert forged.status_code == 200, "the session is bound to the real peer, not to a header"
    moved = client.get("/", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert moved.status_code == 302, "strong session protection still ends a session used from elsewhere"
    entry = db.session.scalar(select(AuditEntry).filter_by(action="sign_in"))
    assert entry.address == "10.0.0.7"


def test_behind_a_configured_proxy_its_forwarded_for_is_the_client(app, db, mediator, instances):
    behind_proxy = another_app(app, PROXY_FIX_X_FOR=1)
    instances.append(behind_proxy)
    db.session.commit()
    client = behind_proxy.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    client.post(
        "/login",
        data={"username": "wang", "password": PASSWORD},
        environ_base=proxy,
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    same = client.get("/", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"})
    assert same.status_code == 200
    other = client.get("/", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.66"})
    assert other.status_code == 302, "the proxy says another client sent it"
    entry = db.session.scalar(select(AuditEntry).filter_by(action="sign_in"))
    assert entry.address == "198.51.100.1"


def test_only_as_many_forwarded_addresses_as_proxies_are_trusted(app, db, mediator, instances):
    behind_proxy = another_app(app, PROXY_FIX_X_FOR=1)
    instances.append(behind_proxy)
    db.session.commit()
    behind_proxy.test_client().post(
        "/login",
        data={"username": "wang", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.66, 198.51.100.1"},  # the client forged the first one
    )
    assert db.session.scalar(select(AuditEntry.address).filter_by(action="sign_in")) == "198.51.100.1"


# --- The secret key --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", DEVELOPMENT_SECRET_KEY, "short-but-not-empty"])
def test_the_app_refuses_to_start_without_a_real_secret_key(key):
    class Production(Config):
        SECRET_KEY = key

    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        create_app(Production)


def test_a_long_random_secret_key_is_accepted_and_debugging_may_use_the_development_one(tmp_path):
    class Production(Config):
        SECRET_KEY = "9f" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.sqlite'}"

    class Debugging(Production):
        SECRET_KEY = DEVELOPMENT_SECRET_KEY
        DEBUG = True

    assert create_app(Production).secret_key == "9f" * 32
    assert create_app(Debugging).secret_key == DEVELOPMENT_SECRET_KEY


# --- Headers ---------------------------------------------------------------------------------------------

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response, *, cached=False):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert ("no-store" in response.headers.get("Cache-Control", "")) is not cached


def test_every_page_json_and_error_carries_the_security_headers(client, station, mediator):
    case = make_case(station, mediator)
    assert_security_headers(client.get("/login"))
    login(client, mediator)
    for response in (
        client.get("/"),
        client.get(f"/cases/{case.number}"),
        client.get("/parties/search?q=王", headers={"Accept": "application/json"}),
        client.get("/cases/XLG-1999-9999"),  # 404
        client.get("/logout"),  # 405
        client.post("/language/xx"),  # 404 from a view
    ):
        assert_security_headers(response)
    assert client.get("/parties/search?q=王").is_json


def test_static_files_may_be_cached_but_carry_the_other_headers(client):
    for path in ("/static/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response, cached=True)
        response.close()


# --- Password guessing -----------------------------------------------------------------------------------


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the Redis on 127.0.0.1:6379, emptied afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    prefix = f"mediation-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def workers(app, db, instances, redis_prefix):
    """Two app instances counting in one Redis, with small limits: 3 failures per account or per device, 5
    per address, in 15 minutes."""
    settings = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "SIGN_IN_FAILURES_PER_ACCOUNT": "3 per 15 minutes",
        "SIGN_IN_FAILURES_PER_ADDRESS": "5 per 15 minutes",
        "SIGN_IN_FAILURES_PER_DEVICE": "3 per 15 minutes",
    }
    instances.extend([another_app(app, **settings), another_app(app, **settings)])
    return instances


@pytest.fixture
def owner(mediator, db):
    db.session.commit()  # the instances have database sessions of their own
    return mediator


class Clock:
    """The throttle's time and the limits library's, moved by the test: windows pass without waiting."""

    def __init__(self):
        # Whole seconds: Redis keeps the moving window's timestamps to 14 significant digits.
        self.now = utcnow().replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(limits.storage.redis, "time", SimpleNamespace(time=lambda: clock.now.timestamp()))
    monkeypatch.setattr("mediation.throttle.utcnow", lambda: clock.now)
    return clock


def attempt(instance, username="wang", password="wrong guess", address="203.0.113.9", browser=None):
    browser = browser or instance.test_client()
    return browser.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_failures_count_in_every_instance_together(workers, owner):
    first, second = workers
    codes = [attempt(workers[i % 2], address=f"10.0.0.{i}").status_code for i in range(3)]
    assert codes == [200, 200, 200]
    assert attempt(second, password=PASSWORD, address="10.0.0.9").status_code == 429
    assert attempt(first, password=PASSWORD, address="10.0.0.9").status_code == 429


def test_only_failures_count(workers, owner):
    """A station behind one address signs in all morning; only its typos count, and few of them."""
    first, second = workers
    for i in range(8):
        assert attempt(workers[i % 2], password=PASSWORD, address="10.0.0.1").status_code == 302
    assert [attempt(first, address="10.0.0.1").status_code for _ in range(2)] == [200, 200]
    assert attempt(second, password=PASSWORD, address="10.0.0.1").status_code == 302


def test_the_wait_is_told_truthfully_and_then_holds(workers, owner, clock, db):
    first, second = workers
    for _ in range(3):
        attempt(first)
        clock.advance(60)
    clock.advance(120)  # 5 minutes after the first failure
    refused = attempt(second, password=PASSWORD)
    assert refused.status_code == 429
    # The first failure leaves its 15-minute window 600 s from now; at that very moment it still counts.
    assert refused.headers["Retry-After"] == "601"
    assert "Please try again in 11 minutes." in refused.get_data(as_text=True)
    clock.advance(600)
    assert attempt(first, password=PASSWORD).headers["Retry-After"] == "1"
    clock.advance(1)
    assert attempt(first, password=PASSWORD).status_code == 302
    entry = db.session.scalars(select(AuditEntry).filter_by(action="sign_in_throttled")).first()
    assert entry.actor_id == owner.id and entry.new == {"username": "wang", "wait_seconds": 601}
    assert entry.address == "203.0.113.9"


def test_the_owner_signs_in_from_their_known_device_while_the_account_is_locked(workers, owner):
    first, second = workers
    owners_browser = first.test_client()
    login(owners_browser, owner)
    owners_browser.post("/logout")
    for _ in range(3):
        attempt(second, address="203.0.113.9")
    assert attempt(second, password=PASSWORD, address="203.0.113.9").status_code == 429, "not even checked"
    assert attempt(second, password=PASSWORD, address="10.0.0.3").status_code == 429, "a new device waits"
    assert attempt(second, password=PASSWORD, browser=owners_browser).status_code == 302


def test_a_known_device_has_a_count_of_its_own(workers, owner):
    first, second = workers
    owners_browser = first.test_client()
    login(owners_browser, owner)
    owners_browser.post("/logout")
    codes = [attempt(first, browser=owners_browser).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert attempt(second, password=PASSWORD, address="10.0.0.3").status_code == 302, "others are not locked"


def test_a_device_cookie_of_another_account_or_forged_exempts_nothing(workers, owner, station, db):
    first, second = workers
    make_user("zhao", "mediator", [station])
    db.session.commit()
    browser = first.test_client()
    login(browser, owner)
    browser.post("/logout")
    for _ in range(3):
        attempt(second, username="zhao", address="203.0.113.9")
    assert attempt(first, username="zhao", browser=browser).status_code == 429
    forged = first.test_client()
    forged.set_cookie("known_device", "eyJpZCI6ImEiLCJhY2NvdW50cyI6WzFdfQ.forged", path="/login")
    for _ in range(3):
        attempt(second, address="203.0.113.9")
    assert attempt(first, password=PASSWORD, browser=forged).status_code == 429


def test_one_address_guessing_many_accounts_is_throttled_there_only(workers, owner):
    first, second = workers
    codes = [
        attempt(workers[i % 2], username=f"user{i}", address="203.0.113.9").status_code for i in range(5)
    ]
    assert codes == [200] * 5
    assert attempt(first, username="someone", address="203.0.113.9").status_code == 429
    assert attempt(second, password=PASSWORD, address="10.0.0.3").status_code == 302


def test_an_unknown_account_is_throttled_like_a_known_one(workers):
    first, second = workers
    codes = [attempt(first, username="nobody", address=f"10.0.0.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_wrong_password_for_an_unknown_account_costs_one_password_hash_like_a_known_one(
    client, db, mediator, monkeypatch
):
    """Same function, same method and cost, once each: nothing in the time taken tells a real account."""
    from mediation.models import user as user_module

    user_module._nobodys_password_hash.cache_clear()
    checked = []
    real = user_module.check_password_hash

    def spy(stored_hash, password):
        checked.append(stored_hash.split("$")[0])
        return real(stored_hash, password)

    monkeypatch.setattr(user_module, "check_password_hash", spy)
    mediator.active = True
    client.post("/login", data={"username": "wang", "password": "wrong guess"})
    client.post("/login", data={"username": "nobody", "password": "wrong guess"})
    mediator.active = False
    client.post("/login", data={"username": "wang", "password": PASSWORD})
    assert len(checked) == 3 and len(set(checked)) == 1, checked
    assert checked[0] == mediator.password_hash.split("$")[0]
