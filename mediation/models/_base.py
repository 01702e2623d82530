"""Column types and SQL shared by the models and services."""

from datetime import UTC

from sqlalchemy import DateTime, Index
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeDecorator

from mediation.clock import utcnow

__all__ = ["UTCDateTime", "in_codes", "insert_for", "on_this_database", "trigram_index", "utcnow"]


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def in_codes(column: str, codes) -> str:
    """A CHECK constraint's text: ``column`` holds one of ``codes`` (a vocabulary from ``taxonomy``)."""
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


def trigram_index(table: str, column: str) -> Index:
    """A GIN trigram index (``pg_trgm``) on ``column``, so ``ILIKE '%text%'`` need not scan the table: on
    PostgreSQL only (SQLite has no such index; its searches scan). It serves patterns of three characters or
    more; a shorter one (a two-character Chinese word) has no trigram, and is found by reading the rows."""
    return Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={"dialect": "postgresql"},
    ).ddl_if(dialect="postgresql")


def on_this_database(dialect: str):
    """Alembic's ``include_object`` for a database of ``dialect``: autogenerate compares only what exists
    there. Alembic ignores ``ddl_if``: an object made on one backend only names it in ``info["dialect"]``."""

    def include_object(obj, name, type_, reflected, compare_to):
        return reflected or obj.info.get("dialect", dialect) == dialect

    return include_object


_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def insert_for(session):
    """The INSERT construct of ``session``'s database, which can say ``ON CONFLICT DO NOTHING``."""
    return _INSERTS[session.get_bind().dialect.name]
