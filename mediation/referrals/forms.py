"""The form a liaison sends a dispute to a station with (公安移交, a court's 委派 or 委托, 交办)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice

from mediation.cases.forms import IntakeForm, PartyRows, offer_stations
from mediation.form_flags import MaxLength, Needed
from mediation.services.cases import CaseInput
from mediation.text import NOTE_LENGTH
from mediation.web import OnceForm


class DisputeForm(PartyRows, OnceForm):
    """The station, the kind (which names the channel), the agency's case number, the dispute as intake
    takes it, its parties and files. Nothing is validated here: ``services.inbound.send_dispute`` checks it
    all, and intake's rules for the dispute and its parties with it."""

    station = SelectField(_l("Station"), validators=[Needed()], validate_choice=False)
    kind = SelectField(_l("Kind of dispute"), validators=[Needed()], validate_choice=False)
    agency_case_number = StringField(
        _l("Your case number"),
        validators=[MaxLength(64)],  # Referral.agency_case_number is String(64)
        description=_l("The number your agency gave the matter (警情号, 案号); a court's is required."),
    )
    category = IntakeForm.category
    title = IntakeForm.title
    facts = IntakeForm.facts
    place = IntakeForm.place
    risk_level = IntakeForm.risk_level
    reason = TextAreaField(
        _l("Why you send it to the station"),
        validators=[MaxLength(NOTE_LENGTH)],
        render_kw={"rows": 3},
        description=_l("E.g. a minor civil dispute suited to mediation; what the agency has done so far."),
    )
    file = MultipleFileField(
        _l("Files"),
        description=_l(
            "Optional; several files may be chosen at once. You can add more until the station answers."
        ),
    )

    def __init__(self, *args, stations=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        offer_stations(self.station, stations)
        several = len(kinds) > 1
        self.kind.choices = ([SelectChoice("", _l("Choose the kind"))] if several else []) + [
            SelectChoice(k.code, k.label) for k in kinds
        ]
        if not several and kinds and not self.kind.data:
            self.kind.data = kinds[0].code

    def case_input(self) -> CaseInput:
        """The dispute as intake takes it; the channel is the kind's (the service sets it)."""
        return CaseInput(
            title=self.title.data or "",
            category=self.category.data or "",
            channel="",
            facts=self.facts.data or "",
            place=self.place.data or "",
            risk_level=self.risk_level.data or "",
        )

    def uploads(self) -> list:
        """The files chosen (a browser sends an empty part when none is)."""
        return [upload for upload in self.file.data or () if getattr(upload, "filename", "")]
