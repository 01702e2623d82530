"""The case page's forms: one per lifecycle step (built from the step's declared fields), sessions,
attachments and the agreement's details.

The forms carry no business validation: the services check everything and their ``Invalid`` errors are
put back on these fields (``web.show_refusal``). ``validate()`` here only checks the CSRF token.
"""

import functools
from dataclasses import asdict, replace

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput, DateTimeLocalInput

from mediation import lifecycle, taxonomy
from mediation.cases.forms import IntakeForm
from mediation.clock import local_date, utcnow
from mediation.extensions import db
from mediation.form_flags import MaxLength, Needed
from mediation.i18n import translated
from mediation.ids import parse_version
from mediation.models import Agency, User, agency_station, user_station
from mediation.services.agreements import EDITABLE, MAX_LENGTHS
from mediation.services.attachments import MAX_LENGTHS as ATTACHMENT_LENGTHS
from mediation.services.case_details import EDITABLE as EDITABLE_DETAILS
from mediation.services.followups import MAX_LENGTHS as VISIT_LENGTHS
from mediation.services.judicial import MAX_LENGTHS as JUDICIAL_LENGTHS
from mediation.services.sessions import MAX_LENGTHS as SESSION_LENGTHS
from mediation.text import NOTE_LENGTH
from mediation.web import OnceForm, submission_key

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) pairs
    SelectChoice = None


def options(pairs) -> list:
    """Select options from ``(value, label)`` pairs, or ``(value, label, group)`` triples shown under the
    group's heading, in the form the installed WTForms wants."""
    out = []
    for value, label, *group in pairs:
        group = group[0] if group else None
        out.append(SelectChoice(value, label, optgroup=group) if SelectChoice else (value, label))
    return out


def _flags(required: bool = False, max_length: int | None = None) -> list:
    """What the page says about a field: required, and how long it may be (the service checks both)."""
    return [*([Needed()] if required else []), *([MaxLength(max_length)] if max_length else [])]


# --- Choices ------------------------------------------------------------------------------------------


def serving(station_id: int):
    """The agencies that serve the station, by kind and name: never the whole province."""
    query = (
        select(Agency)
        .join(agency_station, agency_station.c.agency_id == Agency.id)
        .where(agency_station.c.station_id == station_id)
        .order_by(Agency.kind, Agency.name)
    )
    return db.session.scalars(query).all()


def mediator_choices(case) -> list[tuple[str, str]]:
    """The active mediators serving at the case's station, keyed by username."""
    users = db.session.scalars(
        select(User)
        .join(user_station, user_station.c.user_id == User.id)
        .where(user_station.c.station_id == case.station_id, User.role == "mediator", User.active.is_(True))
        .order_by(User.display_name, User.username)
    ).all()
    return [(u.username, u.name if u.name == u.username else f"{u.name} ({u.username})") for u in users]


class CaseChoices:
    """The lists a case's form chooses from, each loaded once, when a field first asks (a step may name the
    station's mediators; the refer form and the court select, its agencies)."""

    def __init__(self, case):
        self.case = case

    @functools.cached_property
    def agencies(self) -> list[Agency]:
        return serving(self.case.station_id)

    @functools.cached_property
    def mediators(self) -> list[tuple[str, str]]:
        return mediator_choices(self.case)


# --- Lifecycle steps ------------------------------------------------------------------------------------


def _text(spec, **kw):
    return StringField(spec.label, **kw)


def _longtext(spec, **kw):
    return TextAreaField(spec.label, render_kw={"rows": 3}, **kw)


def _date(spec, **kw):
    return StringField(spec.label, widget=DateInput(), **kw)


def _confirm(spec, **kw):
    return BooleanField(spec.label, **kw)


def _choice(spec, **kw):
    choices = options([("", _l("Choose…")), *spec.choices.items()])
    return SelectField(spec.label, choices=choices, validate_choice=False, **kw)


def _case_choice(spec, **kw):
    """A select whose choices depend on the case: set on each form (``_CASE_CHOICES``)."""
    return SelectField(spec.label, choices=[], validate_choice=False, **kw)


_FIELDS = {
    "text": _text,
    "longtext": _longtext,
    "date": _date,
    "confirm": _confirm,
    "choice": _choice,
    "agency": _case_choice,
    "mediator": _case_choice,
}


def _agencies(field, spec, choices: CaseChoices, blank: bool) -> None:
    """The agencies the case can be referred to (those serving its station), keyed by code, each under its
    kind's heading (police stations, courts, …). On a blank form of a case at high risk of escalation
    (民转刑), the police station serving its station (the first, if several do) is chosen already."""
    agencies = choices.agencies
    kinds = translated(taxonomy.AGENCY_KINDS)
    field.choices = options([("", _l("Choose…")), *((a.code, a.name, kinds[a.kind]) for a in agencies)])
    if blank and not field.data and choices.case.risk_level == "high":
        field.data = next((a.code for a in agencies if a.kind == "police"), field.data)


def _mediators(field, spec, choices: CaseChoices, blank: bool) -> None:
    """The active mediators serving at the case's station, after a blank option that keeps the case's
    mediator while they mediate at its station, else means the person firing the step (``services
    .transitions``' ``accept``)."""
    listed, case = choices.mediators, choices.case
    if spec.required:
        keep = _l("Choose…")
    elif case.mediator is not None and case.mediator.username in dict(listed):
        keep = _l("— keep %(name)s —", name=case.mediator.name)
    else:
        keep = _l("— myself —")
    field.choices = options([("", keep), *listed])


_CASE_CHOICES = {"agency": _agencies, "mediator": _mediators}


def step_form(step, case, permits=None, **form_args) -> OnceForm:
    """The form of ``step`` on ``case`` (``form_args``: WTForms', e.g. ``formdata=None, data=…`` for a blank
    one). A permitted waiver's reasons are those the deployment allows (``permits``: ``settings.permits()``).
    The class comes from ``_step_class``; the choices that depend on the case are set on each form."""
    allowed = tuple(
        (g.permit.reason, tuple((permits or {}).get(g.permit.name, ()))) for g in step.guards if g.permit
    )
    form = _step_class(step.trigger, allowed)(**form_args)
    blank = "formdata" in form_args and form_args["formdata"] is None
    choices = CaseChoices(case)
    for spec in step.fields:
        if spec.kind in _CASE_CHOICES:
            _CASE_CHOICES[spec.kind](form[spec.name], spec, choices, blank)
    return form


@functools.cache
def _step_class(trigger: str, allowed: tuple) -> type[OnceForm]:
    """The form class of a step, built once per step and waiver reasons allowed (``allowed``: the reason
    fields' codes) rather than on every request; its labels stay lazy, so it serves every language. One input
    per declared field (ids prefixed by the trigger, so several steps' forms can share a page) and the case
    ``version`` the user saw, as a hidden field."""
    step = lifecycle.STEPS[trigger]
    attrs = {
        "version": HiddenField(id=f"{trigger}-version"),
        "submission": submission_key(f"{trigger}-submission"),
    }
    reasons = dict(allowed)
    for spec in step.fields:
        if spec.name in reasons:
            spec = replace(spec, choices={k: v for k, v in spec.choices.items() if k in reasons[spec.name]})
        attrs[spec.name] = _FIELDS[spec.kind](
            spec,
            id=f"{trigger}-{spec.name}",
            description=spec.help or "",
            validators=_flags(spec.required, spec.max_length),
        )
    return type(f"StepForm_{trigger}", (OnceForm,), attrs)


def shown_fields(step, form, offered=()) -> list:
    """The step's fields the form shows: all but a guard's waiver, which appears once the guard has refused
    (its message is on the guard's field) or when it is ticked. A permitted waiver (``Guard.permit``), with
    its reason and explanation, appears exactly while the page offers it (``offered``:
    ``lifecycle.waivers_offered``)."""
    hidden = set()
    for guard in step.guards:
        if guard.permit is not None:
            if guard not in offered:
                hidden.update((guard.waived_by, *guard.permit.fields))
        elif guard.waived_by and not form[guard.waived_by].data:
            asked = guard.field is not None and str(guard.message) in form[guard.field].errors
            if not asked:
                hidden.add(guard.waived_by)
    return [spec for spec in step.fields if spec.name not in hidden]


def step_values(step, form) -> dict:
    """What the user entered for the step's declared fields, as ``apply_step`` takes it."""
    return {spec.name: form[spec.name].data for spec in step.fields}


def posted_version(form) -> int:
    """The version the user saw; a missing or garbled one counts as stale (-1 never matches)."""
    version = parse_version(form.version.data)
    return -1 if version is None else version


# --- Sessions, attachments, the agreement ---------------------------------------------------------------


class SessionForm(OnceForm):
    submission = submission_key("session-submission")
    held_at = StringField(
        _l("When it was held"), widget=DateTimeLocalInput(), validators=_flags(True), id="session-held_at"
    )
    place = StringField(
        _l("Place"), id="session-place", validators=_flags(max_length=SESSION_LENGTHS["place"])
    )
    attendees = TextAreaField(
        _l("Who attended"),
        id="session-attendees",
        render_kw={"rows": 2},
        validators=_flags(max_length=SESSION_LENGTHS["attendees"]),
        description=_l("The parties, the mediators and anyone else present."),
    )
    notes = TextAreaField(
        _l("What was said"),
        id="session-notes",
        render_kw={"rows": 5},
        validators=_flags(True, SESSION_LENGTHS["notes"]),
    )
    result = TextAreaField(
        _l("Result"),
        id="session-result",
        render_kw={"rows": 2},
        validators=_flags(True, SESSION_LENGTHS["result"]),
    )
    rights_notified = BooleanField(
        _l("The parties were told their rights and duties"),
        id="session-rights_notified",
        description=_l("Required before the first session (权利义务告知)."),
    )


class AttachmentForm(OnceForm):
    submission = submission_key("attachment-submission")
    file = FileField(_l("File"), id="attachment-file", validators=_flags(True))
    description = StringField(
        _l("Description"),
        id="attachment-description",
        validators=_flags(max_length=ATTACHMENT_LENGTHS["description"]),
        description=_l("E.g. photo of the water damage in the kitchen, 3 March."),
    )


WRITTEN_OR_ORAL = [("written", _l("Written agreement")), ("oral", _l("Oral agreement"))]


class AgreementForm(OnceForm):
    version = HiddenField()
    oral = SelectField(_l("Form of the agreement"), choices=options(WRITTEN_OR_ORAL), validate_choice=False)
    facts_and_responsibility = TextAreaField(
        _l("Facts, points in dispute and responsibility"),
        render_kw={"rows": 5},
        validators=_flags(max_length=MAX_LENGTHS["facts_and_responsibility"]),
    )
    performance_method = StringField(
        _l("Manner of performance"), validators=_flags(max_length=MAX_LENGTHS["performance_method"])
    )
    performance_place = StringField(
        _l("Place of performance"), validators=_flags(max_length=MAX_LENGTHS["performance_place"])
    )

    @classmethod
    def for_agreement(cls, agreement, version, formdata=None):
        """The form filled from ``agreement`` (or from what was posted, when ``formdata`` is given)."""
        return cls(
            formdata=formdata,
            data={
                "version": str(version),
                "oral": "oral" if agreement.oral else "written",
                "facts_and_responsibility": agreement.facts_and_responsibility,
                "performance_method": agreement.performance_method,
                "performance_place": agreement.performance_place,
            },
        )

    def values(self) -> dict:
        return {name: self[name].data for name in EDITABLE}


# --- Judicial confirmation (司法确认) -----------------------------------------------------------------------


class JudicialForm(OnceForm):
    """A panel of the case page recording judicial confirmation (``policy.judicial_step`` names which);
    field ids are prefixed by it, as the steps' are."""

    #: The panel's title (and its button), style and explanation.
    title = style = help = None

    def values(self) -> dict:
        """What was typed, as ``services.judicial`` takes it."""
        return {name: f.data for name, f in self._fields.items() if name not in _BOOKKEEPING}


_BOOKKEEPING = ("csrf_token", "submission", "version")


def _date_field(label, key, name, **kw):
    return StringField(label, widget=DateInput(), id=f"jc-{key}-{name}", validators=_flags(True), **kw)


def _number_field(key, required, **kw):
    max_length = JUDICIAL_LENGTHS["jc_court_case_number"]
    return StringField(
        _l("Court case number"),
        id=f"jc-{key}-court_case_number",
        validators=_flags(required, max_length),
        **kw,
    )


class ApplyForm(JudicialForm):
    title = _l("Record the application for judicial confirmation")
    style = "outline-primary"
    help = _l(
        "Within 30 days of the agreement taking effect, the parties may jointly apply to the basic-level"
        " court to confirm it (司法确认): then it can be enforced if it is not performed."
    )
    version = HiddenField(id="jc-apply-version")
    submission = submission_key("jc-apply-submission")
    applied_on = _date_field(_l("The parties applied on"), "apply", "applied_on")
    court = SelectField(
        _l("Court"), validate_choice=False, id="jc-apply-court", validators=_flags(True),
        description=_l("The courts that serve this station."),
    )  # fmt: skip


class AnswerForm(JudicialForm):
    title = _l("Record the court's answer")
    style = "primary"
    help = _l("The court decides within 3 days of receiving the application whether to accept it.")
    version = HiddenField(id="jc-answer-version")
    submission = submission_key("jc-answer-submission")
    answer = SelectField(
        _l("The court's answer"),
        choices=options([("", _l("Choose…")), *taxonomy.JC_ANSWERS.items()]),
        validate_choice=False,
        id="jc-answer-answer",
        validators=_flags(True),
    )
    answered_on = _date_field(_l("On"), "answer", "answered_on")
    court_case_number = _number_field(
        "answer", False, description=_l("The number the court gives an application it accepts (调确字).")
    )


class DecideForm(JudicialForm):
    title = _l("Record the court's decision")
    style = "primary"
    help = _l(
        "The court decides within 15 days of accepting the application whether the agreement is valid. Found"
        " invalid, the parties may mediate again or go to court."
    )
    version = HiddenField(id="jc-decide-version")
    submission = submission_key("jc-decide-submission")
    decision = SelectField(
        _l("The court's decision"),
        choices=options([("", _l("Choose…")), *taxonomy.JC_RULINGS.items()]),
        validate_choice=False,
        id="jc-decide-decision",
        validators=_flags(True),
    )
    decided_on = _date_field(_l("Decided on"), "decide", "decided_on")
    court_case_number = _number_field("decide", True)


#: The form of each judicial-confirmation panel, by ``policy.judicial_step``'s answer.
JUDICIAL_FORMS = {"apply": ApplyForm, "answer": AnswerForm, "decide": DecideForm}


def judicial_form(panel: str, case, *, posted=False, version: int | None = None) -> JudicialForm:
    """The form of ``panel`` on ``case``: as posted, or blank with today's date, the court when only one
    serves the station, the number the court already gave and the case ``version`` the reader saw (the
    case's own by default)."""
    cls = JUDICIAL_FORMS[panel]
    agencies = serving(case.station_id) if panel == "apply" else []
    courts = [(a.code, a.name) for a in agencies if a.kind == "court"]
    if posted:
        form = cls()
    else:
        application, today = case.confirmation, local_date(utcnow()).isoformat()
        data = {
            "version": str(version or case.version),
            **dict.fromkeys(("applied_on", "answered_on", "decided_on"), today),
            "court": courts[0][0] if len(courts) == 1 else "",
            "court_case_number": application.jc_court_case_number if application is not None else "",
        }
        form = cls(formdata=None, data=data)
    if panel == "apply":
        form.court.choices = options([("", _l("Choose…")), *courts])
    return form


class DetailsForm(OnceForm):
    """Correcting the case's own details (``services.case_details``). The fields are intake's own, so both
    pages label, explain and limit them alike, and what was typed is read as intake reads it."""

    version = HiddenField()
    channel = IntakeForm.channel
    category = IntakeForm.category
    title = IntakeForm.title
    facts = IntakeForm.facts
    place = IntakeForm.place
    amount = IntakeForm.amount
    risk_level = IntakeForm.risk_level
    external_ref = IntakeForm.external_ref

    @classmethod
    def for_case(cls, case, formdata=None):
        """The form filled from ``case`` (or from what was posted, when ``formdata`` is given)."""
        saved = {name: getattr(case, name) for name in EDITABLE_DETAILS}
        saved["amount"] = "" if case.amount is None else str(case.amount)
        return cls(formdata=formdata, data={"version": str(case.version), **saved})

    def values(self) -> dict:
        """What was typed, as ``update_case`` takes it."""
        return asdict(IntakeForm.case_input(self))


# --- Follow-up visits (回访) ----------------------------------------------------------------------------


def _blank_first(pairs) -> list:
    return options([("", _l("— choose —")), *pairs])


class VisitForm(OnceForm):
    """The follow-up record (DOMAIN §5); ``planned`` is the planned visit it was, if one."""

    submission = submission_key("visit-submission")
    version = HiddenField(id="visit-version")
    planned = HiddenField(id="visit-planned")
    done_on = StringField(_l("Visited on"), widget=DateInput(), validators=_flags(True), id="visit-done_on")
    method = SelectField(
        _l("How"),
        choices=options(taxonomy.VISIT_METHODS.items()),
        validators=_flags(True),
        id="visit-method",
        validate_choice=False,
    )
    party_reached = StringField(
        _l("Who was reached"),
        id="visit-party_reached",
        validators=_flags(max_length=VISIT_LENGTHS["party_reached"]),
        description=_l("The parties, and people who know the case."),
    )
    purpose = StringField(
        _l("Why the visit"), id="visit-purpose", validators=_flags(max_length=VISIT_LENGTHS["purpose"])
    )
    performance = SelectField(
        _l("Performance of the agreement"),
        choices=_blank_first(taxonomy.PERFORMANCE.items()),
        id="visit-performance",
        validate_choice=False,
        description=_l("Leave it blank when there was nothing to perform (a failed mediation)."),
    )
    satisfaction = SelectField(
        _l("Satisfaction (1–5)"),
        choices=_blank_first((str(n), str(n)) for n in range(5, 0, -1)),
        id="visit-satisfaction",
        validate_choice=False,
    )
    lawsuit_filed = BooleanField(_l("A lawsuit was filed"), id="visit-lawsuit_filed")
    lawsuit_result = StringField(
        _l("Result of the lawsuit"),
        id="visit-lawsuit_result",
        validators=_flags(max_length=VISIT_LENGTHS["lawsuit_result"]),
    )
    renewed_conflict = BooleanField(_l("Signs of the dispute flaring up"), id="visit-renewed_conflict")
    measures = TextAreaField(
        _l("Measures taken"),
        id="visit-measures",
        render_kw={"rows": 2},
        validators=_flags(max_length=VISIT_LENGTHS["measures"]),
    )
    notes = TextAreaField(
        _l("Notes"),
        id="visit-notes",
        render_kw={"rows": 3},
        validators=_flags(max_length=VISIT_LENGTHS["notes"]),
    )

    def values(self) -> dict:
        """What the service takes, as typed (it checks and refuses)."""
        satisfaction = self.satisfaction.data
        return {
            "done_on": self.done_on.data,
            "method": self.method.data,
            "party_reached": self.party_reached.data or "",
            "purpose": self.purpose.data or "",
            "performance": self.performance.data or None,
            "satisfaction": int(satisfaction)
            if satisfaction and satisfaction.isdecimal()
            else satisfaction or None,
            "lawsuit_filed": bool(self.lawsuit_filed.data),
            "lawsuit_result": self.lawsuit_result.data or "",
            "renewed_conflict": bool(self.renewed_conflict.data),
            "measures": self.measures.data or "",
            "notes": self.notes.data or "",
        }


class PlanVisitForm(OnceForm):
    """Plan a visit, or move a planned one (``reason`` required to move)."""

    submission = submission_key("plan-visit-submission")
    version = HiddenField(id="plan-visit-version")
    scheduled_for = StringField(
        _l("Planned for"), widget=DateInput(), validators=_flags(True), id="plan-visit-scheduled_for"
    )
    reason = StringField(
        _l("Reason"), id="plan-visit-reason", validators=_flags(max_length=VISIT_LENGTHS["reason"])
    )


class MoveVisitForm(OnceForm):
    """Move one planned visit: built with ``prefix=visit_prefix(visit)``, so each visit's form has its own
    names and ids on the page."""

    submission = submission_key(None)
    version = HiddenField()
    scheduled_for = StringField(_l("New day"), widget=DateInput(), validators=_flags(True))
    reason = StringField(_l("Reason"), validators=_flags(True, VISIT_LENGTHS["reason"]))


class CancelVisitForm(OnceForm):
    """Cancel one planned visit (``prefix=visit_prefix(visit)``, as ``MoveVisitForm``)."""

    submission = submission_key(None)
    version = HiddenField()
    reason = StringField(_l("Reason"), validators=_flags(True, VISIT_LENGTHS["reason"]))


def visit_prefix(visit, action: str) -> str:
    return f"{action}-visit-{visit.id}-"


class SuperviseForm(OnceForm):
    """Put the case under supervision (督办): how pressing, by when the station answers, what is asked."""

    submission = submission_key("supervise-submission")
    version = HiddenField(id="supervise-version")
    urgency = SelectField(
        _l("Urgency"),
        choices=options(taxonomy.SUPERVISION_URGENCIES.items()),
        validators=_flags(True),
        id="supervise-urgency",
        validate_choice=False,
    )
    due_on = StringField(_l("Answer by"), widget=DateInput(), validators=_flags(True), id="supervise-due_on")
    request = TextAreaField(
        _l("What you ask of the station"),
        id="supervise-request",
        render_kw={"rows": 3},
        validators=_flags(True, NOTE_LENGTH),
    )


class SupervisionAnswerForm(OnceForm):
    """The station's progress note on the supervision."""

    submission = submission_key("supervision-answer-submission")
    version = HiddenField(id="supervision-answer-version")
    text = TextAreaField(
        _l("Progress"),
        id="supervision-answer-text",
        render_kw={"rows": 3},
        validators=_flags(True, NOTE_LENGTH),
    )


class EndSupervisionForm(OnceForm):
    """The supervisor ends the supervision, saying what they concluded."""

    submission = submission_key("end-supervision-submission")
    version = HiddenField(id="end-supervision-version")
    conclusion = TextAreaField(
        _l("Conclusion"),
        id="end-supervision-conclusion",
        render_kw={"rows": 2},
        validators=_flags(max_length=NOTE_LENGTH),
    )
