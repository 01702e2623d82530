"""The station's books: a visitor in the visit log, and a week of the duty roster."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from mediation.cases.forms import Needed
from mediation.clock import from_local_input
from mediation.services.station_log import VisitInput
from mediation.web import OnceForm


class VisitForm(OnceForm):
    visitor_name = StringField(_l("Visitor's name"), validators=[Needed(), Length(max=100)])
    visitor_phone = StringField(
        _l("Phone"), validators=[Length(max=32)], render_kw={"type": "tel", "inputmode": "tel"}
    )
    visited_at = DateTimeLocalField(
        _l("When"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Leave as it is for now."),
    )
    matter = TextAreaField(_l("What they came about"), validators=[Needed()], render_kw={"rows": 3})
    action_taken = TextAreaField(_l("What was done"), render_kw={"rows": 3})

    def to_input(self) -> VisitInput:
        return VisitInput(
            visitor_name=self.visitor_name.data or "",
            visitor_phone=self.visitor_phone.data or "",
            matter=self.matter.data or "",
            action_taken=self.action_taken.data or "",
            visited_at=from_local_input(self.visited_at.data),
        )


class RosterForm(OnceForm):
    """The week's checkboxes are named ``duty`` with values ``YYYY-MM-DD:<user id>``."""

    week = HiddenField()

    @staticmethod
    def assignments(values: list[str]) -> set[tuple[date, int]]:
        """The ticked (day, user id) pairs; anything malformed is ignored."""
        pairs = set()
        for value in values:
            day, _sep, user_id = (value or "").partition(":")
            try:
                pairs.add((date.fromisoformat(day), int(user_id)))
            except ValueError:
                continue
        return pairs
