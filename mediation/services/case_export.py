"""The case list as a spreadsheet: every case the list's filters match (not one page), as an
``exports.Table``, and the audit entry that says who took it away.

The rows come from the list's own query (``search.case_query``: the same filters, the same scope, the same
order), streamed in batches, so a district's year never sits in memory. Parties appear by name only, as
``policy.personal_data(…, "export")`` shows names to the reader: no phone, ID number or address leaves this
way.
"""

from datetime import datetime
from urllib.parse import urlencode

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mediation import lifecycle, policy, taxonomy
from mediation.clock import utcnow
from mediation.exports import DATE, DATETIME, DECIMAL, Column, Table
from mediation.extensions import db
from mediation.i18n import translated
from mediation.models import Case, CaseParty, Station
from mediation.services import audit
from mediation.services.search import OPEN, CaseFilters, case_query
from mediation.templating import STATE_LABELS, format_moment

#: Rows fetched from the database at a time.
BATCH = 500

COLUMNS = (
    Column("number", _l("Number"), width=18),
    Column("title", _l("Title"), width=36),
    Column("station", _l("Station"), width=20),
    Column("category", _l("Category")),
    Column("channel", _l("Channel")),
    Column("state", _l("State")),
    Column("outcome", _l("Outcome")),
    Column("risk", _l("Risk")),
    Column("mediator", _l("Mediator")),
    Column("registered", _l("Registered on"), DATE),
    Column("accepted", _l("Accepted at"), DATETIME),
    Column("closed", _l("Closed at"), DATETIME),
    Column("next_due", _l("Next deadline"), DATETIME),
    Column("overdue", _l("Overdue")),
    Column("supervision", _l("Supervision")),
    Column("amount", _l("Amount in dispute (yuan)"), DECIMAL),
    Column("applicants", _l("Applicants"), width=24),
    Column("respondents", _l("Respondents"), width=24),
    Column("third_parties", _l("Third parties"), width=20),
)

#: The party columns, by role.
_SIDES = {"applicants": "applicant", "respondents": "respondent", "third_parties": "third_party"}


def case_list_table(actor, filters: CaseFilters, *, now: datetime | None = None) -> Table:
    """Every case ``actor`` may see that matches ``filters``, in the list's order, as a table whose rows
    are read from the database as they are written."""
    now = now or utcnow()
    return Table(
        title=_("Cases"),
        columns=COLUMNS,
        rows=_rows(actor, filters, now),
        subtitle=[_("Exported %(moment)s (China time)", moment=format_moment(now)), *describe(filters)],
    )


def _rows(actor, filters: CaseFilters, now: datetime):
    # A liaison's view of the parties depends on the referrals and agreements (one a court is confirming).
    query = case_query(actor, filters, now=now).options(
        selectinload(Case.party_links).joinedload(CaseParty.party),
        selectinload(Case.referrals),
        selectinload(Case.agreements),
    )
    # The vocabularies in the reader's language, once: an export names their labels in every row.
    words = {name: translated(vocabulary) for name, vocabulary in _VOCABULARIES.items()}
    words["overdue"] = {True: _("Yes"), False: _("No")}
    for case in db.session.scalars(query.execution_options(yield_per=BATCH)):
        yield _row(actor, case, now, words)


_VOCABULARIES = {
    "category": taxonomy.CATEGORIES,
    "channel": taxonomy.CHANNELS,
    "state": STATE_LABELS,
    "outcome": taxonomy.OUTCOMES,
    "risk": taxonomy.RISK_LEVELS,
    "supervision": taxonomy.SUPERVISION_URGENCIES,
}


def _row(actor, case: Case, now: datetime, words: dict) -> dict:
    view = policy.personal_data(actor, case, "export")
    row = {
        "number": case.number,
        "title": case.title,
        "station": case.station.name,
        "category": words["category"].get(case.category, case.category),
        "channel": words["channel"].get(case.channel, case.channel),
        "state": words["state"][case.state],
        "outcome": words["outcome"].get(case.outcome) if case.outcome else None,
        "risk": words["risk"].get(case.risk_level, case.risk_level),
        "mediator": case.mediator.name if case.mediator else None,
        "registered": case.registered_at,
        "accepted": case.accepted_at,
        "closed": case.closed_at,
        "next_due": case.next_due_at,
        "overdue": words["overdue"][case.is_overdue(now)],
        "supervision": words["supervision"].get(case.supervision_urgency),
        "amount": case.amount,
    }
    for key, role in _SIDES.items():
        names = [view.show("name", p.name) for p in case.parties_in(role)]
        row[key] = "、".join(name for name in names if name)
    return row


def describe(filters: CaseFilters) -> list[str]:
    """The filters in words, one line each, for the top of the sheet."""
    lines = []
    if filters.state:
        state = _("Open (not closed)") if filters.state == OPEN else lifecycle.STATES[filters.state].label
        lines.append(_("State: %(value)s", value=state))
    if filters.category:
        lines.append(_("Category: %(value)s", value=taxonomy.CATEGORIES[filters.category]))
    if filters.channel:
        lines.append(_("Channel: %(value)s", value=taxonomy.CHANNELS[filters.channel]))
    if filters.station:
        lines.append(_("Station: %(value)s", value=filters.station))
    if filters.mine:
        lines.append(_("Assigned to me"))
    if filters.overdue:
        lines.append(_("Overdue"))
    if filters.supervised:
        lines.append(_("Under supervision"))
    if filters.referral:
        lines.append(str(taxonomy.REFERRAL_POSITIONS[filters.referral]))
    if filters.q:
        lines.append(_("Search: %(value)s", value=filters.q))
    return lines


def record_export(actor, filters: CaseFilters, fmt: str, rows: int) -> None:
    """Write into the audit log that ``actor`` exported ``rows`` cases as ``fmt`` with ``filters`` (the
    parties' names leave the system with them). A station the filters chose, among the actor's, files the
    entry under it for its supervisors (who read their staff's entries anyway)."""
    station = _chosen_station(actor, filters.station) if filters.station else None
    audit.record(
        actor,
        "case",
        "export_cases",
        target=f"cases.{fmt}",
        station=station,
        new={
            "format": fmt,
            "filters": urlencode(filters.to_args(page=1)),
            "rows": rows,
            "output": "export",
        },
    )


def _chosen_station(actor, code: str):
    station = db.session.scalar(select(Station).filter_by(code=code))
    if station is None or not (policy.sees_every_station(actor) or station.id in actor.station_ids):
        return None
    return station
