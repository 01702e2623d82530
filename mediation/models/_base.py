"""Column types and SQL shared by the models and services."""

from datetime import UTC

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeDecorator

from mediation.clock import utcnow

__all__ = ["UTCDateTime", "in_codes", "insert_for", "utcnow"]


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


_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def insert_for(session):
    """The INSERT construct of ``session``'s database, which can say ``ON CONFLICT DO NOTHING``."""
    return _INSERTS[session.get_bind().dialect.name]
