"""Parties (一人一档): one file per person or organisation, found again at intake, shown as the personal-data
policy allows, and corrected from a case they are in.

Matching at intake looks across every station (a person keeps one file wherever they turn up), but shows
the typist only what ``policy.personal_data(…, "intake_match")`` allows, and never links a file whose name
differs from the one typed, nor changes its phone or address, without the typist saying so
(``PartiesToConfirm``).
"""

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from mediation import identifiers, policy, taxonomy
from mediation.clock import local_date, parse_iso_date, utcnow
from mediation.errors import Conflict, Invalid
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import Case, CaseParty, Party
from mediation.services import audit
from mediation.services.transitions import record_event
from mediation.text import parse_texts

#: A party's particulars, as the file keeps them and the edit form changes them.
PARTICULARS = (
    "kind",
    "name",
    "phone",
    "id_number",
    "address",
    "sex",
    "birth_date",
    "ethnicity",
    "occupation",
    "legal_representative",
    "credit_code",
)
#: Only a person has these; only an organisation has those.
PERSON_ONLY = ("id_number", "sex", "birth_date", "ethnicity")
ORGANISATION_ONLY = ("legal_representative", "credit_code")
#: What typed details may offer to change in a file found at intake (the rest only fill its gaps).
UPDATABLE_AT_INTAKE = ("phone", "address")
#: The longest text each particular takes (its ``Party`` column's length; the address is Text).
MAX_LENGTHS = {
    "name": 200,
    "phone": 32,
    "id_number": 32,
    "address": 500,
    "ethnicity": 32,
    "occupation": 100,
    "legal_representative": 100,
    "credit_code": 18,
}


# --- What is typed -----------------------------------------------------------------------------------------


@dataclass
class PartyInput:
    """One party as typed at intake, and what the typist decided about a file found for them."""

    role: str
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    kind: str = "person"
    legal_representative: str = ""
    credit_code: str = ""
    sex: str = ""
    birth_date: date | None = None
    ethnicity: str = ""
    occupation: str = ""
    #: An existing party picked from the type-ahead.
    party_id: int | None = None
    #: The file the typist was shown for this party (``PartiesToConfirm``); the decisions below are about
    #: that file only, so a changed ID number that finds someone else asks again.
    seen_party_id: int | None = None
    #: Whether the person typed is the one on file (asked when the names differ).
    same_person: bool | None = None
    #: Replace the file's phone / address with the one typed (offered when they differ).
    update_phone: bool = False
    update_address: bool = False

    def details(self) -> dict:
        """The particulars typed, normalised as the file keeps them; an empty value is "not typed". The
        kind decides which apply: an organisation has no ID number, sex, birth date or ethnicity, a person
        no legal representative or credit code."""
        values = {
            "kind": self.kind or "person",
            "name": _clean(self.name),
            "phone": identifiers.normalise_phone(self.phone),
            "id_number": identifiers.normalise_id_number(self.id_number),
            "address": _clean(self.address),
            "legal_representative": _clean(self.legal_representative),
            "credit_code": identifiers.normalise_credit_code(self.credit_code),
            "sex": taxonomy.sex_code(self.sex),
            "birth_date": self.birth_date,
            "ethnicity": _clean(self.ethnicity),
            "occupation": _clean(self.occupation),
        }
        other_kind = ORGANISATION_ONLY if values["kind"] == "person" else PERSON_ONLY
        values.update({name: None if name == "birth_date" else "" for name in other_kind})
        return _with_id_facts(values)

    def problems(self, today: date) -> dict:
        """What is wrong with the typed details, by field, all at once."""
        errors = {}
        if self.role not in taxonomy.PARTY_ROLES:
            errors["role"] = _("Choose applicant, respondent or third party.")
        values = self.details()
        if not self.party_id and not values["name"]:
            errors["name"] = _("Enter the party's name.")
        errors.update(particulars_problems(values, today))
        return errors


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def _with_id_facts(values: dict) -> dict:
    """Sex and date of birth read from a valid ID number, where none were given."""
    number = values.get("id_number") or ""
    if values.get("kind") == "person" and len(number) in (15, 18):
        values["sex"] = values.get("sex") or identifiers.sex_in_id(number) or ""
        values["birth_date"] = values.get("birth_date") or identifiers.birth_date_in_id(number)
    return values


def particulars_problems(values: dict, today: date) -> dict:
    """Every problem with a party's particulars (normalised as ``PartyInput.details`` gives them)."""
    errors = {}
    if values.get("kind") not in taxonomy.PARTY_KINDS:
        errors["kind"] = _("Choose a person or an organisation.")
    parse_texts({name: values.get(name) for name in MAX_LENGTHS}, MAX_LENGTHS, errors)
    phone_problem = identifiers.phone_problem(values.get("phone") or "")
    if phone_problem == "characters":
        errors["phone"] = _("Enter a phone number of digits, such as 13812345678.")
    elif phone_problem == "shape":
        errors["phone"] = _(
            "A mobile number has 11 digits (such as 138 1234 5678); "
            "a landline needs its area code (such as 0931-8123456)."
        )
    id_problem = identifiers.id_number_problem(values.get("id_number") or "", today)
    if id_problem:
        errors["id_number"] = _ID_PROBLEMS[id_problem]()
    credit_problem = identifiers.credit_code_problem(values.get("credit_code") or "")
    if credit_problem:
        errors["credit_code"] = _CREDIT_PROBLEMS[credit_problem]()
    if values.get("sex") and values["sex"] not in taxonomy.SEXES:
        errors["sex"] = _("Choose male or female.")
    born = values.get("birth_date")
    if born is not None:
        in_id = identifiers.birth_date_in_id(values.get("id_number") or "") if not id_problem else None
        if born > today:
            errors["birth_date"] = _("A date of birth cannot be in the future.")
        elif born.year < 1900:
            errors["birth_date"] = _("Check the year of birth.")
        elif in_id is not None and in_id != born:
            errors["birth_date"] = _(
                "This differs from the date of birth in the ID number (%(date)s).", date=in_id.isoformat()
            )
    return errors


_ID_PROBLEMS = {
    "shape": lambda: _("An ID number has 18 characters: 17 digits and a last digit or X (old ones have 15)."),
    "check": lambda: _("This ID number does not add up: check it for a typing mistake."),
    "date": lambda: _("This ID number does not hold a real date of birth."),
}
_CREDIT_PROBLEMS = {
    "shape": lambda: _("A unified social credit code has 18 digits and capital letters."),
    "check": lambda: _("This credit code does not add up: check it for a typing mistake."),
}


# --- Finding the file at intake -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileMatch:
    """A file found for a party typed at intake, as the typist may see it, and what they must decide.

    Values are already what ``policy.personal_data(…, "intake_match")`` shows (masked, or empty), so a page
    can show them as they are.
    """

    party_id: int
    #: ``picked``, ``id_number``, ``credit_code`` or ``name_phone``.
    found_by: str
    name: str
    phone: str
    id_number: str
    #: Whether the typist may open the file (a case of theirs has the person).
    in_scope: bool
    #: The name typed, when it differs from the file's: the typist says whether it is the same person.
    typed_name: str = ""
    #: ``(field, on file as shown, typed)`` for the phone and address the typist may take over.
    updates: tuple[tuple[str, str, str], ...] = ()


class PartiesToConfirm(Invalid):
    """Intake found files that differ from what was typed: nothing is registered until the typist decides.

    ``matches`` maps each party's position (among the parties given) to its ``FileMatch``.
    """

    code = "confirm_party"

    def __init__(self, message, *, fields: dict, matches: dict[int, FileMatch]):
        super().__init__(message, fields=fields)
        self.matches = matches

    def as_json(self) -> dict:
        """The refusal for the API: the files found too, keyed by the party's position, as shown."""
        body = super().as_json()
        body["error"]["matches"] = {str(i): asdict(match) for i, match in self.matches.items()}
        return body


@dataclass
class CheckedParties:
    """``check_parties``' answer: the file found for each party (or ``None``), and what is wrong."""

    files: list
    errors: dict = field(default_factory=dict)
    matches: dict = field(default_factory=dict)

    def refusal(self, message, errors: dict) -> Invalid:
        if self.matches:
            return PartiesToConfirm(message, fields=errors, matches=self.matches)
        return Invalid(message, fields=errors)


def find_file(data: PartyInput) -> tuple[Party | None, str]:
    """The file ``data`` names: the one picked, else the one with its ID number (a person) or credit code
    (an organisation), else the one with its name and phone; ``(None, "")`` for someone new."""
    values = data.details()
    if data.party_id:
        return db.session.get(Party, data.party_id), "picked"
    for number in ("id_number", "credit_code"):
        if values[number]:
            party = db.session.scalar(select(Party).filter_by(**{number: values[number]}).limit(1))
            if party is not None:
                return party, number
    if values["name"] and values["phone"]:
        party = db.session.scalar(
            select(Party).filter_by(name=values["name"], phone=values["phone"]).order_by(Party.id).limit(1)
        )
        if party is not None:
            return party, "name_phone"
    return None, ""


def check_parties(actor, parties: list[PartyInput], today: date) -> CheckedParties:
    """Every problem with the parties typed at intake, at once, and the file each one names.

    Errors are keyed ``parties-<i>-<field>``. A picked ``party_id`` must be someone ``actor`` could have
    found (in a case they may see: the type-ahead offers only those). A file found whose name differs from
    the one typed, or whose phone or address differs, is a ``FileMatch`` to decide on (``matches``). Any
    mediator registering at their station may call it; it changes nothing.
    """
    picked = {parse_id(p.party_id) for p in parties if p.party_id} - {None}
    known = set(case_counts(actor, picked))
    checked = CheckedParties(files=[])
    #: The first party typed with each number, and its name: the same number under another name is a slip.
    numbers: dict[str, tuple[int, str]] = {}
    for i, data in enumerate(parties):
        problems = data.problems(today)
        if data.party_id and parse_id(data.party_id) not in known:
            problems["name"] = _("That person is not on file for you; clear the choice and type the details.")
        values = data.details()
        for number in ("id_number", "credit_code"):
            if values[number] and number not in problems:
                first, name = numbers.setdefault(values[number], (i, _name_key(values["name"])))
                if first != i and name != _name_key(values["name"]):
                    problems[number] = _("The same number is typed for party %(n)d.", n=first + 1)
        file = None
        if not problems:
            file, found_by = find_file(data)
            if file is not None:
                match, decisions = _compare(actor, file, found_by, data, values)
                problems.update(decisions)
                if match is not None:
                    checked.matches[i] = match
        checked.errors.update({f"parties-{i}-{name}": message for name, message in problems.items()})
        checked.files.append(file)
    return checked


def _compare(actor, file: Party, found_by: str, data: PartyInput, values: dict):
    """What differs between ``file`` and the details typed: a ``FileMatch`` when the typist has to decide,
    and the errors (by field) that stop the intake until they have."""
    errors = {}
    seen = data.seen_party_id == file.id
    name_differs = bool(values["name"]) and _name_key(values["name"]) != _name_key(file.name)
    updates = [
        name
        for name in UPDATABLE_AT_INTAKE
        if values[name] and getattr(file, name) and values[name] != getattr(file, name)
    ]
    for number in ("id_number", "credit_code"):
        if values[number] and getattr(file, number) and values[number] != getattr(file, number):
            errors[number] = _(
                "This differs from the number in their file. Check it; a wrong file is corrected from "
                "one of their cases."
            )
    if name_differs and (not seen or data.same_person is None):
        errors["match"] = (
            _("The name typed differs from the file picked: say whether it is the same person.")
            if found_by == "picked"
            else _("Someone on file has these details under another name: say whether it is the same person.")
        )
    elif name_differs and data.same_person is False:
        if found_by in ("picked", "name_phone"):
            errors["name"] = _("Then clear the choice (“Not this person”) and type their details.")
        else:
            errors[found_by] = _(
                "Then this number is not theirs: check it against their papers and correct it."
            )
    elif updates and not seen:
        errors["match"] = _("Their file has other details: say which to keep.")
    if not name_differs and not updates:
        return None, errors
    view = policy.personal_data_across(actor, _cases_of(file), "intake_match")
    match = FileMatch(
        party_id=file.id,
        found_by=found_by,
        name=view.show("name", file.name),
        phone=view.show("phone", file.phone),
        id_number=view.show("credit_code" if file.kind == "organisation" else "id_number", _number(file)),
        in_scope=view.scope != policy.OUTSIDE,
        typed_name=values["name"] if name_differs else "",
        updates=tuple((name, view.show(name, getattr(file, name)), values[name]) for name in updates),
    )
    return match, errors


def _name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _number(party: Party) -> str:
    return party.credit_code if party.kind == "organisation" else party.id_number


def _cases_of(party: Party) -> list[Case]:
    return list(
        db.session.scalars(select(Case).join(CaseParty, CaseParty.case_id == Case.id).filter_by(party=party))
    )


def resolve_party(data: PartyInput, file: Party | None) -> tuple[Party, dict, dict]:
    """The party ``data`` describes, given the ``file`` ``check_parties`` found for it: a new one, or the
    file with its empty fields filled from what was typed and the phone and address the typist chose to
    take over. Returns ``(party, old, new)``: the file's values that changed."""
    values = data.details()
    if file is None:
        return Party(**values), {}, {}
    before = particulars_of(file)
    other_kind = ORGANISATION_ONLY if file.kind == "person" else PERSON_ONLY
    for name, value in values.items():
        if name == "kind" or name in other_kind:
            continue
        chosen = name in UPDATABLE_AT_INTAKE and getattr(data, f"update_{name}")
        if value and (not getattr(file, name) or chosen):
            setattr(file, name, value)
    old, new = audit.changes(before, particulars_of(file))
    return file, old, new


def particulars_of(party: Party) -> dict:
    return {name: getattr(party, name) for name in PARTICULARS}


# --- The type-ahead and the file --------------------------------------------------------------------------


def search_parties(actor, query: str, limit: int = 10) -> list[Party]:
    """Parties in cases ``actor`` may see whose name contains ``query``, or whose phone, ID number or credit
    code is ``query`` in full (normalised): masked numbers never match a part, so typing prefixes cannot
    spell one out. For the intake type-ahead; any signed-in user may call it."""
    query = _clean(query)
    if not query:
        return []
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    matches = [Party.name.like(f"%{escaped}%", escape="\\")]
    if identifiers.is_phone(query):
        matches.append(Party.phone == identifiers.normalise_phone(query))
    number = identifiers.normalise_id_number(query)
    if len(number) in (15, 18):
        matches += [Party.id_number == number, Party.credit_code == number]
    visible = (
        select(CaseParty.party_id)
        .join(Case, Case.id == CaseParty.case_id)
        .where(policy.visible_cases_clause(actor))
    )
    return list(
        db.session.scalars(
            select(Party).where(Party.id.in_(visible), or_(*matches)).order_by(Party.name).limit(limit)
        )
    )


def visible_cases_of(actor, party_ids) -> dict[int, list[Case]]:
    """The cases ``actor`` may see of each of ``party_ids``, in one query (for the type-ahead)."""
    found: dict[int, list[Case]] = {party_id: [] for party_id in party_ids}
    if not found:
        return found
    rows = db.session.execute(
        select(CaseParty.party_id, Case)
        .join(Case, Case.id == CaseParty.case_id)
        .where(CaseParty.party_id.in_(list(found)), policy.visible_cases_clause(actor))
    )
    for party_id, case in rows:
        found[party_id].append(case)
    return found


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


def case_counts(actor, party_ids) -> dict[int, int]:
    """How many cases ``actor`` may see each of ``party_ids`` is part of."""
    if not party_ids:
        return {}
    rows = db.session.execute(
        select(CaseParty.party_id, func.count())
        .join(Case, Case.id == CaseParty.case_id)
        .where(CaseParty.party_id.in_(list(party_ids)), policy.visible_cases_clause(actor))
        .group_by(CaseParty.party_id)
    )
    return dict(rows.all())


def reveal(actor, party: Party, view: policy.PersonalData) -> dict[str, str]:
    """``party``'s full phone, ID number and address, as far as ``view`` shows them in full, for a reader
    who asked to see them ("Show" on a page); the view is written into the audit log. Raises
    ``NotAllowed`` when the reader may see none of them in full."""
    shown = record_view(actor, party, view)
    policy.require(bool(shown), _("You may not see this person's details in full."))
    return {name: getattr(party, name) for name in shown}


def age_on(born: date | None, today: date) -> int | None:
    """Whole years from ``born`` to ``today`` (the age the agreement states)."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def record_view(actor, party: Party, view: policy.PersonalData, among=policy.LOGGED_FIELDS) -> list[str]:
    """Write into the audit log that ``actor`` was shown ``party``'s full phone, ID number or address (of
    those the output carries, ``among``) in ``view.output`` (PIPL); returns those fields (none: nothing is
    written). Called by every output that shows them in full, in that request's transaction."""
    shown = view.full_fields(party, among)
    if shown:
        audit.record(
            actor,
            "party",
            "view_personal_data",
            target=f"party:{party.id}",
            case=view.case,
            new={"fields": shown, "output": view.output},
        )
    return shown


# --- Correcting a file ------------------------------------------------------------------------------------


def update_party(actor, case: Case, party: Party, *, version, now: datetime | None = None, **changes) -> dict:
    """Change ``party``'s particulars (any of ``PARTICULARS``) from ``case``, as ``actor``.

    Who: the station's mediators, on an open case the party is in (``NotAllowed`` otherwise). ``version``
    is the file's version the form was made from: another version means someone changed it meanwhile
    (``Conflict``, nothing overwritten). Every problem is reported at once (``Invalid`` with ``fields``),
    including an ID number or credit code that is another file's. Records the change, old and new values,
    in the case's trail (an ``update_party`` event) and in the audit log (personal values masked there, as
    the log's readers see them). Returns the new values of what changed; flushes, never commits.
    """
    policy.require(
        policy.can_edit_party(actor, case, party),
        _("Only the station's mediators correct a party's particulars, while the case is open."),
    )
    if parse_id(version) != party.version:
        raise _changed_meanwhile()
    now = now or utcnow()
    values, errors = _edited(party, changes)
    errors = {**particulars_problems(values, local_date(now)), **errors, **_numbers_taken(party, values)}
    if not values["name"]:
        errors["name"] = _("Enter the party's name.")
    if errors:
        raise Invalid(_("Some information is missing or wrong."), fields=errors)
    before = particulars_of(party)
    for name, value in values.items():
        setattr(party, name, value)
    old, new = audit.changes(before, particulars_of(party))
    if not new:
        return {}
    flush_file()
    role = next(link.role for link in case.party_links if link.party_id == party.id)
    data = {"party": party.id, "name": party.name, "role": role, "old": old, "new": new}
    record_event(case, actor, "party", "update_party", data, now=now)
    audit.record(
        actor,
        "party",
        "update_party",
        target=f"party:{party.id}",
        case=case,
        old=_as_the_log_shows(old),
        new=_as_the_log_shows(new),
        now=now,
    )
    return new


def record_completed_at_intake(actor, case: Case, party: Party, old: dict, new: dict, *, now=None) -> None:
    """Write into the audit log that a file found at ``case``'s intake took details typed there (its empty
    fields, or the phone or address the typist chose to take over)."""
    audit.record(
        actor,
        "party",
        "update_party_at_intake",
        target=f"party:{party.id}",
        case=case,
        old=_as_the_log_shows(old),
        new=_as_the_log_shows(new),
        now=now,
    )


def flush_file() -> None:
    """Flush, turning a file changed by someone else at the same moment (its version moved) into a
    ``Conflict``: a correction or an intake that fills a file never overwrites another one's change."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise _changed_meanwhile() from error


def _changed_meanwhile() -> Conflict:
    return Conflict(
        _("Someone else changed this party's particulars meanwhile. Review them and try again."),
        code="stale_version",
    )


def _edited(party: Party, changes: dict) -> tuple[dict, dict]:
    """The particulars after ``changes``, normalised, and what cannot be read (a date of birth)."""
    unknown = set(changes) - set(PARTICULARS)
    if unknown:
        raise ValueError(f"not a party's particular: {sorted(unknown)}")
    merged = {**particulars_of(party), **changes}
    errors = {}
    born = merged["birth_date"]
    if isinstance(born, str):
        try:
            born = parse_iso_date(born) if born.strip() else None
        except ValueError as error:
            errors["birth_date"] = str(error)
            born = None
    merged["birth_date"] = born
    return PartyInput(role="applicant", **merged).details(), errors


def _numbers_taken(party: Party, values: dict) -> dict:
    """An ID number or credit code that is already another file's: two people never share one."""
    errors = {}
    for number in ("id_number", "credit_code"):
        if values.get(number) and values[number] != getattr(party, number):
            other = db.session.scalar(
                select(Party.id)
                .where(getattr(Party, number) == values[number], Party.id != party.id)
                .limit(1)
            )
            if other is not None:
                errors[number] = _("This number is in another person's file. Check it.")
    return errors


def _as_the_log_shows(values: dict) -> dict:
    """Personal values as the audit log's readers (supervisors, administrators) may see them: masked, or
    ``***`` where they may see nothing. The case's trail keeps the values themselves."""
    view = policy.PersonalData(
        "timeline", policy.OVERSIGHT, policy.personal_levels(policy.OVERSIGHT, "timeline")
    )
    out = {}
    for name, value in values.items():
        decided_by = _FIELD_POLICY.get(name)
        out[name] = (
            value if decided_by is None or value in (None, "") else view.show(decided_by, value) or "***"
        )
    return out


#: Which policy field decides how a particular is shown.
_FIELD_POLICY = {
    "name": "name",
    "phone": "phone",
    "id_number": "id_number",
    "address": "address",
    "birth_date": "birth_date",
    "sex": "particulars",
    "ethnicity": "particulars",
    "occupation": "particulars",
    "legal_representative": "legal_representative",
    "credit_code": "credit_code",
}


def field_policy(name: str) -> str | None:
    """The policy field (``policy.PERSONAL_FIELDS``) that decides how particular ``name`` is shown."""
    return _FIELD_POLICY.get(name)
