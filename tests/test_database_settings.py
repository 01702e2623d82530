"""The app's own connections to PostgreSQL: a page's queries do not start parallel workers, unless the
deployment says so (``DATABASE_PARALLEL_WORKERS``)."""

import psycopg
import pytest
from sqlalchemy import text

from mediation import create_app
from mediation.config import TestConfig
from mediation.extensions import db
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="runs when TEST_BACKEND=postgresql")


def shown(database_url, parameter="max_parallel_workers_per_gather", **settings) -> str:
    """``SHOW parameter`` on a connection of an app configured with ``settings``."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    for name, value in settings.items():
        setattr(Config, name, value)
    app = create_app(Config)
    with app.app_context():
        try:
            return db.session.scalar(text(f"SHOW {parameter}"))
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def server_setting(database_url) -> str:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SHOW max_parallel_workers_per_gather").fetchone()[0]


def test_the_apps_queries_start_no_parallel_workers_by_default(database_url):
    assert server_setting(database_url) != "0"  # else this test proves nothing
    assert shown(database_url) == "0"


def test_a_deployment_can_allow_them_or_leave_the_servers_setting(database_url):
    assert shown(database_url, DATABASE_PARALLEL_WORKERS=3) == "3"
    assert shown(database_url, DATABASE_PARALLEL_WORKERS=None) == server_setting(database_url)


def test_options_of_its_own_are_kept(database_url):
    options = {"pool_pre_ping": True, "connect_args": {"options": "-c statement_timeout=1234"}}
    assert shown(database_url, SQLALCHEMY_ENGINE_OPTIONS=options) == "0"
    assert shown(database_url, "statement_timeout", SQLALCHEMY_ENGINE_OPTIONS=options) == "1234ms"
