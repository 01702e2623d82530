"""The migrations build exactly the schema the models declare, and can be undone and redone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from mediation import create_app
from mediation.config import TestConfig
from mediation.extensions import db as _db
from tests.conftest import throwaway_database


def schema_differences(engine):
    """What ``flask db migrate`` would write: every difference between the models and the database."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, _db.metadata)


def test_the_models_match_the_migrated_database(db):
    differences = schema_differences(db.engine)
    assert differences == [], (
        "The models and the migrations disagree; add a revision with "
        "`flask --app mediation db migrate -m '…'` and review it:\n" + "\n".join(map(str, differences))
    )


@pytest.fixture
def throwaway_url(tmp_path):
    with throwaway_database("mediation_migrations", tmp_path) as url:
        yield url


def test_upgrade_downgrade_and_upgrade_again(throwaway_url, tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = throwaway_url
        UPLOAD_FOLDER = str(tmp_path / "uploads")

    app = create_app(Config)
    tables = set(_db.metadata.tables)
    with app.app_context():
        engine = _db.engine
        try:
            upgrade()
            assert set(inspect(engine).get_table_names()) == tables | {"alembic_version"}
            downgrade(revision="base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(engine).get_table_names()) == tables | {"alembic_version"}
            assert schema_differences(engine) == []
        finally:
            engine.dispose()
