"""Parties (一人一档): finding a person already on file, so one person keeps one record across cases."""

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from mediation import policy, taxonomy
from mediation.errors import Invalid
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import Case, CaseParty, Party
from mediation.text import parse_texts

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")
ID_NUMBER = re.compile(r"^([0-9]{17}[0-9Xx]|[0-9]{15})$")
#: The longest text each particular takes (its ``Party`` column's length; the address is Text).
MAX_LENGTHS = {"name": 200, "phone": 32, "id_number": 32, "address": 500}


@dataclass
class PartyInput:
    role: str
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    kind: str = "person"
    #: An existing party picked from the type-ahead; the other fields then only fill gaps in the file.
    party_id: int | None = None
    extra: dict = field(default_factory=dict)

    def problems(self) -> dict:
        errors = {}
        parse_texts({name: getattr(self, name) for name in MAX_LENGTHS}, MAX_LENGTHS, errors)
        if self.role not in taxonomy.PARTY_ROLES:
            errors["role"] = _("Choose applicant, respondent or third party.")
        if not self.party_id and not self.name.strip():
            errors["name"] = _("Enter the party's name.")
        if self.phone.strip() and not PHONE.match(self.phone.strip()):
            errors["phone"] = _("Enter a phone number of digits, such as 13812345678.")
        if self.id_number.strip() and not ID_NUMBER.match(self.id_number.strip()):
            errors["id_number"] = _("An ID number has 18 characters (digits, the last may be X).")
        return errors


def resolve_party(data: PartyInput) -> Party:
    """The party ``data`` describes: the one picked, else one with the same ID number, or the same name and
    phone, else a new one. Details typed now fill empty fields of an existing file; they never overwrite."""
    details = {
        "name": data.name.strip(),
        "phone": data.phone.strip(),
        "address": data.address.strip(),
        "id_number": data.id_number.strip().upper(),
        "kind": data.kind or "person",
        **data.extra,
    }
    party = None
    if data.party_id:
        party_id = parse_id(data.party_id)
        party = db.session.get(Party, party_id) if party_id else None
        if party is None:
            raise Invalid(_("That party is no longer on file."), fields={"party_id": _("Choose again.")})
    elif details["id_number"]:
        party = db.session.scalar(select(Party).filter_by(id_number=details["id_number"]).limit(1))
    if party is None and details["phone"] and details["name"]:
        party = db.session.scalar(
            select(Party).filter_by(name=details["name"], phone=details["phone"]).limit(1)
        )
    if party is None:
        return Party(**details)
    for key, value in details.items():
        if value and not getattr(party, key):
            setattr(party, key, value)
    return party


def search_parties(actor, query: str, limit: int = 10) -> list[Party]:
    """Parties whose name or phone matches ``query``, among the cases ``actor`` may see (for type-ahead)."""
    query = (query or "").strip()
    if len(query) < 1:
        return []
    pattern = f"%{query.replace('%', '').replace('_', '')}%"
    visible = (
        select(CaseParty.party_id)
        .join(Case, Case.id == CaseParty.case_id)
        .where(policy.visible_cases_clause(actor))
    )
    return list(
        db.session.scalars(
            select(Party)
            .where(Party.id.in_(visible), or_(Party.name.like(pattern), Party.phone.like(pattern)))
            .order_by(Party.name)
            .limit(limit)
        )
    )


def party_cases(actor, party: Party) -> list[Case]:
    """Every case ``party`` was part of that ``actor`` may see, newest first (the party's file)."""
    return list(
        db.session.scalars(
            select(Case)
            .join(CaseParty, CaseParty.case_id == Case.id)
            .where(CaseParty.party_id == party.id, policy.visible_cases_clause(actor))
            .order_by(Case.registered_at.desc())
        )
    )


def party_file(actor, party: Party) -> list[tuple[Case, str]]:
    """The party's file as ``actor`` may see it: ``(case, role)`` for every visible case, newest first."""
    return [
        (case, role)
        for case, role in db.session.execute(
            select(Case, CaseParty.role)
            .join(CaseParty, CaseParty.case_id == Case.id)
            .where(CaseParty.party_id == party.id, policy.visible_cases_clause(actor))
            .order_by(Case.registered_at.desc(), Case.id.desc())
        )
    ]


def may_see_details(actor, cases) -> bool:
    """Whether ``actor`` may see a party's full phone and ID number: some case of theirs needs it (PIPL)."""
    return any(policy.can_see_personal_data(actor, case) for case in cases)


def case_counts(actor, party_ids) -> dict[int, int]:
    """How many cases ``actor`` may see each of ``party_ids`` is part of (for the type-ahead)."""
    if not party_ids:
        return {}
    rows = db.session.execute(
        select(CaseParty.party_id, func.count())
        .join(Case, Case.id == CaseParty.case_id)
        .where(CaseParty.party_id.in_(list(party_ids)), policy.visible_cases_clause(actor))
        .group_by(CaseParty.party_id)
    )
    return dict(rows.all())


def check_parties(actor, parties: list[PartyInput]) -> None:
    """Every problem with the parties typed at intake, at once: each block's own, and a picked ``party_id``
    that ``actor`` could not have found (no visible case of theirs; the type-ahead offers only those, so it
    is stale or forged and would attach a stranger's file). Raises ``Invalid`` with ``parties-<i>-<field>``.
    """
    picked = {parse_id(p.party_id) for p in parties if p.party_id} - {None}
    known = set(case_counts(actor, picked))
    errors = {}
    for i, party in enumerate(parties):
        errors.update({f"parties-{i}-{name}": message for name, message in party.problems().items()})
        if party.party_id and parse_id(party.party_id) not in known:
            errors[f"parties-{i}-name"] = _(
                "That person is not on file for you; clear the choice and type the details."
            )
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def mask_id_number(id_number: str) -> str:
    return (
        id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]
        if len(id_number) > 7
        else "*" * len(id_number)
    )
