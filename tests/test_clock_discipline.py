"""No code takes a date or a time from the machine's zone: stations keep China time wherever the server runs,
so "now" is ``mediation.clock.utcnow()`` and "today" is ``local_date(utcnow())``.

A machine in UTC has another date than China from 16:00 to 24:00 UTC every day; a test that took
``date.today()`` failed only then. The scan reads every module of the project as a syntax tree, resolving
imports (``from datetime import date as d; d.today()`` is caught too), and names each offender by file and
line. Only mediation/clock.py reads the real clock.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("mediation", "tests", "bench", "migrations")
ALLOWED = {ROOT / "mediation" / "clock.py"}

#: Always the machine's zone, or a naive time that passes for a local one, whatever the arguments.
ALWAYS = {
    "datetime.date.today": "the machine's date",
    "datetime.datetime.today": "the machine's wall-clock time",
    "datetime.datetime.utcnow": "a naive time",
    "datetime.datetime.utcfromtimestamp": "a naive time",
    "datetime.date.fromtimestamp": "a date in the machine's zone",
    "time.localtime": "the machine's zone",
    "time.mktime": "the machine's zone",
    "time.ctime": "the machine's zone",
    "time.timezone": "the machine's zone",
    "time.altzone": "the machine's zone",
    "time.tzname": "the machine's zone",
    "time.daylight": "the machine's zone",
}
#: The machine's zone unless an argument says otherwise: (position, keyword) of that argument.
UNLESS_GIVEN = {
    "datetime.datetime.now": (0, "tz"),
    "datetime.datetime.fromtimestamp": (1, "tz"),
    "time.strftime": (1, None),
    "time.asctime": (0, None),
}


def imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it stands for, for the modules ``datetime`` and ``time`` and what they hold."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("datetime", "time"):
                    names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute) and (base := dotted(node.value, names)):
        return f"{base}.{node.attr}"
    return None


def given(call: ast.Call, position: int, keyword: str | None) -> bool:
    """Whether ``call`` passes the argument at ``position`` (or ``keyword``), and not as ``None``."""
    value = call.args[position] if len(call.args) > position else None
    value = next((k.value for k in call.keywords if keyword and k.arg == keyword), value)
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def is_method(call: ast.Call, name: str) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == name


def offenders_in(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: code (why)`` for each place in ``source`` that reads the machine's zone."""
    tree = ast.parse(source, filename)
    names = imported_names(tree)
    found, called = [], set()

    def offend(node, why):
        found.append(f"{filename}:{node.lineno}: {ast.unparse(node)} ({why})")

    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
        called.add(id(call.func))
        what = dotted(call.func, names)
        if what in ALWAYS:
            offend(call, ALWAYS[what])
        elif what in UNLESS_GIVEN and not given(call, *UNLESS_GIVEN[what]):
            offend(call, "the machine's zone")
        elif (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "astimezone"
            and not given(call, 0, "tz")
        ):
            offend(call, "converts to the machine's zone")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute) and id(node) not in called:
            what = dotted(node, names)
            if what in ALWAYS or what in UNLESS_GIVEN:
                offend(node, "passed on to be called without a zone, e.g. as a column default")
    return sorted(found, key=lambda line: int(line.split(":")[1]))


def project_modules():
    for folder in SCANNED:
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_no_project_code_takes_a_date_or_time_from_the_machines_zone():
    modules = [path for path in project_modules() if path not in ALLOWED]
    assert len(modules) > 50  # the scan sees the project
    offenders = [
        line
        for path in modules
        for line in offenders_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert offenders == [], "Use mediation.clock (utcnow, local_date) instead:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import date\ndate.today()",
        "import datetime\ndatetime.date.today()",
        "import datetime as dt\ndt.datetime.now()",
        "from datetime import datetime\ndatetime.now(None)",
        "from datetime import datetime\ndatetime.now(tz=None)",
        "from datetime import datetime as moment\nmoment.today()",
        "from datetime import datetime\ndatetime.utcnow()",
        "from datetime import datetime\ndatetime.fromtimestamp(0)",
        "from datetime import date\ndate.fromtimestamp(0)",
        "import time\ntime.localtime()",
        "from time import localtime\nlocaltime(0)",
        "import time\ntime.strftime('%Y')",
        "import time\noffset = time.timezone",
        "moment.astimezone()",
        "from datetime import datetime\ncolumn(default=datetime.now)",
        "from datetime import date\nfield(default=date.today)",
    ],
)
def test_the_scan_catches_each_way_of_reading_the_machines_zone(source):
    assert len(offenders_in(source)) == 1, source


@pytest.mark.parametrize(
    "source",
    [
        "from mediation.clock import local_date, utcnow\nlocal_date(utcnow())",
        "from datetime import UTC, datetime\ndatetime.now(UTC)",
        "from datetime import UTC, datetime\ndatetime.now(tz=UTC)",
        "from datetime import UTC, datetime\ndatetime.fromtimestamp(0, UTC)",
        "from datetime import date\ndate(2026, 3, 11).isoformat()",
        "from datetime import time\ntime.fromisoformat('16:30')",
        "import time\ntime.time(); time.monotonic(); time.gmtime()",
        "import time\ntime.strftime('%Y', time.gmtime())",
        "moment.astimezone(LOCAL_ZONE)",
        "today = visit.today()",
    ],
)
def test_the_scan_lets_zone_free_time_through(source):
    assert offenders_in(source) == [], source
