"""``flask --app mediation mediation deadlines …``, ``… holidays …`` and ``… close-waiver …``: how long
deadlines run, the working-day calendar they are counted on, and whether a case may be closed without its
follow-up visit. Every change is in the audit log, made by ``cli``."""

import sys

import click
from flask.cli import with_appcontext

from mediation import lifecycle
from mediation.errors import Invalid
from mediation.extensions import db
from mediation.services import calendar, settings


def _commit_or_fail(action):
    try:
        result = action()
    except Invalid as error:
        db.session.rollback()
        problems = "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or str(error.message)
        click.echo(f"Error: {problems}", err=True)
        sys.exit(2)
    db.session.commit()
    return result


@click.group("deadlines")
def deadlines():
    """How long each kind of deadline runs (new deadlines follow the settings in force when they open)."""


@deadlines.command("list")
@with_appcontext
def list_deadlines():
    """Every deadline length in force, and when a deadline becomes due soon."""
    rows = [(f"{kind}.{variant}" if variant else kind, kind, variant, length) for kind, variant, length in
            settings.lengths()]  # fmt: skip
    width = max(len(name) for name, *_ in rows)
    for name, kind, variant, length in rows:
        default = settings.default_length(kind, variant)
        note = f"  (default {default.days} {default.unit})" if length.changed else ""
        click.echo(f"{name:<{width}} {length.days:>4} {length.unit}{note}")
    warn = settings.warning()
    click.echo(
        f"due soon: when {warn['fraction']:.0%} of the time is used"
        f" or {warn['working_days']} working days are left"
    )


@deadlines.command("set")
@click.argument("name")
@click.argument("days", type=int)
@click.option("--working/--calendar", "working", default=None, help="Count working or calendar days.")
@with_appcontext
def set_deadline(name, days, working):
    """Set how many days NAME runs: a kind (`mediation`) or a kind and variant (`referral_answer.police`)."""
    kind, _dot, variant = name.partition(".")
    rule = lifecycle.DEADLINES.get(kind)
    if working is None:
        unit = settings.deadline_length(kind, variant).unit if rule else lifecycle.CALENDAR
    else:
        unit = lifecycle.WORKING if working else lifecycle.CALENDAR
    length = _commit_or_fail(lambda: settings.set_deadline_length(None, kind, variant, days, unit))
    click.echo(f"{name} deadlines opened from now on run {length.days} {length.unit} days.")


@deadlines.command("warn")
@click.option("--fraction", type=float, required=True, help="Due soon once this share of the time is used.")
@click.option(
    "--working-days", type=int, required=True, help="Due soon once this many working days are left."
)
@with_appcontext
def set_warning(fraction, working_days):
    """Set when deadlines opened from now on become due soon."""
    _commit_or_fail(lambda: settings.set_warning(None, fraction, working_days))
    click.echo(f"Due soon: at {fraction:.0%} of the time, or {working_days} working days before.")


@click.group("holidays")
def holidays():
    """The working-day calendar: statutory holidays and adjusted working days (调休), year by year."""


@holidays.command("list")
@click.argument("year", type=click.IntRange(1900, 2199))
@with_appcontext
def list_holidays(year):
    """What the calendar holds for YEAR."""
    known, days = calendar.year_days(year)
    if known is None:
        click.echo(f"{year} is not known: deadlines count Monday to Friday as working days.")
    else:
        click.echo(f"{year} is known (source: {known.source}).")
    for day in days:
        kind = "working day" if day.working else "day off"
        click.echo(f"{day.day.isoformat()} {day.day:%a}  {kind:<11} {day.name}")


@holidays.command("load")
@click.option("--replace", is_flag=True, help="Load again the years already known, replacing their days.")
@with_appcontext
def load_holidays(replace):
    """Load the years the installed `chinesecalendar` package knows."""
    years = _commit_or_fail(lambda: calendar.seed_from_package(None, replace=replace))
    click.echo(
        f"Loaded {', '.join(map(str, years))}." if years else "Nothing new: every year it knows is known."
    )


@holidays.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("what", type=click.Choice(["off", "working", "normal"]))
@click.option("--name", default="", help="The holiday it belongs to, e.g. 春节.")
@with_appcontext
def set_holiday(day, what, name):
    """Make DAY a day off, an adjusted working day, or a normal day of its week again."""
    working = {"off": False, "working": True, "normal": None}[what]
    _commit_or_fail(lambda: calendar.set_day(None, day.date(), working, name))
    click.echo(f"{day.date().isoformat()} is now {what if what != 'normal' else 'a normal day'}.")


@holidays.command("confirm")
@click.argument("year", type=click.IntRange(1900, 2199))
@with_appcontext
def confirm_year(year):
    """Mark YEAR as known once all its days off and adjusted working days are entered."""
    _commit_or_fail(lambda: calendar.confirm_year(None, year))
    click.echo(f"{year} is known: working days in it follow the calendar.")


@click.group("close-waiver")
def close_waiver():
    """Whether a case may be closed without the follow-up visit it needs, and for which reasons (off unless
    turned on; each close that uses it records its reason and an explanation in the case's trail)."""


_CLOSE_WITHOUT_VISIT = lifecycle.CLOSE_WITHOUT_VISIT.name


def _echo_waiver(value: dict) -> None:
    if not value["enabled"]:
        click.echo("Closing without the required visit: not allowed.")
        return
    click.echo("Closing without the required visit: allowed, for these reasons:")
    for code in value["reasons"]:
        click.echo(f"  {code:<14} {lifecycle.CLOSE_WITHOUT_VISIT.reasons[code]}")


@close_waiver.command("show")
@with_appcontext
def show_close_waiver():
    """Whether it is allowed now, and for which reasons."""
    _echo_waiver(settings.waiver(_CLOSE_WITHOUT_VISIT))


@close_waiver.command("enable")
@click.option(
    "--reason",
    "reasons",
    multiple=True,
    type=click.Choice(list(lifecycle.CLOSE_WITHOUT_VISIT.reasons)),
    help="A reason it may be used for (repeat for several; all of them if none is given).",
)
@with_appcontext
def enable_close_waiver(reasons):
    """Allow mediators to close a case without the required visit, for the reasons given."""
    _echo_waiver(_commit_or_fail(lambda: settings.set_waiver(None, _CLOSE_WITHOUT_VISIT, True, reasons)))


@close_waiver.command("disable")
@with_appcontext
def disable_close_waiver():
    """Require the visit again before every close."""
    _echo_waiver(_commit_or_fail(lambda: settings.set_waiver(None, _CLOSE_WITHOUT_VISIT, False)))
