"""The form that corrects a party's particulars from one of their cases."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.widgets import DateInput

from mediation import taxonomy
from mediation.form_flags import MaxLength
from mediation.services.parties import MAX_LENGTHS as PARTY_LENGTHS
from mediation.services.parties import PARTICULARS
from mediation.web import OnceForm


class PartyEditForm(OnceForm):
    """Every particular the agreement states about a party (DOMAIN §3); the service checks them."""

    version = HiddenField()
    kind = RadioField(
        _l("This party is"),
        choices=[SelectChoice("person", _l("A person")), SelectChoice("organisation", _l("An organisation"))],
        default="person",
        validate_choice=False,
    )
    name = StringField(_l("Name"), validators=[MaxLength(PARTY_LENGTHS["name"])])
    phone = StringField(
        _l("Phone"),
        validators=[MaxLength(PARTY_LENGTHS["phone"])],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    )
    id_number = StringField(
        _l("ID number"), validators=[MaxLength(PARTY_LENGTHS["id_number"])], render_kw={"autocomplete": "off"}
    )
    sex = SelectField(
        _l("Sex"),
        choices=[SelectChoice("", _l("Not recorded"))]
        + [SelectChoice(k, v) for k, v in taxonomy.SEXES.items()],
        validate_choice=False,
    )
    birth_date = StringField(
        _l("Date of birth"),
        widget=DateInput(),
        description=_l("Left empty, it is read from the ID number."),
    )
    ethnicity = StringField(
        _l("Ethnicity"),
        validators=[MaxLength(PARTY_LENGTHS["ethnicity"])],
        description=_l("For example 汉族 or 回族."),
    )
    occupation = StringField(_l("Occupation"), validators=[MaxLength(PARTY_LENGTHS["occupation"])])
    legal_representative = StringField(
        _l("Legal representative"), validators=[MaxLength(PARTY_LENGTHS["legal_representative"])]
    )
    credit_code = StringField(
        _l("Unified social credit code"),
        validators=[MaxLength(PARTY_LENGTHS["credit_code"])],
        description=_l("18 characters, on the business licence."),
        render_kw={"autocomplete": "off"},
    )
    address = StringField(_l("Address"), validators=[MaxLength(PARTY_LENGTHS["address"])])

    @classmethod
    def for_party(cls, party, **kwargs) -> "PartyEditForm":
        """The form filled with ``party``'s particulars as the file has them now."""
        data = {name: getattr(party, name) or "" for name in PARTICULARS}
        data["sex"] = taxonomy.sex_code(party.sex)
        data["birth_date"] = party.birth_date.isoformat() if party.birth_date else ""
        return cls(data={**data, "version": str(party.version)}, **kwargs)

    def changes(self) -> dict:
        """The particulars as posted, for ``services.parties.update_party``."""
        return {name: self[name].data or "" for name in PARTICULARS}
