"""A liaison's inbox (警调对接 / 诉调对接): what their agency has to answer, what it has taken on, and what
became of the disputes it sent to stations.

Each section is one query over the agency's referrals (with the case, its station and mediator joined in,
and the case's deadlines loaded in one more), so the page costs the same few statements however many rows
it shows. The counts are one more query, and each one is exactly the case list behind it
(``referral_clause``, the case list's ``referral`` filter, with ``overdue`` as the list counts it).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import contains_eager, selectinload

from mediation import lifecycle
from mediation.clock import utcnow
from mediation.extensions import db
from mediation.models import Case, Deadline, Referral
from mediation.services import deadlines, settings

#: Where a referral stands for the agency: an answer owed, taken on, or sent by it to a station. Each is
#: ``(direction, statuses)``; ``None`` is any status.
WAITING, WITH_US, SENT = "waiting", "with_us", "sent"
POSITIONS = {
    WAITING: ("out", ("pending",)),
    WITH_US: ("out", ("accepted",)),
    SENT: ("in", None),
}

#: The deadline each open referral runs against: the agency's answer and result, or, for a dispute the
#: agency sent, the station's answer and its mediation period.
DEADLINE_KINDS = {
    ("out", "pending"): ("referral_answer",),
    ("out", "accepted"): ("referral_result",),
    ("in", "pending"): ("acceptance",),
    ("in", "accepted"): lifecycle.MEDIATION_PERIOD,
}

#: The inbox's counts: answers owed (and overdue), cases taken on (and results overdue), disputes sent to
#: stations (and those still open).
COUNT_KEYS = ("waiting", "waiting_overdue", "with_us", "with_us_overdue", "sent", "sent_open")

#: Rows shown per section; the case list behind each count has the rest.
SECTION_LIMIT = 50


@dataclass(frozen=True)
class Item:
    """One referral as the inbox lists it."""

    referral: Referral
    case: Case
    #: The open deadline it runs against, if any, and where that stands (``services.deadlines.status``).
    deadline: Deadline | None
    status: str | None


@dataclass(frozen=True)
class Inbox:
    waiting: list[Item]
    with_us: list[Item]
    sent: list[Item]
    #: ``COUNT_KEYS``: how many each section holds (more than it shows past ``SECTION_LIMIT``).
    counts: dict[str, int]


def referral_clause(position: str, agency_id: int | None = None):
    """A SQL condition on ``Case``: it has a referral in ``position`` (``POSITIONS``), of ``agency_id`` if
    given. A case has at most one such referral (one outbound referral is open at a time, and a dispute
    comes in once), so counting these cases counts the referrals."""
    direction, statuses = POSITIONS[position]
    conditions = [Referral.case_id == Case.id, Referral.direction == direction]
    if statuses is not None:
        conditions.append(Referral.status.in_(statuses))
    if agency_id is not None:
        conditions.append(Referral.agency_id == agency_id)
    return exists(select(Referral.id).where(*conditions))


def inbox(actor, *, now: datetime | None = None, limit: int = SECTION_LIMIT) -> Inbox:
    """The inbox of ``actor``'s agency. Waiting for an answer: urgent first (a high-risk case sent to the
    police), then oldest first; with the agency: oldest first; sent by it: newest first. Any actor may
    call it; someone without an agency gets an empty inbox."""
    now = now or utcnow()
    if actor.agency_id is None:
        return Inbox([], [], [], dict.fromkeys(COUNT_KEYS, 0))
    agency_id = actor.agency_id
    oldest, newest = (Referral.created_at, Referral.id), (Referral.created_at.desc(), Referral.id.desc())
    waiting = _items(agency_id, WAITING, (Referral.urgent.desc(), *oldest), limit, now)
    with_us = _items(agency_id, WITH_US, oldest, limit, now)
    sent = _items(agency_id, SENT, newest, limit, now)
    return Inbox(waiting, with_us, sent, counts(agency_id, now))


def _items(agency_id, position, order, limit, now) -> list[Item]:
    direction, statuses = POSITIONS[position]
    query = (
        select(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.agency_id == agency_id, Referral.direction == direction)
        .options(contains_eager(Referral.case), selectinload(Referral.case, Case.deadlines))
        .order_by(*order)
        .limit(limit)
    )
    if statuses is not None:
        query = query.where(Referral.status.in_(statuses))
    return [item(referral, now) for referral in db.session.scalars(query)]


def item(referral, now) -> Item:
    """``referral`` with the deadline it runs against now and where that stands."""
    deadline = referral_deadline(referral.case, referral)
    return Item(referral, referral.case, deadline, deadlines.status(deadline, now) if deadline else None)


def referral_deadline(case, referral) -> Deadline | None:
    """The open deadline ``referral`` runs against now (``DEADLINE_KINDS``), or ``None``."""
    kinds = DEADLINE_KINDS.get((referral.direction, referral.status), ())
    return next((d for d in reversed(case.deadlines) if d.kind in kinds and d.is_open), None)


def counts(agency_id: int, now: datetime) -> dict[str, int]:
    """The inbox's counts in one query; each equals the case list it links to."""
    overdue = Case.next_due_at < now

    def position(name):
        direction, statuses = POSITIONS[name]
        condition = Referral.direction == direction
        return condition & Referral.status.in_(statuses) if statuses is not None else condition

    row = db.session.execute(
        select(
            func.count().filter(position(WAITING)),
            func.count().filter(position(WAITING) & overdue),
            func.count().filter(position(WITH_US)),
            func.count().filter(position(WITH_US) & overdue),
            func.count().filter(position(SENT)),
            func.count().filter(position(SENT) & Case.state.not_in(lifecycle.FINAL_STATES)),
        )
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.agency_id == agency_id)
    ).one()
    return dict(zip(COUNT_KEYS, (n or 0 for n in row), strict=True))


def own_referral(actor, case) -> Referral | None:
    """The latest referral of ``actor``'s agency on ``case`` (sent to it, or sent by it): what the case page
    puts first for a liaison. ``None`` for anyone without an agency, or a case it never had."""
    if actor.agency_id is None:
        return None
    return next((r for r in reversed(case.referrals) if r.agency_id == actor.agency_id), None)


def mediation_period(case) -> settings.Length | None:
    """The period the agency that sent the dispute gave the station to mediate (a court's 委派 30 days,
    委托 15 or 7), as the case runs on it: the length its mediation deadline was opened with, or before the
    station accepted it, the length in force. ``None`` for a dispute of a kind that sets none."""
    referral = case.inbound_referral
    if referral is None or referral.rules.mediation is None:
        return None
    opened = next(
        (d for d in reversed(case.deadlines) if d.kind == "mediation" and d.variant == referral.kind), None
    )
    if opened is not None:
        return settings.Length(opened.days, opened.unit)
    return settings.deadline_length("mediation", referral.kind)
