"""The migrations build exactly the schema the models declare, and can be undone and redone."""

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect

from mediation import create_app
from mediation.config import TestConfig
from mediation.extensions import db as _db
from mediation.models._base import on_this_database
from tests.conftest import throwaway_database


def schema_differences(engine):
    """What ``flask db migrate`` would write: every difference between the models and the database."""
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": on_this_database(connection.dialect.name)}
        context = MigrationContext.configure(connection, opts=opts)
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


def _literals(sql: str) -> list[str]:
    """The quoted values a CHECK constraint names, however the database has rewritten it (PostgreSQL turns
    ``x IN ('a', 'b')`` into ``x = ANY (ARRAY['a'::varchar, …])``)."""
    return sorted(re.findall(r"'((?:[^']|'')*)'", sql))


def _declared_checks() -> dict[tuple[str, str], list[str]]:
    checks = {}
    for table in _db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                name = str(constraint.name)
                name = name if name.startswith("ck_") else f"ck_{table.name}_{name}"
                checks[(table.name, name)] = _literals(str(constraint.sqltext))
    return checks


def test_the_check_constraints_in_the_models_are_the_migrated_ones(db):
    """Alembic's comparison does not see CHECK constraints: adding a category to a vocabulary passes the
    model-migration test and then breaks every insert. Here every constraint and the values it allows must
    be the same in the models and in the migrated database."""
    inspector = inspect(db.engine)
    migrated = {
        (table, check["name"]): _literals(check["sqltext"])
        for table in inspector.get_table_names()
        if table != "alembic_version"
        for check in inspector.get_check_constraints(table)
    }
    declared = _declared_checks()
    assert set(migrated) == set(declared), "constraints only in one of them: " + ", ".join(
        f"{t}.{n}" for t, n in sorted(set(migrated) ^ set(declared))
    )
    differ = {key: (declared[key], migrated[key]) for key in declared if declared[key] != migrated[key]}
    assert not differ, "CHECK constraints allow other values than the models; add a migration: " + repr(
        differ
    )
