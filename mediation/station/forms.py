"""The station's books: a visitor in the visit log, and a week of the duty roster."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.widgets import DateTimeLocalInput

from mediation.clock import parse_iso_date
from mediation.form_flags import MaxLength, Needed
from mediation.ids import parse_id
from mediation.services.station_log import MAX_LENGTHS, VisitorInput
from mediation.web import OnceForm


class VisitorForm(OnceForm):
    visitor_name = StringField(
        _l("Visitor's name"), validators=[Needed(), MaxLength(MAX_LENGTHS["visitor_name"])]
    )
    visitor_phone = StringField(
        _l("Phone"),
        validators=[MaxLength(MAX_LENGTHS["visitor_phone"])],
        render_kw={"type": "tel", "inputmode": "tel"},
    )
    #: Local time as typed; the service reads it (``clock.parse_local_datetime``) and says what is wrong.
    visited_at = StringField(
        _l("When"), widget=DateTimeLocalInput(), description=_l("Leave as it is for now.")
    )
    matter = TextAreaField(
        _l("What they came about"),
        validators=[Needed(), MaxLength(MAX_LENGTHS["matter"])],
        render_kw={"rows": 3},
    )
    action_taken = TextAreaField(
        _l("What was done"), validators=[MaxLength(MAX_LENGTHS["action_taken"])], render_kw={"rows": 3}
    )

    def to_input(self) -> VisitorInput:
        return VisitorInput(
            visitor_name=self.visitor_name.data or "",
            visitor_phone=self.visitor_phone.data or "",
            matter=self.matter.data or "",
            action_taken=self.action_taken.data or "",
            visited_at=self.visited_at.data or None,
        )


class RosterForm(OnceForm):
    """The week's checkboxes are named ``duty`` with values ``YYYY-MM-DD:<user id>``."""

    week = HiddenField()

    @staticmethod
    def assignments(values: list[str]) -> set[tuple[date, int]]:
        """The ticked (day, user id) pairs; anything malformed is ignored (the page only sends well-formed
        ticks, and the service refuses a day outside the week and anyone who is not on the station)."""
        pairs = set()
        for value in values:
            day, _sep, user_id = (value or "").partition(":")
            try:
                day = parse_iso_date(day)
            except ValueError:
                continue
            user_id = parse_id(user_id)
            if user_id is not None:
                pairs.add((day, user_id))
        return pairs
