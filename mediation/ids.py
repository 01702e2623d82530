"""Row ids that arrive from outside (forms, query strings, URLs) are checked before they reach the database.

A number past 64 bits would otherwise overflow the driver and end in a 500.
"""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """``value`` as a row id, or ``None`` when it is not a positive 64-bit integer."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<id:name>`` in a route: a positive 64-bit integer, else the route does not match (404)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)
