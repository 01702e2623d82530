"""Who may see and do what. Pages, templates and the API ask these same predicates.

Scope rules: mediators act at the stations they serve; supervisors see the stations they oversee; liaisons
see the cases referred to or from their agency, and a court's liaisons the cases whose agreement was brought
to it for judicial confirmation; admins manage accounts and see everything but do no case work.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import exists, false, or_, select, true

from mediation import lifecycle, taxonomy
from mediation.errors import NotAllowed
from mediation.models import Agreement, Case, Referral


def serves_station(actor, station_id) -> bool:
    return actor.role in ("mediator", "supervisor") and station_id in actor.station_ids


def can_view_case(actor, case) -> bool:
    if actor.role == "admin":
        return True
    if actor.role in ("mediator", "supervisor"):
        return case.station_id in actor.station_ids
    return actor.agency_id is not None and _dealt_with_agency(actor, case)


def _dealt_with_agency(actor, case) -> bool:
    """The case was referred to or from ``actor``'s agency, or its agreement brought to it for judicial
    confirmation (an agency keeps seeing what it once had)."""
    return any(r.agency_id == actor.agency_id for r in case.referrals) or any(
        a.jc_court_id == actor.agency_id for a in case.agreements
    )


def station_scope(actor) -> set[int] | None:
    """The stations whose cases are exactly the cases ``actor`` may see (a mediator's, a supervisor's), or
    ``None`` when their scope is not a list of stations (every station; an agency's cases)."""
    return actor.station_ids if actor.role in ("mediator", "supervisor") else None


def visible_cases_clause(actor):
    """A SQL condition on ``Case`` matching exactly the cases ``can_view_case`` allows."""
    if actor.role == "admin":
        return true()
    stations = station_scope(actor)
    if stations is not None:
        return Case.station_id.in_(stations) if stations else false()
    if actor.agency_id is not None:
        return or_(
            exists(
                select(Referral.id).where(Referral.case_id == Case.id, Referral.agency_id == actor.agency_id)
            ),
            exists(
                select(Agreement.id).where(
                    Agreement.case_id == Case.id, Agreement.jc_court_id == actor.agency_id
                )
            ),
        )
    return false()


def can_work_on_case(actor, case) -> bool:
    """Record sessions, agreements details, attachments and edits: the station's mediators, on open cases."""
    return actor.role == "mediator" and case.station_id in actor.station_ids and case.is_open


def can_follow_up(actor, case) -> bool:
    """Plan and record follow-up visits: the station's mediators, in any state but registration
    (``services.followups`` then takes visits only once the mediation is concluded, and on a closed case
    only while one is owed: a failed mediation is followed up too)."""
    return (
        actor.role == "mediator"
        and case.station_id in actor.station_ids
        and case.state != lifecycle.INITIAL_STATE
    )


def can_supervise(actor, case) -> bool:
    """Put a case under supervision (督办) and end it: a supervisor of its station, while it is open."""
    return actor.role == "supervisor" and case.station_id in actor.station_ids and case.is_open


def can_answer_supervision(actor, case) -> bool:
    """Answer a supervision with progress notes: the station's mediators."""
    return can_work_on_case(actor, case)


def can_read_station_books(actor, station) -> bool:
    """The station's visit log and duty roster: its mediators and supervisors see them."""
    return serves_station(actor, station.id)


def can_keep_station_books(actor, station) -> bool:
    """Only the station's mediators write in its visit log and edit its roster."""
    return actor.role == "mediator" and station.id in actor.station_ids


def has_agency_inbox(actor) -> bool:
    """A liaison works from their agency's inbox (home is what waits on the agency, not a station's cases)."""
    return actor.role in taxonomy.LIAISON_ROLES and actor.agency_id is not None


def can_add_file(actor, case) -> bool:
    """Attach evidence: the station's mediators on open cases (``can_work_on_case``), and the liaisons of
    the agency that sent the dispute, with it and until the station answers (accepts or declines) it."""
    if can_work_on_case(actor, case):
        return True
    inbound = case.inbound_referral
    return (
        case.is_open
        and inbound is not None
        and inbound.status == "pending"
        and actor.agency_id is not None
        and inbound.agency_id == actor.agency_id
    )


def can_read_feedback_letter(actor, case) -> bool:
    """The letter reporting the station's result to the agency that sent the dispute (调解情况反馈函): the
    station's mediators and supervisors, and that agency's liaisons. Whether it was sent is the caller's."""
    inbound = case.inbound_referral
    if inbound is None:
        return False
    return serves_station(actor, case.station_id) or (
        actor.agency_id is not None and inbound.agency_id == actor.agency_id
    )


def can_read_visit_record(actor, case) -> bool:
    """The printable follow-up record (回访记录): the station's mediators and supervisors, whose work and
    oversight the visits are; an agency and an administrator see the visits on the case page only."""
    return serves_station(actor, case.station_id)


def has_own_cases(actor) -> bool:
    """Mediators are assigned cases of their own ("my cases", "assigned to me")."""
    return actor.role == "mediator"


def sees_every_station(actor) -> bool:
    """Administrators see every station (in filters and lists); everyone else the stations they belong to."""
    return actor.role == "admin"


def registration_stations(actor) -> list:
    """The stations where ``actor`` may register a dispute (the intake form's choice)."""
    return [station for station in actor.stations if can_register_at(actor, station)]


def book_stations(actor) -> list:
    """The stations whose visit log and duty roster ``actor`` may read."""
    return [station for station in actor.stations if can_read_station_books(actor, station)]


def can_read_audit_log(actor) -> bool:
    """The audit log: admins read all of it, supervisors what concerns the stations they oversee."""
    return actor.role == "admin" or (actor.role == "supervisor" and bool(actor.station_ids))


def can_read_reports(actor) -> bool:
    """The statistics of stations (the monthly report): their own for mediators and supervisors, every
    station's for admins; an agency's liaison has none."""
    return actor.role in ("mediator", "supervisor", "admin")


def can_register_at(actor, station) -> bool:
    return actor.role == "mediator" and station.id in actor.station_ids


def can_send_dispute(actor, station) -> bool:
    """An agency's liaison sends disputes to the stations their agency serves."""
    return actor.agency is not None and any(s.id == station.id for s in actor.agency.stations)


def dispute_stations(actor) -> list:
    """The stations ``actor`` may send a dispute to (the liaison's "send a dispute" form)."""
    return list(actor.agency.stations) if actor.agency is not None else []


def can_answer_for_court(actor, agreement) -> bool:
    """A court's answers to an application for judicial confirmation (accepted or not, valid or invalid):
    its own liaisons record them, whatever the case's state."""
    return (
        actor.role == "liaison"
        and agreement.jc_court_id is not None
        and actor.agency_id == agreement.jc_court_id
    )


#: What the case page asks a court's liaison for, by where the application stands.
_COURT_ANSWERS = {"acceptance": "answer", "decision": "decide"}


def judicial_step(actor, case) -> str | None:
    """What ``actor`` may record of the judicial confirmation of ``case``'s agreement now, as it stands:
    ``apply`` (the station's mediators, while the agreement in force may be applied for: within its window,
    no other application awaiting its court), ``answer`` (the court's liaisons: accepted or not) or
    ``decide`` (theirs: valid or invalid); ``None`` for nothing. The case page's panel; ``services.judicial``
    refuses everything else."""
    application = case.confirmation
    if application is not None and application.jc_stage in _COURT_ANSWERS:
        return _COURT_ANSWERS[application.jc_stage] if can_answer_for_court(actor, application) else None
    return "apply" if case.confirmation_window is not None and can_work_on_case(actor, case) else None


def _in_scope(actor, case, scope) -> bool:
    if scope == lifecycle.STATION:
        return case.station_id in actor.station_ids
    referral = case.active_referral
    return referral is not None and actor.agency_id is not None and referral.agency_id == actor.agency_id


def refusal(actor, case, trigger) -> str | None:
    """Why ``actor`` may not fire ``trigger`` on ``case`` (role or scope); ``None`` if they may."""
    step = lifecycle.STEPS[trigger]
    if actor.role not in step.roles:
        return "role"
    if not _in_scope(actor, case, step.scope):
        return step.scope
    return None


def can_fire(actor, case, trigger) -> bool:
    """Whether ``actor`` may fire ``trigger`` on ``case`` now: the state allows it, and role and scope fit.

    Guards and data are checked when the step is applied; a button may show and still be refused for them.
    """
    step = lifecycle.STEPS[trigger]
    return (
        lifecycle.may(case.state, trigger) and step.applies_to(case) and refusal(actor, case, trigger) is None
    )


def allowed_steps(actor, case) -> list:
    """The steps ``actor`` may fire on ``case`` now, in declaration order: the buttons on the case page."""
    steps = (lifecycle.STEPS[t] for t in lifecycle.triggers_from(case.state))
    return [s for s in steps if s.applies_to(case) and refusal(actor, case, s.trigger) is None]


def step_availability(actor, case, permits=frozenset()) -> list[tuple]:
    """The steps ``actor`` may fire on ``case`` now (``allowed_steps``), each as ``(step, reason)``.

    ``reason`` is why the step cannot go ahead yet: the message of its first guard on the case alone that
    fails and that none of the waivers the deployment allows (``permits``, ``settings.permits()``) can
    waive (``lifecycle.blocking_guard``), else ``None``. The case page shows a step with a reason disabled,
    the reason beside it; firing it anyway is still refused (``Invalid``). Guards on what is typed are judged
    when it is posted. The API's ``allowed_triggers`` will answer the same.
    """
    out = []
    for step in allowed_steps(actor, case):
        guard = lifecycle.blocking_guard(step, case, permits)
        out.append((step, guard.message if guard is not None else None))
    return out


def require(allowed: bool, message) -> None:
    if not allowed:
        raise NotAllowed(message)


# --- Personal data (PIPL, DOMAIN §9) ---------------------------------------------------------------------
#
# One table decides, for every output, how much of each personal field an actor sees of a party in a
# case: in full, masked, or not at all. Pages, the printable agreement, the type-ahead, intake's matching,
# and later the API and exports all ask ``personal_data``; docs/architecture.md ("Personal data") explains
# the rules.

FULL, MASKED, HIDDEN = "full", "masked", "hidden"
_LEVEL_RANK = {HIDDEN: 0, MASKED: 1, FULL: 2}

#: The fields the policy decides. ``particulars`` are sex, ethnicity and occupation; ``name`` is the
#: party's (or organisation's) name; the last two are an organisation's.
PERSONAL_FIELDS = (
    "name",
    "phone",
    "id_number",
    "address",
    "birth_date",
    "particulars",
    "legal_representative",
    "credit_code",
)
#: Fields whose full value, once shown, is written into the audit log (PIPL: access to full values).
LOGGED_FIELDS = ("phone", "id_number", "address")

#: Where personal data is shown. ``party_form`` is the edit form of a party's particulars.
OUTPUTS = (
    "case_page",
    "party_file",
    "agreement_print",
    "visit_print",
    "party_form",
    "timeline",
    "type_ahead",
    "intake_match",
    "api",
    "export",
)

#: How an actor stands to a case, strongest first: the station's mediators (who do the work), the agency
#: the case is with now, an agency whose referral has ended, the station's supervisors, administrators,
#: and everyone else (who does not see the case at all).
STATION, AGENCY, AGENCY_ENDED, OVERSIGHT, ADMIN, OUTSIDE = (
    "station",
    "agency",
    "agency_ended",
    "oversight",
    "admin",
    "outside",
)
SCOPES = (STATION, AGENCY, AGENCY_ENDED, OVERSIGHT, ADMIN, OUTSIDE)

_WORK = dict.fromkeys(PERSONAL_FIELDS, FULL)
_OVERSEE = {
    "name": FULL,
    "phone": MASKED,
    "id_number": MASKED,
    "address": HIDDEN,
    "birth_date": MASKED,  # the year: ages for oversight, not the day
    "particulars": HIDDEN,
    "legal_representative": FULL,
    "credit_code": FULL,  # an organisation's registered code is public
}
_NOTHING = dict.fromkeys(PERSONAL_FIELDS, HIDDEN)
_BY_SCOPE = {
    STATION: _WORK,
    AGENCY: _WORK,
    AGENCY_ENDED: _OVERSEE,
    OVERSIGHT: _OVERSEE,
    ADMIN: _OVERSEE,
    OUTSIDE: _NOTHING,
}

#: The most an output ever shows of a field, whoever asks: lists that only tell people apart mask, the
#: trail masks the values it records (the current ones are a "show" away), exports never carry full ID
#: numbers.
_CAPS = {
    "timeline": {"phone": MASKED, "id_number": MASKED, "address": MASKED, "birth_date": MASKED},
    "type_ahead": {
        "phone": MASKED,
        "id_number": MASKED,
        "address": HIDDEN,
        "birth_date": HIDDEN,
        "particulars": HIDDEN,
        "credit_code": MASKED,
    },
    "intake_match": {
        "phone": MASKED,
        "id_number": MASKED,
        "address": MASKED,
        "birth_date": HIDDEN,
        "particulars": HIDDEN,
        "credit_code": MASKED,
    },
    "export": {"id_number": MASKED},
    # The follow-up record reaches the parties (phone, address), and identifies nobody further.
    "visit_print": {"id_number": HIDDEN, "birth_date": HIDDEN, "particulars": HIDDEN},
}
#: What an output shows someone outside the case's scope. Only intake's matching shows anything: the
#: typist found the person by a number they typed, and must see enough to tell whether it is them.
_OUTSIDE = {
    "intake_match": {"name": MASKED, "phone": MASKED, "id_number": MASKED, "credit_code": MASKED},
}


def data_scope(actor, case) -> str:
    """How ``actor`` stands to ``case`` for personal data (one of ``SCOPES``); ``OUTSIDE`` exactly when
    ``can_view_case`` is false, and for ``case=None`` (no case relates them)."""
    if case is None:
        return OUTSIDE
    if actor.role in ("mediator", "supervisor"):
        if case.station_id not in actor.station_ids:
            return OUTSIDE
        return STATION if actor.role == "mediator" else OVERSIGHT
    if actor.role == "admin":
        return ADMIN
    if actor.agency_id is not None:
        referral, application = case.active_referral, case.confirmation
        if referral is not None and referral.agency_id == actor.agency_id:
            return AGENCY
        awaiting = application is not None and application.jc_stage in Agreement.AWAITING
        if awaiting and application.jc_court_id == actor.agency_id:
            return AGENCY  # the court identifies the parties to confirm what they agreed
        if _dealt_with_agency(actor, case):
            return AGENCY_ENDED
    return OUTSIDE


def personal_levels(scope: str, output: str) -> dict[str, str]:
    """The table itself: ``{field: FULL | MASKED | HIDDEN}`` for an actor in ``scope`` and an ``output``."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}")
    if scope == OUTSIDE:
        return {**_NOTHING, **_OUTSIDE.get(output, {})}
    caps = _CAPS.get(output, {})
    return {
        name: min(level, caps.get(name, FULL), key=_LEVEL_RANK.__getitem__)
        for name, level in _BY_SCOPE[scope].items()
    }


@dataclass(frozen=True)
class PersonalData:
    """What one actor sees of the parties of one case in one output; templates and services ask it."""

    output: str
    scope: str
    levels: Mapping[str, str]
    #: The case that gives the scope (the audit entry of a view of full values belongs to it).
    case: object = field(default=None, compare=False)

    def full(self, name: str) -> bool:
        return self.levels[name] == FULL

    def shown(self, name: str) -> bool:
        return self.levels[name] != HIDDEN

    def show(self, name: str, value) -> str:
        """``value`` as this output shows it: as it is, masked, or empty."""
        if value in (None, ""):
            return ""
        level = self.levels[name]
        if level == FULL:
            return value
        return mask(name, value) if level == MASKED else ""

    def preview(self, name: str, value) -> str:
        """``value`` as a page shows it until the reader asks to see it in full: masked, or empty."""
        return mask(name, value) if value not in (None, "") and self.shown(name) else ""

    def full_fields(self, party, among=LOGGED_FIELDS) -> list[str]:
        """The logged fields (of those the output carries, ``among``) that ``party`` has a value for and
        this output shows in full: what a view of it writes into the audit log."""
        return [name for name in among if getattr(party, name) and self.full(name)]


def personal_data(actor, case, output: str) -> PersonalData:
    """What ``actor`` sees of the parties of ``case`` in ``output``. Any actor may ask; ``case=None`` asks
    for someone no case relates to the actor. Raises ``ValueError`` for an unknown output."""
    scope = data_scope(actor, case)
    return PersonalData(output, scope, personal_levels(scope, output), case if scope != OUTSIDE else None)


def personal_data_across(actor, cases, output: str) -> PersonalData:
    """What ``actor`` sees of a party in any of ``cases`` (a party's file, or a person found at intake):
    the strongest scope any of them gives, else nothing (``OUTSIDE``)."""
    views = [personal_data(actor, case, output) for case in cases]
    return min(views, key=lambda v: SCOPES.index(v.scope), default=personal_data(actor, None, output))


def mask(name: str, value) -> str:
    """The masked form of a personal value: enough to tell people apart, not to reach them."""
    if name == "birth_date":
        return str(value.year)
    text = str(value)
    if name in ("name", "legal_representative"):
        return mask_name(text)
    if name == "address":
        return mask_address(text)
    if name == "phone":
        return mask_phone(text)
    if name in ("id_number", "credit_code"):
        return mask_id_number(text)
    return "*" * len(text)


def mask_name(name: str) -> str:
    """刘建华 → 刘*华, 王芳 → 王*: the first character (and the last of three or more)."""
    chars = list(name.strip())
    if len(chars) <= 1:
        return "*" * len(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def mask_id_number(id_number: str) -> str:
    return (
        id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]
        if len(id_number) > 7
        else "*" * len(id_number)
    )


def mask_address(address: str) -> str:
    """The first part of an address (at most six characters, a third of it): the district, not the door."""
    keep = min(6, len(address) // 3)
    return address[:keep] + "****"


def can_edit_party(actor, case, party) -> bool:
    """A party's particulars: the station's mediators change them on an open case the party is in."""
    return can_work_on_case(actor, case) and any(link.party_id == party.id for link in case.party_links)


def can_read_oversight(actor) -> bool:
    """The oversight figures (``/oversight``): supervisors and mediators over their stations, administrators
    over all; an agency's liaisons have their inbox instead."""
    return actor.role in ("mediator", "supervisor", "admin")


def oversight_is_home(actor) -> bool:
    """A supervisor's home page is the oversight dashboard (a mediator's is their work)."""
    return actor.role == "supervisor"
