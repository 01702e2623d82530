"""Registering a dispute (登记): the case, its number, its parties and who mediates it."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from mediation import lifecycle, policy, taxonomy
from mediation.clock import local_date, utcnow
from mediation.errors import Invalid
from mediation.extensions import db
from mediation.models import (
    Agency,
    Case,
    CaseCounter,
    CaseParty,
    DutyShift,
    Referral,
    Station,
    User,
    user_station,
)
from mediation.models._base import insert_for
from mediation.services import deadlines
from mediation.services.parties import (
    PartyInput,
    check_parties,
    flush_file,
    record_completed_at_intake,
    resolve_party,
)
from mediation.services.transitions import record_event
from mediation.text import DOCUMENT_LENGTH, parse_texts

#: The longest text each detail takes: its ``Case`` column's length (the facts are Text; an amount is
#: checked as a number too).
MAX_LENGTHS = {"title": 200, "facts": DOCUMENT_LENGTH, "place": 200, "amount": 20, "external_ref": 64}


@dataclass
class Inbound:
    """A dispute an agency sent the station (公安移交, a court's 委派 or 委托): the case keeps its referral,
    which the station answers by accepting or declining the case."""

    agency: Agency
    kind: str
    sent_at: datetime
    sent_by: User | None = None
    agency_case_number: str = ""
    reason: str = ""


@dataclass
class CaseInput:
    title: str
    category: str
    channel: str
    facts: str = ""
    place: str = ""
    amount: Decimal | str | None = None
    risk_level: str = "low"
    external_ref: str = ""


def register_case(
    actor: User,
    station: Station,
    details: CaseInput,
    parties: list[PartyInput],
    *,
    mediator: User | None = None,
    inbound: Inbound | None = None,
    now: datetime | None = None,
) -> Case:
    """Register a dispute at ``station`` as ``actor`` (a mediator serving there); return the new case.

    The case is assigned to ``mediator``, else to whoever is on duty at the station today, else to the
    actor. ``inbound`` is the referral an agency sent it with, if it came that way; its sender registers it
    (``services.inbound.send_dispute`` checks them). Raises ``NotAllowed`` outside the actor's stations and
    ``Invalid`` (with ``fields``) for bad details or parties. Flushes; the caller commits.
    """
    if inbound is None or inbound.sent_by is not actor:
        policy.require(policy.can_register_at(actor, station), _("You do not serve at this station."))
    now = now or utcnow()
    values, files = check_intake(actor, station, details, parties, mediator, local_date(now))

    year = local_date(now).year
    seq = next_sequence(station.id, year)
    case = Case(
        number=f"{station.code}-{year}-{seq:04d}",
        station_id=station.id,
        year=year,
        seq=seq,
        state=lifecycle.INITIAL_STATE,
        # A dispute an agency sent waits for whoever accepts it when nobody is on duty.
        mediator=mediator or on_duty(station, now) or (actor if actor.role == "mediator" else None),
        registered_by_id=actor.id,
        registered_at=now,
        state_entered_at=now,
        updated_at=now,
        **values,
    )
    db.session.add(case)
    seen, completed = set(), []
    for position, (party_input, file) in enumerate(zip(parties, files, strict=True)):
        party, old, new = resolve_party(party_input, file)
        if party.id is not None and party.id in seen:
            continue
        if party.id is None:
            party.created_at = now  # the file opens with the case (back-dated imports included)
        db.session.add(party)
        flush_file()
        seen.add(party.id)
        case.party_links.append(CaseParty(party=party, role=party_input.role, position=position))
        if new:
            completed.append((party, old, new))
    if inbound is not None:
        case.referrals.append(
            Referral(
                station_id=station.id,
                direction="in",
                status="pending",
                agency=inbound.agency,
                kind=inbound.kind,
                agency_case_number=inbound.agency_case_number[:64],
                reason=inbound.reason,
                created_by_id=inbound.sent_by.id if inbound.sent_by else None,
                created_at=inbound.sent_at,
            )
        )
    db.session.flush()
    opened = deadlines.open_(case, lifecycle.INTAKE_OPENS, now=now, by="register")
    record_event(
        case,
        actor,
        "intake",
        "register",
        {
            "number": case.number,
            "mediator": case.mediator.username if case.mediator else None,
            "parties": [f"{link.role}:{link.party.name}" for link in case.party_links],
            **(
                {"agency": inbound.agency.code, "agency_case_number": inbound.agency_case_number}
                if inbound
                else {}
            ),
            **deadlines.for_event(opened, [], []),
        },
        now=now,
    )
    for party, old, new in completed:
        record_completed_at_intake(actor, case, party, old, new, now=now)
    return case


def validate_details(details: CaseInput) -> dict:
    """The case's own fields, checked and converted; ``Invalid`` names every bad one (texts longer than
    ``MAX_LENGTHS`` included)."""
    errors = {}
    typed = {name: getattr(details, name) for name in ("title", "facts", "place", "external_ref")}
    texts = parse_texts(typed, MAX_LENGTHS, errors)
    if texts.get("title") == "":
        errors["title"] = _("Give the dispute a short title.")
    if details.category not in taxonomy.CATEGORIES:
        errors["category"] = _("Choose a category.")
    if details.channel not in taxonomy.CHANNELS:
        errors["channel"] = _("Choose how the dispute came in.")
    if details.risk_level not in taxonomy.RISK_LEVELS:
        errors["risk_level"] = _("Choose a risk level.")
    amount = None
    if details.amount not in (None, ""):
        try:
            if len(str(details.amount)) > MAX_LENGTHS["amount"]:
                raise InvalidOperation
            amount = Decimal(str(details.amount)).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            errors["amount"] = _("Enter an amount in yuan, such as 1200 or 1200.50.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    return {
        "category": details.category,
        "channel": details.channel,
        "amount": amount,
        "risk_level": details.risk_level,
        **texts,
    }


def check_intake(
    actor, station, details: CaseInput, parties: list[PartyInput], mediator, today
) -> tuple[dict, list]:
    """Every problem with an intake at once (details, parties, mediator); else the checked details and the
    file found for each party (``None`` for someone new). Files that differ from what was typed make it a
    ``PartiesToConfirm``."""
    fields, values = {}, None
    try:
        values = validate_details(details)
    except Invalid as error:
        fields.update(error.fields)
    checked = check_parties(actor, parties, today)
    fields.update(checked.errors)
    if not any(p.role == "applicant" for p in parties):
        fields["parties"] = _("Name at least one applicant.")
    if mediator is not None and (
        mediator.role != "mediator" or not mediator.active or station.id not in mediator.station_ids
    ):
        fields["mediator"] = _("Choose a mediator who serves at this station.")
    if fields:
        raise checked.refusal(_("Some information is missing or wrong."), fields)
    return values, checked.files


def next_sequence(station_id: int, year: int) -> int:
    """The next case number for a station and year: gap-free, never reused, safe under concurrency.

    The UPDATE takes the counter row's lock (PostgreSQL) or the database write lock (SQLite) until the
    intake commits, so concurrent intakes queue here; a rolled-back intake gives its number back.
    """
    bump = (
        update(CaseCounter)
        .where(CaseCounter.station_id == station_id, CaseCounter.year == year)
        .values(last_seq=CaseCounter.last_seq + 1)
        .returning(CaseCounter.last_seq)
    )
    seq = db.session.execute(bump).scalar()
    if seq is None:
        insert = insert_for(db.session)
        db.session.execute(
            insert(CaseCounter).values(station_id=station_id, year=year, last_seq=0).on_conflict_do_nothing()
        )
        seq = db.session.execute(bump).scalar()
    return seq


class Serving(NamedTuple):
    """A station's active mediators, by name, and the one on duty today, if any."""

    mediators: list[User]
    on_duty: User | None


def serving(stations, now: datetime) -> dict[int, Serving]:
    """``Serving`` for each of ``stations`` (by id), in one statement: the intake form offers them all.

    On duty is the mediator with the station's first shift today who still serves there (the first, when
    several are)."""
    ids = [s.id for s in stations]
    first_shift = (
        select(func.min(DutyShift.id))
        .where(
            DutyShift.user_id == User.id,
            DutyShift.station_id == user_station.c.station_id,
            DutyShift.day == local_date(now),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(User, user_station.c.station_id, first_shift)
        .join(user_station, user_station.c.user_id == User.id)
        .where(user_station.c.station_id.in_(ids), User.role == "mediator", User.active.is_(True))
        .order_by(User.display_name, User.username)
    )
    mediators, first = {i: [] for i in ids}, {}
    for user, station_id, shift in rows:
        mediators[station_id].append(user)
        if shift is not None and (station_id not in first or shift < first[station_id][0]):
            first[station_id] = (shift, user)
    return {i: Serving(mediators[i], first[i][1] if i in first else None) for i in ids}


def on_duty(station: Station, now: datetime) -> User | None:
    """The mediator on duty at ``station`` today (``serving``)."""
    return serving([station], now)[station.id].on_duty
