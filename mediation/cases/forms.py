"""The intake form (登记): the dispute, who mediates it, and a repeatable block per party."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice

from mediation import taxonomy
from mediation.errors import Invalid, Refused
from mediation.form_flags import MaxLength, Needed
from mediation.ids import parse_id
from mediation.services.cases import MAX_LENGTHS, CaseInput
from mediation.services.parties import MAX_LENGTHS as PARTY_LENGTHS
from mediation.services.parties import PartiesToConfirm, PartyInput
from mediation.web import OnceForm

#: Blocks shown when the page opens: applicant, respondent, third party (more are added with JS).
DEFAULT_ROLES = ("applicant", "respondent", "third_party")
MAX_PARTIES = 20

_PARTY_KEY = re.compile(r"^parties-(\d+)-(\w+)$")


def _choices(mapping, placeholder=None) -> list[SelectChoice]:
    head = [SelectChoice("", placeholder)] if placeholder else []
    return head + [SelectChoice(code, label) for code, label in mapping.items()]


class PartyForm(Form):
    """One party's block; a block left entirely empty is ignored.

    When intake finds a file that differs from what was typed, the block comes back with ``match`` (the
    file as the typist may see it) and asks: the same person? take over the phone or address typed?
    """

    role = SelectField(_l("Role"), choices=_choices(taxonomy.PARTY_ROLES))
    organisation = BooleanField(
        _l("An organisation"),
        description=_l("A company, shop, hospital or committee: a legal representative speaks for it."),
        render_kw={"data-party-organisation": ""},
    )
    name = StringField(
        _l("Name"),
        validators=[MaxLength(PARTY_LENGTHS["name"])],
        render_kw={"autocomplete": "off", "data-party-search": "name"},
    )
    phone = StringField(
        _l("Phone"),
        validators=[MaxLength(PARTY_LENGTHS["phone"])],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off", "data-party-search": "phone"},
    )
    id_number = StringField(
        _l("ID number"),
        validators=[MaxLength(PARTY_LENGTHS["id_number"])],
        render_kw={"autocomplete": "off", "data-person-only": ""},
    )
    legal_representative = StringField(
        _l("Legal representative"),
        validators=[MaxLength(PARTY_LENGTHS["legal_representative"])],
        render_kw={"data-organisation-only": ""},
    )
    credit_code = StringField(
        _l("Unified social credit code"),
        validators=[MaxLength(PARTY_LENGTHS["credit_code"])],
        render_kw={"autocomplete": "off", "data-organisation-only": ""},
    )
    address = StringField(_l("Address"), validators=[MaxLength(PARTY_LENGTHS["address"])])
    #: Set when a person already on file was picked, so their one file is reused (一人一档).
    party_id = HiddenField()
    #: The file shown in this block's match panel: the answers below are about it.
    seen_party_id = HiddenField()
    same_person = RadioField(
        _l("Is it the same person?"),
        choices=[
            SelectChoice("yes", _l("Yes, the same person: register them with this file")),
            SelectChoice("no", _l("No, someone else")),
        ],
        validate_choice=False,
    )
    update_phone = BooleanField(_l("Put the phone typed into the file"))
    update_address = BooleanField(_l("Put the address typed into the file"))

    #: The file found, when intake asks about it (``services.parties.FileMatch``); its messages.
    match = None
    match_errors: tuple = ()

    def is_blank(self) -> bool:
        typed = (
            self.name,
            self.phone,
            self.id_number,
            self.legal_representative,
            self.credit_code,
            self.address,
            self.party_id,
        )
        return not any((f.data or "").strip() for f in typed)

    def picked_id(self) -> int | None:
        return parse_id(self.party_id.data)

    def to_input(self) -> PartyInput:
        return PartyInput(
            role=self.role.data,
            kind="organisation" if self.organisation.data else "person",
            name=self.name.data or "",
            phone=self.phone.data or "",
            id_number=self.id_number.data or "",
            legal_representative=self.legal_representative.data or "",
            credit_code=self.credit_code.data or "",
            address=self.address.data or "",
            party_id=self.picked_id(),
            seen_party_id=parse_id(self.seen_party_id.data),
            same_person={"yes": True, "no": False}.get(self.same_person.data),
            update_phone=bool(self.update_phone.data),
            update_address=bool(self.update_address.data),
        )

    def show_match(self, match) -> None:
        """Ask about ``match`` in this block; the next post answers for that file."""
        self.match = match
        self.seen_party_id.data = str(match.party_id)


class PartyRows:
    """The repeatable party blocks of a form that registers a dispute (intake, and an agency sending one),
    and putting intake's refusals about them back in the right block."""

    parties = FieldList(
        FormField(PartyForm), label=_l("Parties"), min_entries=len(DEFAULT_ROLES), max_entries=MAX_PARTIES
    )
    #: Messages about the parties as a whole ("Name at least one applicant").
    party_errors: tuple = ()

    def party_inputs(self) -> tuple[list[PartyInput], list[int]]:
        """The filled-in party blocks, and the block index of each (the service numbers only these)."""
        positions = [i for i, entry in enumerate(self.parties.entries) if not entry.form.is_blank()]
        return [self.parties.entries[i].form.to_input() for i in positions], positions

    def place_party_errors(self, error: Refused, positions: list[int]) -> Refused:
        """Put the service's ``parties-<i>-<field>`` errors under the right block, and the files it asks
        about into their blocks' panels; return the rest."""
        for position, found in (error.matches if isinstance(error, PartiesToConfirm) else {}).items():
            self.parties.entries[positions[position]].form.show_match(found)
        rest = {}
        for key, message in error.fields.items():
            match = _PARTY_KEY.match(key)
            if match and int(match[1]) < len(positions):
                block = self.parties.entries[positions[int(match[1])]].form
                if match[2] == "match":
                    block.match_errors = [*block.match_errors, str(message)]
                    continue
                field = block._fields.get(match[2]) if match[2] != "party_id" else block.name
                if field is not None:
                    field.errors = [*field.errors, str(message)]
                    continue
            if key == "parties":
                self.party_errors = [*self.party_errors, str(message)]
                continue
            rest[key] = message
        return Refused(error.message, fields=rest)


class IntakeForm(PartyRows, OnceForm):
    station = SelectField(_l("Station"), validators=[Needed()])
    channel = SelectField(
        _l("How it came in"), choices=_choices(taxonomy.CHANNELS), default="walk_in", validators=[Needed()]
    )
    category = SelectField(
        _l("Category"), choices=_choices(taxonomy.CATEGORIES, _l("Choose a category")), validators=[Needed()]
    )
    title = StringField(
        _l("Title"),
        validators=[Needed(), MaxLength(MAX_LENGTHS["title"])],
        description=_l("A few words, e.g. “Water leaking from the flat upstairs”."),
    )
    facts = TextAreaField(_l("Facts"), validators=[MaxLength(MAX_LENGTHS["facts"])], render_kw={"rows": 5})
    place = StringField(
        _l("Place"), validators=[MaxLength(MAX_LENGTHS["place"])], description=_l("Where it happened.")
    )
    amount = StringField(
        _l("Amount in dispute (yuan)"),
        validators=[MaxLength(MAX_LENGTHS["amount"])],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    risk_level = RadioField(
        _l("Risk of escalation"),
        choices=_choices(taxonomy.RISK_LEVELS),
        default="low",
        description=_l("Could the dispute turn violent or criminal (民转刑)?"),
    )
    external_ref = StringField(
        _l("External reference"),
        validators=[MaxLength(MAX_LENGTHS["external_ref"])],
        description=_l("The referring agency's or the platform's own number."),
    )
    mediator = SelectField(_l("Mediator"), validate_choice=True)
    #: The visit-log entry this intake turns into a case, if any.
    log_entry = HiddenField()

    def __init__(self, *args, stations=(), serving=None, **kwargs):
        """``serving``: ``services.cases.serving`` of ``stations``, the mediators offered."""
        super().__init__(*args, **kwargs)
        offer_stations(self.station, stations)
        self.mediator.choices = _mediator_choices(stations, serving or {})

    def case_input(self) -> CaseInput:
        return CaseInput(
            title=self.title.data or "",
            category=self.category.data or "",
            channel=self.channel.data or "",
            facts=self.facts.data or "",
            place=self.place.data or "",
            amount=(self.amount.data or "").strip().replace(",", "").replace("，", "") or None,
            risk_level=self.risk_level.data or "",
            external_ref=self.external_ref.data or "",
        )


def offer_stations(field: SelectField, stations) -> None:
    """The station select: the only one chosen already, else a prompt to choose one first."""
    several = len(stations) > 1
    field.choices = ([SelectChoice("", _l("Choose a station"))] if several else []) + [
        SelectChoice(s.code, s.name) for s in stations
    ]
    if not several and stations and not field.data:
        field.data = stations[0].code


def chosen_station(stations, code):
    """The station of ``stations`` whose code was chosen; ``Invalid`` on ``station`` for any other."""
    station = next((s for s in stations if s.code == code), None)
    if station is None:
        raise Invalid(_("Some information is missing or wrong."), fields={"station": _("Choose a station.")})
    return station


def _mediator_choices(stations, serving) -> list[SelectChoice]:
    """Empty = whoever is on duty; then the mediators, grouped by station when there are several."""
    on_duty = serving[stations[0].id].on_duty if len(stations) == 1 and stations[0].id in serving else None
    if on_duty is not None:
        empty = _l("On duty today: %(name)s", name=on_duty.name)
    else:
        empty = _l("Whoever is on duty today (else me)")
    choices = [SelectChoice("", empty)]
    for station in stations:
        group = station.name if len(stations) > 1 else None
        mediators = serving[station.id].mediators if station.id in serving else ()
        choices += [SelectChoice(str(u.id), u.name, optgroup=group) for u in mediators]
    return choices


def intake_defaults(entry=None, station_code=None) -> dict:
    """Initial data: the default party blocks, with a visit-log entry's visitor and matter if given."""
    parties = [{"role": role} for role in DEFAULT_ROLES]
    data = {"parties": parties}
    if station_code:
        data["station"] = station_code
    if entry is not None:
        parties[0].update(name=entry.visitor_name, phone=entry.visitor_phone)
        data.update(facts=entry.matter, log_entry=str(entry.id), channel="walk_in")
    return data
