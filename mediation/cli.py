"""``flask --app mediation mediation …``: the administrator's command line."""

import getpass
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, func, or_, select

from mediation import demo, lifecycle, mail, taxonomy
from mediation.cli_deadlines import close_waiver, deadlines, holidays
from mediation.clock import utcnow
from mediation.extensions import db
from mediation.models import Agency, SignInSession, Station, Submission, User
from mediation.services import audit, reminders
from mediation.services.deferred import run_deferred


@click.group("mediation")
def cli():
    """Manage stations, agencies, accounts, deadlines, the holiday calendar and demo data."""
    audit.origin.set(f"cli:{getpass.getuser()}"[:64])


cli.add_command(deadlines)
cli.add_command(holidays)
cli.add_command(close_waiver)


def _fail(message: str, code: int = 2):
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@cli.command("create-station")
@click.argument("code")
@click.argument("name")
@click.option("--address", default="", help="Street address.")
@click.option("--district", default="", help="The district it belongs to.")
@with_appcontext
def create_station(code, name, address, district):
    """Create a station; CODE (letters and digits) prefixes its case numbers."""
    code = code.strip().upper()
    if not (code.isascii() and code.isalnum()) or len(code) > 16:  # 西固 is alnum too
        _fail("CODE must be 1-16 letters or digits, e.g. XLG.")
    if db.session.scalar(select(Station).filter_by(code=code)):
        _fail(f"a station with code {code} already exists.")
    station = Station(code=code, name=name.strip(), address=address, district=district)
    db.session.add(station)
    db.session.flush()
    audit.record(
        None, "station", "create_station", target=f"station:{code}", station=station,
        new={"code": code, "name": station.name, "address": address, "district": district},
    )  # fmt: skip
    db.session.commit()
    click.echo(f"Created station {code} {name}.")


@cli.command("create-agency")
@click.argument("code")
@click.argument("name")
@click.option(
    "--kind", required=True, type=click.Choice(list(taxonomy.AGENCY_KINDS)), help="What kind of body it is."
)
@click.option("--station", "station_codes", multiple=True, help="A station it serves (repeat for several).")
@with_appcontext
def create_agency(code, name, kind, station_codes):
    """Create an agency (police station, court, …) that takes and sends referrals."""
    code = code.strip().upper()
    if not code or len(code) > 32:
        _fail("CODE must be 1-32 characters.")
    if db.session.scalar(select(Agency).filter_by(code=code)):
        _fail(f"an agency with code {code} already exists.")
    stations = [_station(station_code) for station_code in station_codes]
    agency = Agency(code=code, name=name.strip(), kind=kind, stations=stations)
    db.session.add(agency)
    audit.record(
        None, "station", "create_agency", target=f"agency:{code}",
        station=stations[0] if len(stations) == 1 else None,
        new={"code": code, "name": agency.name, "kind": kind, "stations": [s.code for s in stations]},
    )  # fmt: skip
    db.session.commit()
    click.echo(f"Created {kind} agency {code} {name}.")


@cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(list(taxonomy.ROLE_LABELS)))
@click.option("--station", "station_codes", multiple=True, help="A station served or overseen (repeatable).")
@click.option("--agency", "agency_code", default=None, help="The agency a liaison speaks for.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Name shown in the interface.")
@click.option("--email", default="", help="Where reminders are e-mailed (when SMTP is configured).")
@with_appcontext
def create_user(username, role, station_codes, agency_code, password, display_name, email):
    """Create an account. Mediators and supervisors need --station; liaisons need --agency."""
    username, email = username.strip(), email.strip()
    if not username or len(username) > 64:
        _fail("USERNAME must be 1-64 characters.")
    if email and not _is_address(email):
        _fail("--email must be one address like name@example.cn (at most 254 characters).")
    if db.session.scalar(select(User).filter_by(username=username)):
        _fail(f"user {username} already exists.")
    if len(password) < 8:
        _fail("the password must have at least 8 characters.")
    if role in ("mediator", "supervisor") and not station_codes:
        _fail(f"a {role} needs at least one --station.")
    if role in taxonomy.LIAISON_ROLES and not agency_code:
        _fail(f"a {role} needs --agency.")
    if role not in taxonomy.LIAISON_ROLES and agency_code:
        _fail("only liaisons belong to an agency.")
    if role in ("admin",) + taxonomy.LIAISON_ROLES and station_codes:
        _fail(f"a {role} does not belong to stations.")
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).filter_by(code=agency_code.upper()))
        if agency is None:
            _fail(f"there is no agency with code {agency_code}.")
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        agency=agency,
        stations=[_station(code) for code in station_codes],
        email=email,
    )
    user.set_password(password)
    db.session.add(user)
    audit.record(
        None, "account", "create_user", target=f"user:{username}",
        new={"username": username, "role": role, "stations": list(station_codes), "agency": agency_code,
             "email": email},
    )  # fmt: skip
    db.session.commit()
    click.echo(f"Created {role} {username}.")


def _is_address(email: str) -> bool:
    """One plain address: something@domain.tld, no spaces or display name."""
    local, at, domain = email.rpartition("@")
    return (
        bool(at and local and "." in domain.strip("."))
        and len(email) <= 254
        and not any(c.isspace() or c in "<>,;" for c in email)
    )


def _station(code: str) -> Station:
    station = db.session.scalar(select(Station).filter_by(code=code.strip().upper()))
    if station is None:
        _fail(f"there is no station with code {code}.")
    return station


@cli.command("purge")
@click.option("--keys-days", default=7, show_default=True, help="Keep one-time form keys this many days.")
@click.option(
    "--sessions-days", default=30, show_default=True, help="Keep ended sign-in sessions this many days."
)
@with_appcontext
def purge(keys_days, sessions_days):
    """Delete what has served its purpose (for cron, nightly): one-time form keys older than --keys-days
    (a retry comes within minutes), and sign-in sessions ended (expired or signed out) more than
    --sessions-days ago. The audit log keeps every sign-in and sign-out."""
    now = utcnow()
    keys = db.session.execute(
        delete(Submission).where(Submission.created_at < now - timedelta(days=keys_days))
    ).rowcount
    ended = func.coalesce(SignInSession.revoked_at, SignInSession.expires_at)
    sessions = db.session.execute(
        delete(SignInSession).where(
            or_(SignInSession.revoked_at.is_not(None), SignInSession.expires_at < now),
            ended < now - timedelta(days=sessions_days),
        )
    ).rowcount
    db.session.commit()
    click.echo(f"Deleted {keys} one-time form keys and {sessions} ended sign-in sessions.")


@cli.command("lifecycle-doc")
@click.option("--check", is_flag=True, help="Exit non-zero if docs/lifecycle.md is out of date.")
@with_appcontext
def lifecycle_doc(check):
    """Write docs/lifecycle.md (diagram and step table) from the lifecycle declaration."""
    from flask import current_app

    path = Path(current_app.root_path).parent / "docs" / "lifecycle.md"
    text = lifecycle.markdown()
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            _fail(f"{path} is out of date; run `flask --app mediation mediation lifecycle-doc`.")
        click.echo(f"{path} is up to date.")
        return
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}.")


@cli.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (but list the demo accounts) when any station exists."
)
@click.option(
    "--cases",
    type=click.IntRange(min=0, max=100_000),
    default=demo.DEFAULT_CASES,
    show_default=True,
    help="How many cases to create (15 or more cover every state, channel and category).",
)
@click.option(
    "--seed",
    type=int,
    default=demo.DEFAULT_SEED,
    show_default=True,
    help="Random seed; the same seed, the same data.",
)
@with_appcontext
def seed_demo(if_empty, cases, seed):
    """Fill the database with realistic demo data: stations, agencies, accounts of every role and cases in
    every state, drawn from the source reports. Prints the demo accounts and their password."""
    import time

    if if_empty and demo.has_stations():
        click.echo("The database already has stations: no demo data added.")
        click.echo(demo.format_accounts(demo.accounts()))
        return
    clash = demo.clash()
    if clash:
        _fail(f"the demo data is already here ({clash} exists). Use an empty database, or --if-empty.")
    started = time.perf_counter()
    try:
        summary = demo.seed(cases=cases, seed=seed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        click.echo("Error: seeding failed; nothing was written.", err=True)
        raise
    run_deferred()  # the notifications the demo's steps queued, as after any request
    states = ", ".join(f"{state} {summary.by_state.get(state, 0)}" for state in lifecycle.STATES)
    click.echo(
        f"Seeded demo data in {time.perf_counter() - started:.1f} s: {summary.stations} stations, "
        f"{summary.agencies} agencies, {summary.users} accounts, {summary.cases} cases ({states}; "
        f"{summary.overdue} overdue), {summary.parties} parties ({summary.returning_parties} in more than "
        f"one case), {summary.sessions} sessions, {summary.visits} follow-up visits, {summary.shifts} duty "
        f"shifts, {summary.log_entries} visit-log entries, {summary.events} events."
    )
    click.echo(demo.format_accounts(demo.accounts()))


@cli.command("remind")
@with_appcontext
def remind():
    """Notify whoever's work it is of every deadline due soon or overdue, once per deadline and threshold
    (for cron; safe to run twice, or on two instances at once), and e-mail each new notification when SMTP
    is configured. Exits 1 when some e-mail could not be sent (the notifications are in the inbox)."""
    reminded = reminders.remind()
    db.session.commit()
    run_deferred()
    tally = reminded.tally
    click.echo(
        f"Reminded of {tally['due_soon']} deadlines due soon and {tally['overdue']} overdue"
        f" (nobody is told twice): {len(reminded.created)} new notifications."
    )
    if not mail.configured():
        return
    outcome = reminders.mail(reminded.created)
    click.echo(f"E-mailed {outcome.sent} reminders.")
    if outcome.failed:
        server = f"{current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}"
        by_reason = {}
        for message, reason in outcome.failed:
            by_reason.setdefault(reason, []).append(message.to)
        for reason, addresses in by_reason.items():
            click.echo(f"Error: via {server}, {reason}; not e-mailed to {', '.join(addresses)}.", err=True)
        _fail(
            f"{len(outcome.failed)} reminders were not e-mailed; they are in the inbox all the same (and are"
            " not e-mailed again).",
            1,
        )
