"""Numbers that arrive from outside (forms, query strings, URLs) are checked before they reach the database.

Row ids and the case version are 32-bit ``Integer`` columns: PostgreSQL refuses a larger number outright
(a 500 if it got that far), and ``int()`` refuses more than 4,300 digits. So only ASCII digits count ("²"
and "١٢" are digits to ``str.isdigit`` and ``int``, not to us), and only values the column can hold.
"""

from werkzeug.routing import BaseConverter, ValidationError

#: The largest value an ``Integer`` column holds on every backend (PostgreSQL's ``integer``).
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value) -> int | None:
    """``value`` (text or an int) as a row id from 1 to ``MAX_ID``, else ``None``; never raises."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_version(value) -> int | None:
    """``value`` as a case version, or ``None``: ``Case.version`` is an ``Integer`` counting from 1, like
    an id, so the same rule applies."""
    return parse_id(value)


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: a row id as ``parse_id`` reads it, else the route does not match (404)."""

    regex = r"[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
