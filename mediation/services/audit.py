"""Writing and reading the audit log (``AuditEntry``): changes outside a case's trail, sign-ins, and views
of full personal data.

``record`` is called by the services that make such changes, in the same transaction, so an entry exists
exactly when its change was committed. Where a change came from (a client's address, ``cli``) is the entry
point's business, not the service's: the request boundary and the CLI set ``origin`` once, and ``record``
reads it, so no service needs a request.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.lists import format_list
from flask_babel import get_locale
from sqlalchemy import Select, false, or_, select, true

from mediation import policy, taxonomy
from mediation.clock import LOCAL_ZONE, parse_iso_date, utcnow
from mediation.extensions import db
from mediation.models import AuditEntry, User, user_station

#: Where the current change comes from: the client's address, ``cli``, or ``system`` (the default).
origin: ContextVar[str] = ContextVar("audit_origin", default="system")


def record(
    actor,
    realm: str,
    action: str,
    *,
    target: str = "",
    station=None,
    case=None,
    old: dict | None = None,
    new: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append an audit entry for ``action`` by ``actor`` (a ``User`` or ``None`` for the system).

    ``old`` and ``new`` hold the values before and after (only what changed), or details of a read.
    ``station`` (or the ``case``'s station) decides which supervisors may read the entry. Flushes nothing:
    the entry is written with the change it records.
    """
    if realm not in taxonomy.AUDIT_REALMS:
        raise ValueError(f"unknown audit realm {realm!r}")
    station_id = station.id if station is not None else (case.station_id if case is not None else None)
    entry = AuditEntry(
        at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        address=origin.get()[:64],
        realm=realm,
        action=action,
        target=target[:120],
        station_id=station_id,
        case_id=case.id if case is not None else None,
        old=jsonable(old or {}),
        new=jsonable(new or {}),
    )
    db.session.add(entry)
    return entry


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The keys whose value differs, as ``(old, new)`` dicts: what an entry records of an edit."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def jsonable(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, set | tuple):
            value = sorted(value) if isinstance(value, set) else list(value)
        out[key] = value
    return out


# --- Reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    #: A username; empty for everyone.
    actor: str = ""
    realm: str = ""
    #: Local days, inclusive.
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> "AuditFilters":
        """Filters from a query string; anything not understood is ignored (an unfiltered list)."""

        def day(name):
            try:
                return parse_iso_date(args.get(name) or "")
            except ValueError:
                return None

        realm = (args.get("realm") or "").strip()
        return cls(
            actor=(args.get("actor") or "").strip()[:64],
            realm=realm if realm in taxonomy.AUDIT_REALMS else "",
            since=day("since"),
            until=day("until"),
        )


def visible_entries_clause(actor):
    """The entries ``actor`` may read: admins all; a supervisor those of the stations they oversee and those
    made by anyone serving there (their sign-ins); nobody else any."""
    if actor.role == "admin":
        return true()
    if not policy.can_read_audit_log(actor) or not actor.station_ids:
        return false()
    stations = list(actor.station_ids)
    staff = select(user_station.c.user_id).where(user_station.c.station_id.in_(stations))
    return or_(AuditEntry.station_id.in_(stations), AuditEntry.actor_id.in_(staff))


def audit_query(actor, filters: AuditFilters) -> Select:
    """The entries ``actor`` may read that match ``filters``, newest first."""
    query = select(AuditEntry).where(visible_entries_clause(actor))
    if filters.actor:
        query = query.where(AuditEntry.actor_id.in_(select(User.id).where(User.username == filters.actor)))
    if filters.realm:
        query = query.where(AuditEntry.realm == filters.realm)
    if filters.since:
        query = query.where(AuditEntry.at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < _start_of(filters.until + timedelta(days=1)))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_ZONE)


@dataclass
class Described:
    """An entry as the audit page shows it: translated realm and action, and each change in words."""

    entry: AuditEntry
    realm: str
    action: str
    changes: list[tuple[str, str, str]]


#: Values that are codes, by the key they come under: shown as words.
_VALUE_WORDS = {
    "output": taxonomy.PERSONAL_DATA_OUTPUTS,
    "fields": taxonomy.AUDIT_FIELDS,
    "role": taxonomy.ROLE_LABELS,
    "kind": {**taxonomy.AGENCY_KINDS, **taxonomy.PARTY_KINDS},
    "unit": taxonomy.DEADLINE_UNITS,
}


def describe(entry: AuditEntry) -> Described:
    keys = list(dict.fromkeys([*entry.old, *entry.new]))
    changes = [
        (
            str(taxonomy.AUDIT_FIELDS.get(key, key)),
            _show(key, entry.old.get(key)),
            _show(key, entry.new.get(key)),
        )
        for key in keys
    ]
    action = taxonomy.AUDIT_ACTIONS.get(entry.action, entry.action)
    return Described(entry, str(taxonomy.AUDIT_REALMS[entry.realm]), str(action), changes)


def _show(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    words = _VALUE_WORDS.get(key, {})
    if isinstance(value, list):
        return format_list([str(words.get(v, v)) for v in value], locale=get_locale())
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(words.get(value, value))
